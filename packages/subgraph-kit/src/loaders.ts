import DataLoader from 'dataloader';
import { groupByKey, oneByKey } from './store.js';

/** A per-request loader of the rows each key owns (one batched statement per tick), in key order. */
export function listLoader<Row>(
  run: (keys: readonly string[]) => Row[],
  keyOf: (row: Row) => string,
): DataLoader<string, Row[]> {
  return new DataLoader<string, Row[]>(async (keys) => groupByKey(keys, run(keys), keyOf));
}

/** A per-request loader of the one row per key, or null where the agency holds none (absence is an answer, not an error). */
export function rowLoader<Row>(
  run: (keys: readonly string[]) => Row[],
  keyOf: (row: Row) => string,
): DataLoader<string, Row | null> {
  return new DataLoader<string, Row | null>(async (keys) => oneByKey(keys, run(keys), keyOf));
}

/** The first date (YYYY-MM-DD) inside a `sinceDays` window, or '' for no window. */
export function sinceDate(days: number | null | undefined, now = Date.now()): string {
  return days == null ? '' : new Date(now - days * 86_400_000).toISOString().slice(0, 10);
}
