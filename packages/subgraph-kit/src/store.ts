import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';

/**
 * An agency's own embedded SQL store (SQLite). Every statement is prepared once and counted, so
 * tests can prove that a batch of N children costs one query per table, whatever N.
 */
export class SqlStore {
  readonly db: Database.Database;
  private executed = 0;

  constructor(file: string, options: { readonly?: boolean } = {}) {
    if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
    this.db = new Database(file, { readonly: options.readonly ?? false, fileMustExist: options.readonly ?? false });
    if (!options.readonly) {
      this.db.pragma('journal_mode = WAL');
      this.db.pragma('synchronous = NORMAL');
    }
    this.db.pragma('cache_size = -65536');
    // Read through a memory map (up to 2 GiB) rather than a read() per page: a caseload's children are
    // scattered over a large store, and at 900,000 children the page cache alone misses often.
    this.db.pragma('mmap_size = 2147483648');
    if (!options.readonly)
      this.db.exec('CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID');
  }

  /** A value recorded about the store itself (e.g. the world it was seeded from). */
  getMeta(key: string): string | null {
    const row = this.db.prepare('SELECT value FROM meta WHERE key = ?').get(key) as { value: string } | undefined;
    return row?.value ?? null;
  }

  setMeta(key: string, value: string): void {
    this.db.prepare('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)').run(key, value);
  }

  /** How many statements have run since the store opened. */
  get statementsRun(): number {
    return this.executed;
  }

  /** Prepares a query once; the function returned runs it. */
  query<Row>(sql: string): (...params: unknown[]) => Row[] {
    const statement = this.db.prepare(sql);
    return (...params) => {
      this.executed++;
      return statement.all(...params) as Row[];
    };
  }

  /**
   * Prepares a batched lookup: the SQL names the keys as `(SELECT value FROM json_each(?))`, so
   * any number of keys is one statement (no per-size statement cache, no parameter limit).
   */
  batch<Row>(sql: string): (keys: readonly string[]) => Row[] {
    const run = this.query<Row>(sql);
    return (keys) => run(JSON.stringify(keys));
  }

  close(): void {
    this.db.close();
  }
}

/** Groups rows by key, returning one array per key in the keys' order (the DataLoader contract). */
export function groupByKey<Row>(keys: readonly string[], rows: readonly Row[], keyOf: (row: Row) => string): Row[][] {
  const groups = new Map<string, Row[]>();
  for (const row of rows) {
    const key = keyOf(row);
    const list = groups.get(key);
    if (list) list.push(row);
    else groups.set(key, [row]);
  }
  return keys.map((key) => groups.get(key) ?? []);
}

/** One row (or null) per key in the keys' order, for one-to-one tables. */
export function oneByKey<Row>(
  keys: readonly string[],
  rows: readonly Row[],
  keyOf: (row: Row) => string,
): (Row | null)[] {
  const byKey = new Map<string, Row>();
  for (const row of rows) byKey.set(keyOf(row), row);
  return keys.map((key) => byKey.get(key) ?? null);
}
