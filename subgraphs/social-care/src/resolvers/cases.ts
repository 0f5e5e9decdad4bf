import type { SubgraphContext } from '@macpt/subgraph-kit';
import type { SocialCareLoaders } from '../loaders.js';
import type { CaseRow, SocialCareQueries } from '../store/queries.js';

type Ctx = SubgraphContext<SocialCareLoaders>;

const first = <T>(rows: T[]): T | null => rows[0] ?? null;

/** MACPT cases: listed per LA, fetched by id, and each case's current stage records. */
export function caseResolvers(q: SocialCareQueries) {
  return {
    Query: {
      cases: (_: unknown, args: { la: string; status: string }, ctx: Ctx) => {
        const rows = q.casesByLa(args.la, args.status);
        for (const row of rows) ctx.loaders.caseById.prime(row.id, row);
        return rows;
      },
      case: (_: unknown, args: { id: string }, ctx: Ctx) => ctx.loaders.caseById.load(args.id),
    },
    MacptCase: {
      __resolveReference: (ref: { id: string }, ctx: Ctx) => ctx.loaders.caseById.load(ref.id),
      child: (c: CaseRow) => ({ nhsNumber: c.nhsNumber }),
      strategyDiscussion: async (c: CaseRow, _: unknown, ctx: Ctx) => first(await ctx.loaders.strategy.load(c.nhsNumber)),
      section47Enquiry: async (c: CaseRow, _: unknown, ctx: Ctx) => first(await ctx.loaders.s47.load(c.nhsNumber)),
      conference: async (c: CaseRow, _: unknown, ctx: Ctx) => first(await ctx.loaders.conferences.load(c.nhsNumber)),
      cpPlan: (c: CaseRow, _: unknown, ctx: Ctx) => ctx.loaders.cpPlan.load(c.nhsNumber),
      namedWorkers: (c: CaseRow, _: unknown, ctx: Ctx) => ctx.loaders.workers.load(c.id),
    },
  };
}
