import { codedError } from '@macpt/kit';
import { childAttributes, MACPT_ROLES, type Purpose } from '@macpt/policies';
import { forbidden, type SubgraphContext } from '@macpt/subgraph-kit';
import type { SocialCareLoaders } from '../loaders.js';
import type { CaseRow, SocialCareQueries } from '../store/queries.js';

type Ctx = SubgraphContext<SocialCareLoaders>;

const first = <T>(rows: T[]): T | null => rows[0] ?? null;

/**
 * Social care owns the case data that relationships come from, so for its own entry points it works
 * out each child's attributes itself (the gateway's signed facts still win where present).
 */
async function noteAttributes(rows: readonly CaseRow[], ctx: Ctx): Promise<void> {
  const user = ctx.caller.user;
  if (!user) return; // benchmark mode: no caller, no checks
  const purpose = ctx.caller.purpose as Purpose;
  const [workers, children] = await Promise.all([ctx.loaders.workers.loadMany(rows.map((r) => r.id)), ctx.loaders.record.loadMany(rows.map((r) => r.nhsNumber))]);
  rows.forEach((row, i) => {
    const named = workers[i];
    const child = children[i];
    ctx.local.set(row.nhsNumber, childAttributes(user, purpose, {
      openCase: row.status === 'OPEN' ? { la: row.localAuthority, stage: row.stage, namedWorkers: Array.isArray(named) ? named.map((w) => w.userId) : [] } : null,
      schoolUrn: null,
      confidentialBy: child && !(child instanceof Error) && child.confidentialLocation === 1 ? ['social-care'] : [],
    }));
  });
}

const notVisible = (id: string) => codedError('NOT_FOUND', `No MACPT case you may see has id ${JSON.stringify(id)}.`);

/** MACPT cases: listed per LA for that LA's MACPT, fetched by id, and each case's current stage records. */
export function caseResolvers(q: SocialCareQueries) {
  return {
    Query: {
      cases: async (_: unknown, args: { la: string; status: string }, ctx: Ctx) => {
        const user = ctx.caller.user;
        // The case list of an LA is for that LA's MACPT; the refusal does not depend on whether it has cases.
        if (user && (!MACPT_ROLES.includes(user.role) || user.la !== args.la)) throw forbidden({ rule: 'NO_LEGITIMATE_RELATIONSHIP', agency: 'social-care', class: 'IDENTITY' });
        const rows = q.casesByLa(args.la, args.status);
        for (const row of rows) ctx.loaders.caseById.prime(row.id, row);
        await noteAttributes(rows, ctx);
        return rows;
      },
      case: async (_: unknown, args: { id: string }, ctx: Ctx) => {
        const row = await ctx.loaders.caseById.load(args.id).catch(() => null);
        if (!row) throw notVisible(args.id);
        await noteAttributes([row], ctx);
        // Unknown and not-yours look the same: a case's existence is itself safeguarding information.
        if (ctx.attributesOf(row.nhsNumber)?.relationship === 'NONE' && !ctx.caller.breakGlass) throw notVisible(args.id);
        return row;
      },
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
