import type { FigureTableSpec, WeekCounts } from '@macpt/contract';
import { SHARING_DECISION_REASONS } from '@macpt/policies';
import type { Period } from './periods.js';
import { suppressTable, type Cell } from './suppress.js';

/** A table of the partnership figures: which counts it holds and whether its rows add up to a total. */
interface TableSpec {
  name: string;
  title: string;
  /** Where the counts come from: an agency's own counts (whichever agency sends the table), the log, the inbox. */
  source: 'agency' | 'disclosure log' | 'notifications';
  /** The rows partition one count (each event in one row): a total row is shown, and protected too. */
  partition: boolean;
  /** Rows always shown, in this order (others follow as they occur). */
  keys: readonly string[];
}

/**
 * The gateway's own tables (from the disclosure log and the inbox), in the order the figures present them,
 * after the tables each agency declares with its counts.
 */
export const TABLES: readonly TableSpec[] = [
  {
    name: 'requests',
    title: 'Requests by agency and purpose of use',
    source: 'disclosure log',
    partition: true,
    keys: [],
  },
  { name: 'withheldByRule', title: 'Fields withheld, by rule', source: 'disclosure log', partition: true, keys: [] },
  {
    name: 'decisionsByReason',
    title: 'Decisions not to share recorded, by reason',
    source: 'disclosure log',
    partition: true,
    keys: SHARING_DECISION_REASONS,
  },
  {
    name: 'breakGlass',
    title: 'Break-glass uses, by how soon IG reviewed them',
    source: 'disclosure log',
    partition: true,
    keys: ['REVIEWED_WITHIN_24H', 'REVIEWED_WITHIN_72H', 'REVIEWED_LATER', 'AWAITING_REVIEW'],
  },
  {
    name: 'agencyUnavailable',
    title: 'Requests an agency did not answer, by agency',
    source: 'disclosure log',
    partition: false,
    keys: [],
  },
  {
    name: 'notifications',
    title: 'Notifications delivered, by how they were acknowledged',
    source: 'notifications',
    partition: true,
    keys: ['ACKNOWLEDGED_BY_DUE_TIME', 'ACKNOWLEDGED_LATE', 'NOT_ACKNOWLEDGED_OVERDUE', 'NOT_YET_DUE'],
  },
];

/** One row of a table over the periods asked for: each week's cell, each period's, and the total of what is shown. */
export interface FiguresRow {
  key: string;
  weeks: string[];
  periods: string[];
  /** The sum of the period cells shown: suppressed ones are never added in, so no range can be subtracted from another to reveal them. */
  total: number;
  suppressedPeriods: number;
}

export interface FiguresTable extends Omit<TableSpec, 'keys' | 'source'> {
  /** Where its counts come from, in words: the agency that sent them ("social care"), the disclosure log, notifications. */
  source: string;
  rows: FiguresRow[];
}

const show = (c: Cell) => String(c);

/**
 * Builds the tables for whole periods from weekly counts, suppressing small numbers per table and
 * period. Each period's table depends on that period's counts alone, so every request that covers a
 * period shows it identically: no two requests can be compared to undo a suppression.
 */
export function buildTables(
  periods: readonly Period[],
  counts: readonly WeekCounts[],
  sources: ReadonlySet<string>,
  /** Which agency sent each of the agencies' tables (absent: no agency answered with it). */
  agencyOf: ReadonlyMap<string, string> = new Map(),
  /** Tables agencies declared themselves (after the gateway's own, in the order they came). */
  declared: readonly FigureTableSpec[] = [],
): FiguresTable[] {
  const byWeek = new Map<string, WeekCounts['tables']>();
  for (const w of counts) {
    const tables = byWeek.get(w.week) ?? {};
    for (const [name, cells] of Object.entries(w.tables)) {
      const t = (tables[name] ??= {});
      for (const [k, n] of Object.entries(cells)) t[k] = (t[k] ?? 0) + n;
    }
    byWeek.set(w.week, tables);
  }
  const shown = (spec: TableSpec) => (spec.source === 'agency' ? agencyOf.has(spec.name) : sources.has(spec.source));
  // An agency's tables name it in words ("social care"), as the log's and the inbox's name theirs.
  const sourceOf = (spec: TableSpec) =>
    spec.source === 'agency' ? agencyOf.get(spec.name)!.replace(/-/g, ' ') : spec.source;
  const own = new Set(TABLES.map((t) => t.name));
  const specs = [
    ...declared
      .filter((d) => !own.has(d.name))
      .map(
        (d): TableSpec => ({ name: d.name, title: d.title, source: 'agency', partition: d.partition, keys: d.keys }),
      ),
    ...TABLES,
  ];
  return specs.filter(shown).map((spec) => {
    const rows = new Map<string, FiguresRow>();
    const row = (key: string) => {
      let r = rows.get(key);
      if (!r) rows.set(key, (r = { key, weeks: [], periods: [], total: 0, suppressedPeriods: 0 }));
      return r;
    };
    periods.forEach((period, p) => {
      const cell = (week: string, key: string) => byWeek.get(week)?.[spec.name]?.[key] ?? 0;
      const seen = new Set(period.weeks.flatMap((w) => Object.keys(byWeek.get(w)?.[spec.name] ?? {})));
      const keys = [...spec.keys, ...[...seen].filter((k) => !spec.keys.includes(k)).sort()];
      const table = suppressTable(
        keys.map((k) => period.weeks.map((w) => cell(w, k))),
        spec.partition,
        period.weeks.length,
      );
      const lines: [string, Cell[], Cell][] = keys.map((k, i) => [k, table.cells[i]!, table.margin[i]!]);
      if (table.totals) lines.push(['TOTAL', table.totals, table.grand!]);
      for (const [key, weeks, margin] of lines) {
        const r = row(key);
        // A row that first appears in a later period was zero in the earlier ones.
        while (r.periods.length < p) {
          r.periods.push('0');
          r.weeks.push('0', '0', '0', '0');
        }
        r.weeks.push(...weeks.map(show));
        r.periods.push(show(margin));
        if (margin === '<5') r.suppressedPeriods++;
        else r.total += margin;
      }
    });
    for (const r of rows.values())
      while (r.periods.length < periods.length) {
        r.periods.push('0');
        r.weeks.push('0', '0', '0', '0');
      }
    const ordered = [...rows.values()].sort((a, b) => +(a.key === 'TOTAL') - +(b.key === 'TOTAL'));
    return { name: spec.name, title: spec.title, source: sourceOf(spec), partition: spec.partition, rows: ordered };
  });
}

/** The figures as CSV: one line per table, row, period and week, values as shown ("<5" where suppressed). */
export function figuresCsv(periods: readonly Period[], tables: readonly FiguresTable[]): string {
  const quote = (v: string) => (/[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
  const lines = ['table,row,period_start,week_start,value'];
  for (const t of tables)
    for (const r of t.rows)
      periods.forEach((p, i) => {
        p.weeks.forEach((w, j) => lines.push([t.name, r.key, p.start, w, r.weeks[i * 4 + j]!].map(quote).join(',')));
        lines.push([t.name, r.key, p.start, 'PERIOD', r.periods[i]!].map(quote).join(','));
      });
  return `${lines.join('\n')}\n`;
}
