import type { SubgraphContext } from '@macpt/subgraph-kit';
import type { SocialCareLoaders } from '../loaders.js';
import type { CaseRow } from '../store/queries.js';

type Ctx = SubgraphContext<SocialCareLoaders>;

const first = <T>(rows: T[]): T | null => rows[0] ?? null;

/** A MACPT case's fields: reached as an entity (by id, from the gateway's directory) or from a child's record. */
export function caseResolvers() {
  return {
    MacptCase: {
      __resolveReference: (ref: { id: string }, ctx: Ctx) => ctx.loaders.caseById.load(ref.id),
      child: (c: CaseRow) => ({ nhsNumber: c.nhsNumber }),
      strategyDiscussion: async (c: CaseRow, _: unknown, ctx: Ctx) =>
        first(await ctx.loaders.strategy.load(c.nhsNumber)),
      section47Enquiry: async (c: CaseRow, _: unknown, ctx: Ctx) => first(await ctx.loaders.s47.load(c.nhsNumber)),
      conference: async (c: CaseRow, _: unknown, ctx: Ctx) => first(await ctx.loaders.conferences.load(c.nhsNumber)),
      cpPlan: (c: CaseRow, _: unknown, ctx: Ctx) => ctx.loaders.cpPlan.load(c.nhsNumber),
      namedWorkers: (c: CaseRow, _: unknown, ctx: Ctx) => ctx.loaders.workers.load(c.id),
    },
  };
}
