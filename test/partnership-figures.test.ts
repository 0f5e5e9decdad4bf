import { MACPT_TEAMS } from '@macpt/synthetic';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  children,
  gql,
  headers,
  householdOf,
  PURPOSE_FOR_STAGE,
  startTestStackBehindProxy,
  type GraphQLResult,
} from './testkit.js';

// Issue 15's partnership figures, from outside: an LA's LCPP and board see aggregates only, small
// numbers suppressed with secondary suppression, cells fixed per four-week period so that no pair of
// requests can be differenced to reveal a suppressed count; each query on the record.

let stack: Awaited<ReturnType<typeof startTestStackBehindProxy>>['stack'];
let proxy: Awaited<ReturnType<typeof startTestStackBehindProxy>>['proxy'];

beforeAll(async () => {
  ({ stack, proxy } = await startTestStackBehindProxy('social-care'));
  // Some traffic for the log's tables: named workers opening their children.
  for (const child of children.filter((c) => c.socialCare?.caseId && householdOf(c).la === 'LEICESTER').slice(0, 12)) {
    const lcpp = child.socialCare!.namedWorkers.find((w) => w.startsWith('lcpp')) ?? 'lcpp-leicester';
    await gql(
      stack.gatewayUrl,
      'query($n: ID!) { child(nhsNumber: $n) { health { name camhs { concern } } } }',
      { n: child.nhsNumber },
      headers(await stack.tokenFor(lcpp), PURPOSE_FOR_STAGE[child.socialCare!.stage!]!),
    );
  }
}, 180_000);
afterAll(async () => stack?.stopAll());

const DAY = 86_400_000;
const today = () => new Date().toISOString().slice(0, 10);
const daysAgo = (n: number) => new Date(Date.now() - n * DAY).toISOString().slice(0, 10);
const FIGURES = `query($la: String!, $from: String!, $to: String!) { partnershipFigures(la: $la, from: $from, to: $to) {
  la from to unavailable periods { start end weeks } tables { name source partition rows { key weeks periods total suppressedPeriods } } } }`;

interface Row {
  key: string;
  weeks: string[];
  periods: string[];
  total: number;
  suppressedPeriods: number;
}
interface Figures {
  la: string;
  from: string;
  to: string;
  unavailable: string[];
  periods: { start: string; end: string; weeks: string[] }[];
  tables: { name: string; source: string; partition: boolean; rows: Row[] }[];
}

async function figures(who: string, la: string, from: string, to: string, purpose = 'IG_AUDIT') {
  const response = await fetch(stack.gatewayUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers(await stack.tokenFor(who), purpose) },
    body: JSON.stringify({ query: FIGURES, variables: { la, from, to } }),
  });
  const body = (await response.json()) as Omit<GraphQLResult<{ partnershipFigures: Figures }>, 'status'>;
  return { ...body, requestId: response.headers.get('x-request-id') };
}

async function recordOf(requestId: string | null, userId: string) {
  const page = await gql(
    stack.gatewayUrl,
    `query($u: ID) { disclosures(first: 50, filter: { userId: $u }) { records { requestId kind outcome reason } } }`,
    { u: userId },
    headers(await stack.tokenFor('ig-social-care'), 'IG_AUDIT'),
  );
  return page.data.disclosures.records.find((r: { requestId: string }) => r.requestId === requestId);
}

/** Every cell shown: no count of 1 to 4 may appear anywhere. */
const shownSmall = (f: Figures) =>
  f.tables.flatMap((t) =>
    t.rows.flatMap((r) =>
      [...r.weeks, ...r.periods].filter((v) => /^[1-4]$/.test(v)).map((v) => `${t.name}.${r.key}=${v}`),
    ),
  );

/** Lines (a row over a period's weeks and the period; for a partition, a week or period column over its rows) left with exactly one "<5". */
function loneSuppressions(f: Figures): string[] {
  const out: string[] = [];
  for (const t of f.tables)
    f.periods.forEach((p, i) => {
      const cells = t.rows.map((r) => [...r.weeks.slice(i * 4, i * 4 + 4), r.periods[i]!]);
      cells.forEach((line, k) => {
        if (line.filter((v) => v === '<5').length === 1) out.push(`${t.name} row ${t.rows[k]!.key} in ${p.start}`);
      });
      if (t.partition)
        for (let c = 0; c < 5; c++)
          if (cells.filter((line) => line[c] === '<5').length === 1) out.push(`${t.name} column ${c} in ${p.start}`);
    });
  return out;
}

