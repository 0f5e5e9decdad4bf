import type { SubgraphContext } from '@macpt/subgraph-kit';
import type { SocialCareLoaders } from '../loaders.js';
import type { ChildRow } from '../store/queries.js';

type Ctx = SubgraphContext<SocialCareLoaders>;
type Keyed = { nhsNumber: string };

/** The `Child` entity's social care section and the record's own lists. */
export const childResolvers = {
  Child: {
    __resolveReference: (ref: Keyed) => ({ nhsNumber: ref.nhsNumber }),
    socialCare: (child: Keyed, _: unknown, ctx: Ctx) => ctx.loaders.record.load(child.nhsNumber),
  },
  SocialCareRecord: {
    currentCase: async (r: ChildRow, _: unknown, ctx: Ctx) =>
      (await ctx.loaders.casesByChild.load(r.nhsNumber)).find((c) => c.status === 'OPEN') ?? null,
    referrals: (r: ChildRow, _: unknown, ctx: Ctx) => ctx.loaders.referrals.load(r.nhsNumber),
    strategyDiscussions: (r: ChildRow, _: unknown, ctx: Ctx) => ctx.loaders.strategy.load(r.nhsNumber),
    section47Enquiries: (r: ChildRow, _: unknown, ctx: Ctx) => ctx.loaders.s47.load(r.nhsNumber),
    conferences: (r: ChildRow, _: unknown, ctx: Ctx) => ctx.loaders.conferences.load(r.nhsNumber),
    cpPlan: (r: ChildRow, _: unknown, ctx: Ctx) => ctx.loaders.cpPlan.load(r.nhsNumber),
    caseNotes: (r: ChildRow, _: unknown, ctx: Ctx) => ctx.loaders.caseNotes.load(r.nhsNumber),
  },
};
