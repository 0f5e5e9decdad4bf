import type { FigureTableSpec, FiguresResponse, WeekCounts } from '@macpt/contract';
import { codedError, type ErrorCode } from '@macpt/kit';
import { figuresRefusal } from '@macpt/policies';
import type { GatewayContext } from '../context.js';
import type { signedAgencyCall } from '../datasources/signed-call.js';
import type { DisclosureStore } from '../disclosure/store.js';
import type { InboxStore } from '../notifications/inbox.js';
import { buildTables, figuresCsv, type FiguresTable } from './figures.js';
import { logCounts } from './log-counts.js';
import { MAX_PERIODS, periodsCovering, type Period } from './periods.js';

/** Most log records one request's figures read. */
const MAX_RECORDS = 500_000;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** The partnership figures of an LA over whole periods, as shown (small numbers suppressed). */
export interface PartnershipFigures {
  la: string;
  from: string;
  to: string;
  periods: Period[];
  tables: FiguresTable[];
  /** Agencies whose counts are missing because they did not answer. */
  unavailable: string[];
}

/** What the figures need from the gateway. */
export interface FiguresDeps {
  store: DisclosureStore;
  inbox: InboxStore;
  call: ReturnType<typeof signedAgencyCall>;
  agencies: () => readonly string[];
}

const refuse = (code: ErrorCode, message: string, extensions: Record<string, unknown> = {}) =>
  codedError(code, message, extensions);

/**
 * Computes an LA's partnership figures for the caller: its own LA's LCPP or partnership board only;
 * whole four-week periods covering `from`…`to`; each query noted for the IG record (`ctx.audit`).
 */
export async function partnershipFigures(
  deps: FiguresDeps,
  ctx: GatewayContext,
  args: { la: string; from: string; to: string },
): Promise<PartnershipFigures> {
  const rule = figuresRefusal(ctx.user, args.la);
  if (rule)
    throw refuse('FORBIDDEN_BY_POLICY', `Partnership figures for ${args.la.slice(0, 40)}: refused (${rule}).`, {
      rule,
      agency: 'gateway',
    });
  if (
    !DATE.test(args.from) ||
    !DATE.test(args.to) ||
    Number.isNaN(Date.parse(args.from)) ||
    Number.isNaN(Date.parse(args.to)) ||
    args.from > args.to
  )
    throw refuse('BAD_USER_INPUT', '"from" and "to" must be dates as YYYY-MM-DD, from not after to.');
  const periods = periodsCovering(args.from, args.to);
  if (periods.length > MAX_PERIODS)
    throw refuse(
      'BAD_USER_INPUT',
      `At most ${MAX_PERIODS} four-week periods (a year) at a time; asked for ${periods.length}.`,
    );
  const from = periods[0]!.start;
  const to = periods.at(-1)!.end;
  ctx.audit = { partnershipFigures: args.la, from, to };
  const [records, reviews, items, left, agencies] = await Promise.all([
    deps.store.query({ from, to: `${to}T23:59:59.999Z` }, MAX_RECORDS),
    deps.store.query({ kind: 'BREAK_GLASS_REVIEW', from }, MAX_RECORDS),
    deps.inbox.all(),
    deps.inbox.tallies(args.la),
    Promise.all(
      deps
        .agencies()
        .map(async (agency) => ({ agency, got: await deps.call(agency, '/figures', ctx, { la: args.la, from, to }) })),
    ),
  ]);
  const counts: WeekCounts[] = logCounts(
    args.la,
    records,
    reviews,
    items.filter((i) => i.deliveredAt >= from && i.deliveredAt <= `${to}T23:59:59.999Z`),
  );
  // Items that have left the inbox (acknowledged or expired, past the retention) still count, from their tallies.
  for (const t of left)
    if (t.week >= from && t.week <= to) counts.push({ week: t.week, tables: { notifications: { [t.band]: t.count } } });
  const sources = new Set(['disclosure log', 'notifications']);
  const agencyOf = new Map<string, string>();
  const declared: FigureTableSpec[] = [];
  const unavailable: string[] = [];
  for (const { agency, got } of agencies) {
    if (!('failed' in got) && got.status === 404) continue; // contributes no counts
    const answer = 'failed' in got ? null : (got.body as Partial<FiguresResponse> | null);
    if ('failed' in got || got.status !== 200 || !Array.isArray(answer?.weeks)) {
      unavailable.push(agency);
      continue;
    }
    counts.push(...answer.weeks);
    for (const week of answer.weeks) for (const table of Object.keys(week.tables)) agencyOf.set(table, agency);
    // A table the agency declares is shown (zeros included) once it answers, even in weeks without counts.
    for (const spec of answer.tables ?? []) {
      agencyOf.set(spec.name, agency);
      declared.push(spec);
    }
  }
  return {
    la: args.la,
    from,
    to,
    periods,
    tables: buildTables(periods, counts, sources, agencyOf, declared),
    unavailable,
  };
}

export { figuresCsv };
