import type { SubgraphContext } from '@macpt/subgraph-kit';
import type { FamilyHelpLoaders } from '../loaders.js';
import type { ChildRow } from '../store/queries.js';

type Ctx = SubgraphContext<FamilyHelpLoaders>;
type Keyed = { nhsNumber: string };

/** All of Family Help's resolvers. */
export function resolvers() {
  return {
    Child: {
      __resolveReference: (ref: Keyed) => ({ nhsNumber: ref.nhsNumber }),
      familyHelp: (child: Keyed, _: unknown, ctx: Ctx) => ctx.loaders.child.load(child.nhsNumber),
    },
    FamilyHelpRecord: {
      leadPractitioner: async (c: ChildRow, _: unknown, ctx: Ctx) => {
        const f = await ctx.loaders.family.load(c.familyId);
        return f && { nhsNumber: c.nhsNumber, userId: f.leadUserId, name: f.leadName, team: f.leadTeam };
      },
      plan: async (c: ChildRow, _: unknown, ctx: Ctx) => {
        const f = await ctx.loaders.family.load(c.familyId);
        return (
          f && {
            nhsNumber: c.nhsNumber,
            startDate: f.planStart,
            status: f.planStatus,
            goals: JSON.parse(f.goals) as string[],
            reviewDates: JSON.parse(f.reviewDates) as string[],
          }
        );
      },
      assessments: (c: ChildRow, _: unknown, ctx: Ctx) => ctx.loaders.assessments.load(c.familyId),
      transitions: (c: ChildRow, _: unknown, ctx: Ctx) => ctx.loaders.transitions.load(c.familyId),
      teamAroundTheFamily: (c: ChildRow, _: unknown, ctx: Ctx) => ctx.loaders.team.load(c.familyId),
    },
  };
}
