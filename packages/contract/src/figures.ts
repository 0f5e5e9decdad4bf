// The `POST /figures` contract: an agency's own counts for an LA's partnership figures, per ISO week
// (counts only: never a child's identifier). The gateway suppresses small numbers before anyone sees them.

/** What the gateway asks: an LA and whole weeks, `from` a Monday and `to` a Sunday. */
export interface FiguresRequest {
  la: string;
  from: string;
  to: string;
}

/** Counts per table and key, for one week (its Monday). */
export interface WeekCounts {
  week: string;
  tables: Record<string, Record<string, number>>;
}

/**
 * A table an agency's counts fill, as the agency declares it (the gateway knows no agency's tables): its
 * name in the counts, its title, whether its rows partition one count (a protected total row is shown),
 * and the rows always shown, in order.
 */
export interface FigureTableSpec {
  name: string;
  title: string;
  partition: boolean;
  keys: readonly string[];
}

/** One agency's answer. */
export interface FiguresResponse {
  agency: string;
  weeks: WeekCounts[];
  /** The tables its counts fill that it declares itself (the founding agency's are the gateway's own). */
  tables?: FigureTableSpec[];
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Reads a `/figures` request body, or says what was wrong with it. */
export function parseFiguresRequest(body: unknown): FiguresRequest | string {
  const { la, from, to } = (body ?? {}) as Record<string, unknown>;
  if (typeof la !== 'string' || la.length > 40)
    return 'expected {"la": "...", "from": "YYYY-MM-DD", "to": "YYYY-MM-DD"}';
  if (typeof from !== 'string' || !DATE.test(from) || typeof to !== 'string' || !DATE.test(to) || from > to)
    return '"from" and "to" must be dates as YYYY-MM-DD, from not after to';
  return { la, from, to };
}

/** The Monday of the ISO week a date (YYYY-MM-DD) falls in. */
export function weekOf(date: string): string {
  const t = Date.parse(`${date.slice(0, 10)}T00:00:00Z`);
  const day = (new Date(t).getUTCDay() + 6) % 7; // Monday 0 … Sunday 6
  return new Date(t - day * 86_400_000).toISOString().slice(0, 10);
}

/** Counts events into weeks and tables for a `/figures` answer: `count` each event, then `weeks()` in order. */
export function weekTally() {
  const weeks = new Map<string, WeekCounts>();
  return {
    count(date: string, table: string, key: string): void {
      const week = weekOf(date);
      let w = weeks.get(week);
      if (!w) weeks.set(week, (w = { week, tables: {} }));
      const t = (w.tables[table] ??= {});
      t[key] = (t[key] ?? 0) + 1;
    },
    weeks: (): WeekCounts[] => [...weeks.values()].sort((a, b) => a.week.localeCompare(b.week)),
  };
}