describe('partnership figures for an LA', () => {
  it("shows the board its LA's counts, agreeing with social care's records where shown, and no number under 5", async () => {
    const result = await figures('board-leicester', 'LEICESTER', daysAgo(60), today());
    expect(result.errors).toBeUndefined();
    const f = result.data!.partnershipFigures;
    expect(f.unavailable).toEqual([]);
    expect(f.periods.length).toBeGreaterThanOrEqual(3);
    expect(f.tables.map((t) => t.name)).toEqual(
      expect.arrayContaining([
        'activity',
        'ageBand',
        'sex',
        'ethnicity',
        'requests',
        'withheldByRule',
        'breakGlass',
        'notifications',
      ]),
    );
    expect(shownSmall(f)).toEqual([]);
    expect(loneSuppressions(f)).toEqual([]);
    // The synthetic world's strategy discussions in Leicester, per period: each value shown is exact.
    const activity = f.tables.find((t) => t.name === 'activity')!.rows.find((r) => r.key === 'STRATEGY_DISCUSSIONS')!;
    const dates = children
      .filter((c) => householdOf(c).la === 'LEICESTER')
      .flatMap((c) => c.socialCare?.strategyDiscussions.map((s) => s.date) ?? []);
    f.periods.forEach((p, i) => {
      const truth = dates.filter((d) => d >= p.start && d <= p.end).length;
      const shown = activity.periods[i]!;
      if (shown === '<5') expect(truth).toBeGreaterThan(0);
      else expect(Number(shown)).toBe(truth);
    });
    expect(activity.total).toBe(activity.periods.filter((v) => v !== '<5').reduce((a, v) => a + Number(v), 0));
    // The requests made above are counted: LCPPs of social care, for purposes their cases support.
    const requests = f.tables.find((t) => t.name === 'requests')!;
    expect(requests.rows.find((r) => r.key === 'TOTAL')!.periods.some((v) => v === '<5' || Number(v) >= 5)).toBe(true);
  });

  it('cannot be differenced: narrowing or shifting the range changes no cell, and totals differ only by cells shown', async () => {
    const wide = (await figures('board-leicester', 'LEICESTER', daysAgo(60), today())).data!.partnershipFigures;
    const [first, ...rest] = wide.periods;
    const narrow = (await figures('board-leicester', 'LEICESTER', rest[0]!.start, today())).data!.partnershipFigures;
    // A range starting mid-period covers the whole period: the same cells as any other request.
    const midFirst = new Date(Date.parse(first!.start) + 3 * DAY).toISOString().slice(0, 10);
    const shifted = (await figures('board-leicester', 'LEICESTER', midFirst, today())).data!.partnershipFigures;
    expect(shifted.periods).toEqual(wide.periods);
    expect(shifted.tables.filter((t) => t.source !== 'disclosure log')).toEqual(
      wide.tables.filter((t) => t.source !== 'disclosure log'),
    );
    for (const t of wide.tables.filter((t) => t.source === 'social care')) {
      const n = narrow.tables.find((x) => x.name === t.name)!;
      for (const r of t.rows) {
        const m = n.rows.find((x) => x.key === r.key);
        // The periods both cover are shown identically.
        expect(m?.periods ?? rest.map(() => '0')).toEqual(r.periods.slice(1));
        // wide − narrow is exactly the first period's value as shown: a suppressed one adds nothing.
        const firstShown = r.periods[0] === '<5' ? 0 : Number(r.periods[0]);
        expect(r.total - (m?.total ?? 0)).toBe(firstShown);
      }
    }
    expect(first).toBeDefined();
  });

  it("is for the LA's LCPP and board only: another LA, a social worker and child records are refused, each on the record", async () => {
    const other = await figures('board-leicester', 'RUTLAND', daysAgo(30), today());
    expect(other.data).toBeNull();
    expect(other.errors![0]!.extensions).toMatchObject({ code: 'FORBIDDEN_BY_POLICY', rule: 'FIGURES_OWN_LA_ONLY' });
    expect(await recordOf(other.requestId, 'board-leicester')).toMatchObject({
      kind: 'REFUSAL',
      reason: 'FORBIDDEN_BY_POLICY',
    });
    const worker = MACPT_TEAMS.LEICESTER.find((w) => w.role === 'SOCIAL_WORKER')!.id;
    const sw = await figures(worker, 'LEICESTER', daysAgo(30), today());
    expect(sw.errors![0]!.extensions!.rule).toBe('FIGURES_LCPP_AND_BOARD_ONLY');
    const lcpp = await figures('lcpp-leicester', 'LEICESTER', daysAgo(30), today());
    expect(lcpp.errors).toBeUndefined();
    expect(await recordOf(lcpp.requestId, 'lcpp-leicester')).toMatchObject({ kind: 'IG_QUERY', outcome: 'DISCLOSED' });
    const child = children.find((c) => c.socialCare?.caseId && householdOf(c).la === 'LEICESTER')!;
    const records = await gql(
      stack.gatewayUrl,
      'query($n: ID!) { child(nhsNumber: $n) { nhsNumber } }',
      { n: child.nhsNumber },
      headers(await stack.tokenFor('board-leicester'), 'CP_PLAN_REVIEW'),
    );
    expect(records.data?.child ?? null).toBeNull();
    expect(records.errors![0]!.extensions!.rule).toBe('PARTNERSHIP_BOARD_AGGREGATES_ONLY');
    const bad = await figures('board-leicester', 'LEICESTER', '2026-13-01', today());
    expect(bad.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
  });

  it('downloads as CSV, suppressed the same way, and refuses another LA', async () => {
    const h = headers(await stack.tokenFor('board-leicester'), 'IG_AUDIT');
    const url = (la: string) =>
      `${stack.gatewayUrl.replace(/graphql$/, '')}figures.csv?la=${la}&from=${daysAgo(30)}&to=${today()}`;
    const ok = await fetch(url('LEICESTER'), { headers: h });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toMatch(/text\/csv/);
    const lines = (await ok.text()).trim().split('\n');
    expect(lines[0]).toBe('table,row,period_start,week_start,value');
    expect(lines.filter((l) => /,[1-4]$/.test(l))).toEqual([]);
    expect(lines.some((l) => l.startsWith('activity,STRATEGY_DISCUSSIONS,'))).toBe(true);
    const refused = await fetch(url('RUTLAND'), { headers: h });
    expect(refused.status).toBe(403);
  });

  it("says social care's counts are missing while it does not answer, rather than showing zeros", async () => {
    proxy.setMode({ kind: 'reset' });
    try {
      const f = (await figures('board-leicester', 'LEICESTER', daysAgo(30), today())).data!.partnershipFigures;
      expect(f.unavailable).toEqual(['social-care']);
      expect(f.tables.some((t) => t.source === 'social care')).toBe(false);
      expect(f.tables.some((t) => t.name === 'requests')).toBe(true);
    } finally {
      proxy.setMode({ kind: 'pass' });
    }
  });
});
