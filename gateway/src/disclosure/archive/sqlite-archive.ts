import { existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';
import type { AnyStoredRecord, FieldSet } from '../record.js';
import type { Segment } from '../segment.js';
import { storedIndexKeys } from '../store.js';
import type { ArchivedSegment, DisclosureArchive, LegalHold } from './archive.js';
import { alreadySealed, ARCHIVE_TABLES, doesNotFollow, fromRow, segmentRow, type SegmentRow } from './schema.js';
import type { PutAnswer, PutRequest } from './sqlite-writer.js';

/** The writer thread's module, when this one runs compiled (tests on the sources put inline). */
const WRITER = fileURLToPath(new URL('./sqlite-writer.js', import.meta.url));
/** How long a write on the gateway's own connection (a legal hold, retention) retries while the writer thread holds the lock. */
const BUSY_RETRY_MS = 10_000;
/**
 * The archive's tables as SQLite keeps them: the index keys and the field sets, looked up by their primary
 * key alone, are stored in it (WITHOUT ROWID), one B-tree each rather than a table and an index to write.
 */
const SQLITE_TABLES = ARCHIVE_TABLES.map((ddl) =>
  /^CREATE TABLE IF NOT EXISTS (record_keys|field_sets) /.test(ddl) ? `${ddl} WITHOUT ROWID` : ddl,
);
/** Records handed to the writer thread per turn of the event loop. */
const HAND_OVER = 1000;

/**
 * The embedded archive: one SQLite file (default `data/disclosure-archive.sqlite`), in WAL mode so several
 * gateway processes on one machine share it (one writer at a time, each put one transaction) and readers
 * never wait for the mover. `synchronous = FULL`: a committed segment survives power loss, since only
 * then is it trimmed from Redis. Segments are put by a writer thread on its own connection (`writer:
 * 'thread'`, the default for a file), so a put never stalls the gateway's event loop; the other writes
 * (legal holds, retention) are rare and small, and wait their turn asynchronously.
 */
export class SqliteArchive implements DisclosureArchive {
  readonly kind = 'sqlite' as const;
  private readonly db: Database.Database;
  private readonly statements;
  private readonly putRecords: RowsInsert;
  private readonly putKeys: RowsInsert;
  private writer: { worker: Worker; next: number; waiting: Map<number, (a: PutAnswer) => void> } | null = null;
  private readonly threaded: boolean;
  /** The put being handed over to the writer thread (the next waits for it). */
  private handingOver: Promise<void> = Promise.resolve();

  constructor(
    readonly where: string,
    options: { writer?: 'thread' | 'inline'; waitForLock?: boolean } = {},
  ) {
    this.threaded = (options.writer ?? 'thread') === 'thread' && where !== ':memory:' && existsSync(WRITER);
    if (where !== ':memory:') mkdirSync(dirname(where), { recursive: true });
    // Opening waits for the lock (several gateways started at once all create the tables); after that a
    // write on the gateway's own connection never blocks its event loop (`whenFree` retries instead), while
    // the writer thread, which blocks nothing but itself, waits for the lock.
    this.db = new Database(where, { timeout: BUSY_RETRY_MS });
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.pragma('cache_size = -65536');
    this.db.exec(SQLITE_TABLES.join(';\n'));
    this.db.pragma(`busy_timeout = ${options.waitForLock ? BUSY_RETRY_MS : 0}`);
    const db = this.db;
    this.statements = {
      last: db.prepare('SELECT * FROM segments ORDER BY n DESC LIMIT 1'),
      segment: db.prepare('SELECT * FROM segments WHERE n = ?'),
      segments: db.prepare('SELECT * FROM segments WHERE n > ? ORDER BY n LIMIT ?'),
      holding: db.prepare('SELECT * FROM segments WHERE first_seq <= ? ORDER BY n DESC LIMIT 1'),
      putSegment: db.prepare(
        `INSERT INTO segments (n, first_seq, last_seq, count, first_time, last_time, root, prev_root, head, last_hash,
           prev_hash, sealed_at, kid, signature) VALUES (@n, @first_seq, @last_seq, @count, @first_time, @last_time,
           @root, @prev_root, @head, @last_hash, @prev_hash, @sealed_at, @kid, @signature)`,
      ),
      putSet: db.prepare('INSERT OR IGNORE INTO field_sets (id, json) VALUES (?, ?)'),
      range: db.prepare('SELECT json FROM records WHERE seq BETWEEN ? AND ? ORDER BY seq'),
      bySeq: db.prepare('SELECT json FROM records WHERE seq = ?'),
      seqOf: db.prepare('SELECT seq FROM records WHERE id = ?'),
      under: db.prepare('SELECT seq FROM record_keys WHERE key = ? AND seq < ? AND seq >= ? ORDER BY seq DESC LIMIT ?'),
      latest: db.prepare('SELECT json FROM records WHERE seq < ? AND seq >= ? ORDER BY seq DESC LIMIT ?'),
      fromTime: db.prepare('SELECT seq FROM records WHERE time >= ? ORDER BY time, seq LIMIT 1'),
      toTime: db.prepare('SELECT seq FROM records WHERE time <= ? ORDER BY time DESC, seq DESC LIMIT 1'),
      set: db.prepare('SELECT json FROM field_sets WHERE id = ?'),
      setsAfter: db.prepare('SELECT id, json FROM field_sets WHERE id > ? ORDER BY id LIMIT ?'),
      holds: db.prepare('SELECT nhs_number, reason, by_whom, at FROM legal_holds ORDER BY nhs_number'),
      hold: db.prepare('INSERT OR REPLACE INTO legal_holds (nhs_number, reason, by_whom, at) VALUES (?, ?, ?, ?)'),
      release: db.prepare('DELETE FROM legal_holds WHERE nhs_number = ?'),
      dropRecord: db.prepare('DELETE FROM records WHERE seq = ?'),
      dropKey: db.prepare('DELETE FROM record_keys WHERE key = ? AND seq = ?'),
      keepProof: db.prepare('INSERT OR REPLACE INTO kept_proofs (seq, proof) VALUES (?, ?)'),
      keptProof: db.prepare('SELECT proof FROM kept_proofs WHERE seq = ?'),
      markExpired: db.prepare('UPDATE segments SET expired_at = ?, expired = ? WHERE n = ?'),
    };
    this.putRecords = new RowsInsert(db, 'INSERT INTO records (seq, segment, id, time, json)', 5);
    this.putKeys = new RowsInsert(db, 'INSERT OR IGNORE INTO record_keys (key, seq)', 2);
  }

  async last(): Promise<ArchivedSegment | null> {
    const row = this.statements.last.get() as SegmentRow | undefined;
    return row ? fromRow(row) : null;
  }

  async segments(after: number, limit: number): Promise<ArchivedSegment[]> {
    return (this.statements.segments.all(after, limit) as SegmentRow[]).map(fromRow);
  }

  async segmentHolding(seq: number): Promise<ArchivedSegment | null> {
    const row = this.statements.holding.get(seq) as SegmentRow | undefined;
    return row && Number(row.last_seq) >= seq ? fromRow(row) : null;
  }

  async put(
    segment: Segment,
    records: readonly AnyStoredRecord[],
    sets: ReadonlyMap<string, FieldSet>,
  ): Promise<'stored' | 'present'> {
    if (this.threaded) return this.putOnWriter(segment, records, sets);
    return this.putRows(segment, this.rowsOf(segment.n, records, sets), [...sets]);
  }

  /** Records of segment n as the tables take them: each record's row, and its index keys' rows. */
  private rowsOf(n: number, records: readonly AnyStoredRecord[], sets: ReadonlyMap<string, FieldSet>): SegmentRows {
    const part = (id: string) => sets.get(id) ?? this.partNow(id);
    const out: SegmentRows = { records: [], keys: [] };
    for (const record of records) {
      out.records.push(record.seq, n, record.id, record.time, JSON.stringify(record));
      for (const key of storedIndexKeys(record, part)) out.keys.push(key, record.seq);
    }
    return out;
  }

  /** Puts a segment, given as rows, in one transaction; 'present' when the same segment is already there. */
  putRows(segment: Segment, rows: SegmentRows, sets: readonly [string, FieldSet][]): 'stored' | 'present' {
    const s = this.statements;
    const run = this.db.transaction((): 'stored' | 'present' => {
      const there = s.segment.get(segment.n) as SegmentRow | undefined;
      if (there) {
        if (there.root === segment.root && there.last_seq === segment.lastSeq) return 'present';
        // The shorter of the two segments' last record, as the other holds it.
        const thereLast = Number(there.last_seq);
        const agrees =
          thereLast > segment.lastSeq
            ? hashIn((s.bySeq.get(segment.lastSeq) as { json: string } | undefined)?.json) === segment.lastHash
            : hashIn(rows.records[(thereLast - segment.firstSeq) * ROW_VALUES + 4] as string | undefined) ===
              there.last_hash;
        throw new Error(alreadySealed(segment, there, agrees));
      }
      const gap = doesNotFollow(segment, s.segment.get(segment.n - 1) as SegmentRow | undefined);
      if (gap) throw new Error(gap);
      s.putSegment.run(segmentRow(segment));
      for (const [id, set] of sets) s.putSet.run(id, JSON.stringify(set));
      this.putRecords.run(rows.records);
      this.putKeys.run(rows.keys);
      return 'stored';
    });
    // IMMEDIATE: take the write lock before reading, so two gateways sealing at once serialise here.
    return run.immediate();
  }

  /**
   * Puts a segment on the writer thread. The records are turned into rows here, a few hundred per turn of
   * the event loop, and handed over as plain values (cheap to copy); the thread writes them.
   */
  private async putOnWriter(
    segment: Segment,
    records: readonly AnyStoredRecord[],
    sets: ReadonlyMap<string, FieldSet>,
  ): Promise<'stored' | 'present'> {
    if (!this.writer) {
      const worker = new Worker(WRITER, { workerData: { where: this.where } });
      const waiting = new Map<number, (a: PutAnswer) => void>();
      worker.on('message', (answer: PutAnswer) => {
        waiting.get(answer.id)?.(answer);
        waiting.delete(answer.id);
      });
      // A writer that dies fails what it was asked (the mover tries again, on a new writer).
      worker.on('error', (error) => {
        for (const done of waiting.values()) done({ id: -1, error: `archive writer failed: ${error.message}` });
        waiting.clear();
        if (this.writer?.worker === worker) this.writer = null;
      });
      worker.unref();
      this.writer = { worker, next: 0, waiting };
    }
    const writer = this.writer;
    const id = writer.next++;
    const answer = new Promise<PutAnswer>((resolve) => writer.waiting.set(id, resolve));
    // Handed over one put after another: the thread then writes them in the order asked.
    const before = this.handingOver;
    let handed = () => {};
    this.handingOver = new Promise<void>((resolve) => (handed = resolve));
    await before;
    try {
      for (let i = 0; i < records.length; i += HAND_OVER) {
        const part = this.rowsOf(segment.n, records.slice(i, i + HAND_OVER), sets);
        writer.worker.postMessage({ id, part } satisfies PutRequest);
        await new Promise((r) => setImmediate(r));
      }
      writer.worker.postMessage({ id, segment, sets: [...sets] } satisfies PutRequest);
    } finally {
      handed();
    }
    const answered = await answer;
    if ('error' in answered) throw new Error(answered.error);
    return answered.result;
  }

  /** Runs a write on this connection, waiting (without blocking) while the writer thread holds the lock. */
  private async whenFree<T>(write: () => T): Promise<T> {
    const until = Date.now() + BUSY_RETRY_MS;
    for (;;) {
      try {
        return write();
      } catch (error) {
        if ((error as { code?: string }).code !== 'SQLITE_BUSY' || Date.now() > until) throw error;
        await new Promise((r) => setTimeout(r, 20));
      }
    }
  }

  async range(from: number, to: number): Promise<AnyStoredRecord[]> {
    return (this.statements.range.all(from, to) as { json: string }[]).map(parse);
  }

  async bySeqs(seqs: readonly number[]): Promise<AnyStoredRecord[]> {
    const out: AnyStoredRecord[] = [];
    for (const seq of seqs) {
      const row = this.statements.bySeq.get(seq) as { json: string } | undefined;
      if (row) out.push(parse(row));
    }
    return out;
  }

  async seqOf(id: string): Promise<number | null> {
    return (this.statements.seqOf.get(id) as { seq: number } | undefined)?.seq ?? null;
  }

  async seqsUnder(key: string, before: number, atLeast: number, limit: number): Promise<number[]> {
    return (this.statements.under.all(key, before, atLeast, limit) as { seq: number }[]).map((r) => r.seq);
  }

  async latest(before: number, atLeast: number, limit: number): Promise<AnyStoredRecord[]> {
    return (this.statements.latest.all(before, atLeast, limit) as { json: string }[]).map(parse);
  }

  async seqAtTime(time: string, side: 'from' | 'to'): Promise<number | null> {
    const statement = side === 'from' ? this.statements.fromTime : this.statements.toTime;
    return (statement.get(time) as { seq: number } | undefined)?.seq ?? null;
  }

  async sets(ids: readonly string[]): Promise<Map<string, FieldSet>> {
    const out = new Map<string, FieldSet>();
    for (const id of ids) {
      const row = this.statements.set.get(id) as { json: string } | undefined;
      if (row) out.set(id, JSON.parse(row.json) as FieldSet);
    }
    return out;
  }

  async setsAfter(after: string, limit: number): Promise<[string, FieldSet][]> {
    return (this.statements.setsAfter.all(after, limit) as { id: string; json: string }[]).map((r) => [
      r.id,
      JSON.parse(r.json) as FieldSet,
    ]);
  }

  async holds(): Promise<LegalHold[]> {
    return (this.statements.holds.all() as { nhs_number: string; reason: string; by_whom: string; at: string }[]).map(
      (r) => ({ nhsNumber: r.nhs_number, reason: r.reason, by: r.by_whom, at: r.at }),
    );
  }

  async hold(hold: LegalHold): Promise<void> {
    await this.whenFree(() => this.statements.hold.run(hold.nhsNumber, hold.reason, hold.by, hold.at));
  }

  async release(nhsNumber: string): Promise<boolean> {
    return (await this.whenFree(() => this.statements.release.run(nhsNumber))).changes > 0;
  }

  async expire(
    n: number,
    keep: (record: AnyStoredRecord, held: ReadonlySet<string>) => boolean,
    proofOf: (seq: number) => string[],
  ): Promise<number> {
    const s = this.statements;
    // The segment is read inside the write transaction: another process expiring it at the same time then
    // finds it expired, rather than re-marking it with a count of 0 from the records it left.
    const run = this.db.transaction(() => {
      const segment = s.segment.get(n) as SegmentRow | undefined;
      if (!segment || segment.expired_at) return 0;
      // Under the write lock (IMMEDIATE): a hold placed meanwhile waits for this transaction.
      const held = new Set((s.holds.all() as { nhs_number: string }[]).map((h) => h.nhs_number));
      const records = (s.range.all(Number(segment.first_seq), Number(segment.last_seq)) as { json: string }[]).map(
        parse,
      );
      let removed = 0;
      for (const record of records) {
        if (keep(record, held)) {
          s.keepProof.run(record.seq, JSON.stringify(proofOf(record.seq)));
          continue;
        }
        for (const key of storedIndexKeys(record, (id) => this.partNow(id))) s.dropKey.run(key, record.seq);
        s.dropRecord.run(record.seq);
        removed++;
      }
      s.markExpired.run(new Date().toISOString(), removed, n);
      return removed;
    });
    return this.whenFree(() => run.immediate());
  }

  /** An interned part, read at once (inside a transaction). */
  private partNow(id: string): FieldSet | undefined {
    const row = this.statements.set.get(id) as { json: string } | undefined;
    return row ? (JSON.parse(row.json) as FieldSet) : undefined;
  }

  async keptProof(seq: number): Promise<string[] | null> {
    const row = this.statements.keptProof.get(seq) as { proof: string } | undefined;
    return row ? (JSON.parse(row.proof) as string[]) : null;
  }

  async close(): Promise<void> {
    const writer = this.writer;
    this.writer = null;
    if (writer) {
      await writer.worker.terminate();
      for (const done of writer.waiting.values()) done({ id: -1, error: 'disclosure archive closed' });
    }
    this.db.close();
  }
}

function parse(row: { json: string }): AnyStoredRecord {
  return JSON.parse(row.json) as AnyStoredRecord;
}

/** A segment's rows: the records table's (seq, segment, id, time, json) and the index keys' (key, seq), values one row after another. */
export interface SegmentRows {
  /** Per record, {@link ROW_VALUES} values: seq, segment, id, time, json. */
  records: unknown[];
  keys: unknown[];
}

/** Values a record takes in {@link SegmentRows.records}. */
const ROW_VALUES = 5;

/** The chain hash in a stored record's JSON, if there is one. */
const hashIn = (json: string | undefined): string | undefined =>
  json === undefined ? undefined : (JSON.parse(json) as AnyStoredRecord).hash;

/**
 * Inserts many rows into one table, up to 200 a statement (`VALUES (?, ?), (?, ?), …`): a segment's tens
 * of thousands of index rows cost a few hundred statements, not a call into SQLite each.
 */
class RowsInsert {
  private static readonly ROWS = 200;
  private readonly prepared = new Map<number, Database.Statement>();

  constructor(
    private readonly db: Database.Database,
    private readonly into: string,
    private readonly width: number,
  ) {}

  /** The rows' values, one row after another. */
  run(values: readonly unknown[]): void {
    const step = RowsInsert.ROWS * this.width;
    for (let i = 0; i < values.length; i += step) {
      const part = values.slice(i, i + step);
      this.statement(part.length / this.width).run(...part);
    }
  }

  private statement(rows: number): Database.Statement {
    let statement = this.prepared.get(rows);
    if (!statement) {
      const row = `(${Array.from({ length: this.width }, () => '?').join(', ')})`;
      statement = this.db.prepare(`${this.into} VALUES ${Array.from({ length: rows }, () => row).join(', ')}`);
      this.prepared.set(rows, statement);
    }
    return statement;
  }
}
