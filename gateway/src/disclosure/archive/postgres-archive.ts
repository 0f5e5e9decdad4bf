import pg from 'pg';
import { setIdsOf, type AnyStoredRecord, type FieldSet } from '../record.js';
import type { Segment } from '../segment.js';
import { storedIndexKeys } from '../store.js';
import type { ArchivedSegment, DisclosureArchive, LegalHold } from './archive.js';
import { alreadySealed, ARCHIVE_TABLES, doesNotFollow, fromRow, segmentRow, type SegmentRow } from './schema.js';

/**
 * The shared tables, their text compared byte by byte (`COLLATE "C"`), as SQLite does: times, ids and index
 * keys then order the same in both archives whatever the database's locale (paging `setsAfter` included),
 * and the indexes compare with memcmp rather than the locale's rules.
 */
const POSTGRES_TABLES = ARCHIVE_TABLES.map((ddl) => ddl.replace(/\bTEXT\b/g, 'TEXT COLLATE "C"'));

/** The tables and indexes that DDL creates. */
const ARCHIVE_OBJECTS = ARCHIVE_TABLES.map((ddl) => /IF NOT EXISTS (\w+)/.exec(ddl)?.[1] ?? '').filter(Boolean);

/** Taken while creating the tables: two gateways starting at once would otherwise race in `CREATE TABLE IF NOT EXISTS`. */
const SCHEMA_LOCK = 0x6d61_6370_7464; // 'macptd'

/** Rows per statement: a segment holds up to 10,000 records (each up to ~60 KB) and several index keys each. */
const RECORDS_PER_STATEMENT = 500;
const ROWS_PER_STATEMENT = 5000;

/** The URL without its password (in the userinfo or a `password` parameter), for operators and errors. */
export function withoutPassword(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.password = '';
    parsed.searchParams.delete('password');
    return parsed.toString();
  } catch {
    return url.replace(/^([a-z]+:\/\/[^:@/]*):[^@/]*@/i, '$1@');
  }
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** An error the archive means (a fork), passed on as it is rather than wrapped as a database failure. */
class ArchiveRefusal extends Error {}

/**
 * The production archive: PostgreSQL through a `pg.Pool`, the same tables as the SQLite file. Each put is
 * one transaction, committed (`synchronous_commit` as the server has it, `on` by default) before the mover
 * trims Redis. BIGINT columns arrive from `pg` as strings: every seq is turned back into a number here.
 */
export class PostgresArchive implements DisclosureArchive {
  readonly kind = 'postgres' as const;
  readonly where: string;
  private readonly pool: pg.Pool;
  /** The last put asked (the next waits for it). */
  private putting: Promise<void> = Promise.resolve();
  private ready: Promise<void> | null = null;

  constructor(url: string, options: { max?: number } = {}) {
    this.where = withoutPassword(url);
    this.pool = new pg.Pool({
      connectionString: url,
      max: options.max ?? 10,
      connectionTimeoutMillis: 10_000,
      idleTimeoutMillis: 30_000,
    });
    // A server that goes away (a restart, a failover) fails its idle connections: an 'error' event on the
    // pool, which would end the process unheard. The pool drops such a connection and the next query opens
    // another; the failure that matters is reported by the query that meets it.
    this.pool.on('error', () => undefined);
  }

  private failure(what: string, error: unknown): Error {
    if (error instanceof ArchiveRefusal) return error;
    const message = error instanceof Error ? error.message || String(error) : String(error);
    return new Error(`disclosure archive (PostgreSQL at ${this.where}): ${what} failed: ${message}`, { cause: error });
  }

  /**
   * Creates the tables once (again after a failure: the server may have been down). When they all exist it
   * runs no DDL: `CREATE INDEX IF NOT EXISTS` locks `records` (SHARE) before finding the index there, so a
   * gateway starting while another's put is under way would wait for it, and hold up the puts queued behind.
   */
  private init(): Promise<void> {
    this.ready ??= this.checkedOut(async (client) => {
      const { rows } = await client.query<{ missing: number }>(
        'SELECT count(*)::int AS missing FROM unnest($1::text[]) AS o (name) WHERE to_regclass(o.name) IS NULL',
        [ARCHIVE_OBJECTS],
      );
      if (rows[0]?.missing === 0) return;
      await client.query('BEGIN');
      await client.query('SELECT pg_advisory_xact_lock($1)', [SCHEMA_LOCK]);
      for (const ddl of POSTGRES_TABLES) await client.query(ddl);
      await client.query('COMMIT');
    }).catch((error: unknown) => {
      this.ready = null;
      throw error;
    });
    return this.ready;
  }

  /**
   * Runs `body` on a connection of its own. A connection checked out of the pool has no listener for its
   * 'error' event (the server going away mid-transaction): one is added here, else that event would end
   * the process; the query under way is rejected all the same. A connection that failed is discarded.
   */
  private async checkedOut<T>(body: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    let failed: Error | undefined;
    const onError = (error: Error) => {
      failed ??= error;
    };
    client.on('error', onError);
    try {
      const out = await body(client);
      client.removeListener('error', onError);
      client.release(failed ?? false);
      return out;
    } catch (error) {
      if (!failed) {
        try {
          await client.query('ROLLBACK'); // nothing to roll back outside a transaction: a warning only
        } catch (rollback) {
          failed = rollback as Error;
        }
      }
      client.removeListener('error', onError);
      client.release(failed ?? false); // a connection that failed, or cannot even roll back, is discarded
      throw error;
    }
  }

  private async query<R>(what: string, sql: string, params: unknown[] = []): Promise<R[]> {
    try {
      await this.init();
      return (await this.pool.query(sql, params)).rows as R[];
    } catch (error) {
      throw this.failure(what, error);
    }
  }

  /** Runs `body` in one transaction (READ COMMITTED); any failure rolls it back and is reported as `what`. */
  private async transaction<T>(what: string, body: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    try {
      await this.init();
      return await this.checkedOut(async (client) => {
        await client.query('BEGIN');
        const out = await body(client);
        // Should the connection fail here, the outcome is unknown to us: the mover tries again, and a segment
        // that did commit is then `present`. Nothing is trimmed from Redis until a put has resolved.
        await client.query('COMMIT');
        return out;
      });
    } catch (error) {
      throw this.failure(what, error);
    }
  }

  async last(): Promise<ArchivedSegment | null> {
    const [row] = await this.query<SegmentRow>(
      'reading the last segment',
      'SELECT * FROM segments ORDER BY n DESC LIMIT 1',
    );
    return row ? fromRow(row) : null;
  }

  async segments(after: number, limit: number): Promise<ArchivedSegment[]> {
    const rows = await this.query<SegmentRow>(
      'reading segments',
      'SELECT * FROM segments WHERE n > $1 ORDER BY n LIMIT $2',
      [after, limit],
    );
    return rows.map(fromRow);
  }

  async segmentHolding(seq: number): Promise<ArchivedSegment | null> {
    const [row] = await this.query<SegmentRow>(
      `finding the segment holding seq ${seq}`,
      'SELECT * FROM segments WHERE first_seq <= $1 ORDER BY n DESC LIMIT 1',
      [seq],
    );
    return row && Number(row.last_seq) >= seq ? fromRow(row) : null;
  }

  /**
   * One transaction. The segment's row goes in first with `ON CONFLICT (n) DO NOTHING`: when another
   * gateway is putting the same segment, this insert waits for that transaction to end (PostgreSQL's
   * speculative insertion), then inserts if it rolled back or does nothing if it committed; the row read
   * next (a fresh snapshot, READ COMMITTED) is then the committed one, so the loser answers `present` (same
   * root) or refuses a fork, never a unique-key error. Nothing else is written before the segment's row is
   * ours, so the loser writes nothing. Field sets are shared between segments: they go in sorted by id, so two
   * puts of different segments naming the same new sets take their row locks in one order (no deadlock).
   */
  async put(
    segment: Segment,
    records: readonly AnyStoredRecord[],
    sets: ReadonlyMap<string, FieldSet>,
  ): Promise<'stored' | 'present'> {
    // One put after another, in the order asked (the next may be asked before the last has committed).
    const put = this.putting.then(
      () => this.putNow(segment, records, sets),
      () => this.putNow(segment, records, sets),
    );
    this.putting = put.then(
      () => undefined,
      () => undefined,
    );
    return put;
  }

  private putNow(
    segment: Segment,
    records: readonly AnyStoredRecord[],
    sets: ReadonlyMap<string, FieldSet>,
  ): Promise<'stored' | 'present'> {
    return this.transaction(`putting segment ${segment.n}`, async (client) => {
      const row = segmentRow(segment);
      const columns = Object.keys(row);
      const inserted = await client.query(
        `INSERT INTO segments (${columns.join(', ')}) VALUES (${columns.map((_, i) => `$${i + 1}`).join(', ')})
         ON CONFLICT (n) DO NOTHING`,
        Object.values(row),
      );
      if (inserted.rowCount === 0) {
        const there = (
          await client.query<SegmentRow>(
            'SELECT root, first_seq, last_seq, prev_hash, last_hash FROM segments WHERE n = $1',
            [segment.n],
          )
        ).rows[0];
        if (!there) throw new ArchiveRefusal(`disclosure archive: segment ${segment.n} changed while it was put`);
        const thereLast = Number(there.last_seq);
        if (there.root === segment.root && thereLast === segment.lastSeq) return 'present';
        // The shorter of the two segments' last record, as the other holds it.
        const held =
          thereLast > segment.lastSeq
            ? (await client.query<{ json: string }>('SELECT json FROM records WHERE seq = $1', [segment.lastSeq]))
                .rows[0]
            : undefined;
        const agrees =
          thereLast > segment.lastSeq
            ? held !== undefined && (JSON.parse(held.json) as AnyStoredRecord).hash === segment.lastHash
            : records[thereLast - segment.firstSeq]?.hash === there.last_hash;
        throw new ArchiveRefusal(alreadySealed(segment, there, agrees));
      }
      const predecessor = await client.query<SegmentRow>(
        'SELECT last_seq, last_hash, root FROM segments WHERE n = $1',
        [segment.n - 1],
      );
      const gap = doesNotFollow(segment, predecessor.rows[0]);
      if (gap) throw new ArchiveRefusal(gap);
      const sorted = [...sets].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      for (const part of chunks(sorted, ROWS_PER_STATEMENT))
        await client.query(
          'INSERT INTO field_sets (id, json) SELECT * FROM unnest($1::text[], $2::text[]) ON CONFLICT DO NOTHING',
          [part.map(([id]) => id), part.map(([, set]) => JSON.stringify(set))],
        );
      for (const part of chunks(records, RECORDS_PER_STATEMENT))
        await client.query(
          `INSERT INTO records (seq, segment, id, time, json)
           SELECT s, $1, i, t, j FROM unnest($2::bigint[], $3::text[], $4::text[], $5::text[]) AS r (s, i, t, j)`,
          [
            segment.n,
            part.map((r) => r.seq),
            part.map((r) => r.id),
            part.map((r) => r.time),
            part.map((r) => JSON.stringify(r)),
          ],
        );
      const known = await this.partsIn(client, records, sets);
      const keys = records.flatMap((r) =>
        storedIndexKeys(r, (id) => known.get(id)).map((key): [string, number] => [key, r.seq]),
      );
      for (const part of chunks(keys, ROWS_PER_STATEMENT))
        await client.query(
          'INSERT INTO record_keys (key, seq) SELECT * FROM unnest($1::text[], $2::bigint[]) ON CONFLICT DO NOTHING',
          [part.map(([key]) => key), part.map(([, seq]) => seq)],
        );
      return 'stored' as const;
    });
  }

  async range(from: number, to: number): Promise<AnyStoredRecord[]> {
    const rows = await this.query<{ json: string }>(
      `reading seqs ${from}–${to}`,
      'SELECT json FROM records WHERE seq BETWEEN $1 AND $2 ORDER BY seq',
      [from, to],
    );
    return rows.map(parse);
  }

  async bySeqs(seqs: readonly number[]): Promise<AnyStoredRecord[]> {
    if (seqs.length === 0) return [];
    const rows = await this.query<{ seq: string; json: string }>(
      'reading records by seq',
      'SELECT seq, json FROM records WHERE seq = ANY($1::bigint[])',
      [[...new Set(seqs)]],
    );
    const bySeq = new Map(rows.map((r) => [Number(r.seq), r]));
    const out: AnyStoredRecord[] = [];
    for (const seq of seqs) {
      const row = bySeq.get(seq);
      if (row) out.push(parse(row));
    }
    return out;
  }

  async seqOf(id: string): Promise<number | null> {
    const [row] = await this.query<{ seq: string }>('finding a record by id', 'SELECT seq FROM records WHERE id = $1', [
      id,
    ]);
    return row ? Number(row.seq) : null;
  }

  async seqsUnder(key: string, before: number, atLeast: number, limit: number): Promise<number[]> {
    const rows = await this.query<{ seq: string }>(
      `reading the index ${key}`,
      'SELECT seq FROM record_keys WHERE key = $1 AND seq < $2 AND seq >= $3 ORDER BY seq DESC LIMIT $4',
      [key, before, atLeast, limit],
    );
    return rows.map((r) => Number(r.seq));
  }

  async latest(before: number, atLeast: number, limit: number): Promise<AnyStoredRecord[]> {
    const rows = await this.query<{ json: string }>(
      'reading the latest records',
      'SELECT json FROM records WHERE seq < $1 AND seq >= $2 ORDER BY seq DESC LIMIT $3',
      [before, atLeast, limit],
    );
    return rows.map(parse);
  }

  async seqAtTime(time: string, side: 'from' | 'to'): Promise<number | null> {
    const sql =
      side === 'from'
        ? 'SELECT seq FROM records WHERE time >= $1 ORDER BY time, seq LIMIT 1'
        : 'SELECT seq FROM records WHERE time <= $1 ORDER BY time DESC, seq DESC LIMIT 1';
    const [row] = await this.query<{ seq: string }>(`finding the seq at ${time}`, sql, [time]);
    return row ? Number(row.seq) : null;
  }

  /** The parts records name: those given, and the rest read over the transaction's own connection. */
  private async partsIn(
    client: pg.PoolClient,
    records: readonly AnyStoredRecord[],
    given: ReadonlyMap<string, FieldSet>,
  ): Promise<Map<string, FieldSet>> {
    const out = new Map(given);
    const missing = [...new Set(records.flatMap(setIdsOf))].filter((id) => !out.has(id));
    if (missing.length > 0) {
      const { rows } = await client.query<{ id: string; json: string }>(
        'SELECT id, json FROM field_sets WHERE id = ANY($1::text[])',
        [missing],
      );
      for (const row of rows) out.set(row.id, JSON.parse(row.json) as FieldSet);
    }
    return out;
  }

  async sets(ids: readonly string[]): Promise<Map<string, FieldSet>> {
    const out = new Map<string, FieldSet>();
    if (ids.length === 0) return out;
    const rows = await this.query<{ id: string; json: string }>(
      'reading field sets',
      'SELECT id, json FROM field_sets WHERE id = ANY($1::text[])',
      [[...new Set(ids)]],
    );
    for (const row of rows) out.set(row.id, JSON.parse(row.json) as FieldSet);
    return out;
  }

  async setsAfter(after: string, limit: number): Promise<[string, FieldSet][]> {
    const rows = await this.query<{ id: string; json: string }>(
      'reading field sets',
      'SELECT id, json FROM field_sets WHERE id > $1 ORDER BY id LIMIT $2',
      [after, limit],
    );
    return rows.map((r) => [r.id, JSON.parse(r.json) as FieldSet]);
  }

  async holds(): Promise<LegalHold[]> {
    const rows = await this.query<{ nhs_number: string; reason: string; by_whom: string; at: string }>(
      'reading legal holds',
      'SELECT nhs_number, reason, by_whom, at FROM legal_holds ORDER BY nhs_number',
    );
    return rows.map((r) => ({ nhsNumber: r.nhs_number, reason: r.reason, by: r.by_whom, at: r.at }));
  }

  async hold(hold: LegalHold): Promise<void> {
    await this.query(
      'placing a legal hold',
      `INSERT INTO legal_holds (nhs_number, reason, by_whom, at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (nhs_number) DO UPDATE SET reason = excluded.reason, by_whom = excluded.by_whom, at = excluded.at`,
      [hold.nhsNumber, hold.reason, hold.by, hold.at],
    );
  }

  async release(nhsNumber: string): Promise<boolean> {
    try {
      await this.init();
      const result = await this.pool.query('DELETE FROM legal_holds WHERE nhs_number = $1', [nhsNumber]);
      return (result.rowCount ?? 0) > 0;
    } catch (error) {
      throw this.failure('lifting a legal hold', error);
    }
  }

  /**
   * One transaction, the segment's row locked first (`FOR UPDATE`), so two gateways expiring the same
   * segment at once do it once: the second finds it expired and returns 0.
   */
  async expire(
    n: number,
    keep: (record: AnyStoredRecord, held: ReadonlySet<string>) => boolean,
    proofOf: (seq: number) => string[],
  ): Promise<number> {
    return this.transaction(`expiring segment ${n}`, async (client) => {
      const segment = (await client.query<SegmentRow>('SELECT * FROM segments WHERE n = $1 FOR UPDATE', [n])).rows[0];
      if (!segment || segment.expired_at) return 0;
      // SHARE mode conflicts with a hold's INSERT: a hold placed meanwhile waits for this transaction, and
      // every hold committed before it is read here.
      await client.query('LOCK TABLE legal_holds IN SHARE MODE');
      const held = new Set(
        (await client.query<{ nhs_number: string }>('SELECT nhs_number FROM legal_holds')).rows.map(
          (h) => h.nhs_number,
        ),
      );
      const rows = (
        await client.query<{ json: string }>('SELECT json FROM records WHERE seq BETWEEN $1 AND $2 ORDER BY seq', [
          segment.first_seq,
          segment.last_seq,
        ])
      ).rows;
      const kept: [number, string][] = [];
      const removed: number[] = [];
      const keys: [string, number][] = [];
      const records = rows.map(parse);
      const known = await this.partsIn(client, records, new Map());
      for (const record of records) {
        if (keep(record, held)) {
          kept.push([record.seq, JSON.stringify(proofOf(record.seq))]);
          continue;
        }
        removed.push(record.seq);
        for (const key of storedIndexKeys(record, (id) => known.get(id))) keys.push([key, record.seq]);
      }
      for (const part of chunks(kept, ROWS_PER_STATEMENT))
        await client.query(
          `INSERT INTO kept_proofs (seq, proof) SELECT * FROM unnest($1::bigint[], $2::text[])
           ON CONFLICT (seq) DO UPDATE SET proof = excluded.proof`,
          [part.map(([seq]) => seq), part.map(([, proof]) => proof)],
        );
      for (const part of chunks(keys, ROWS_PER_STATEMENT))
        await client.query(
          'DELETE FROM record_keys WHERE (key, seq) IN (SELECT * FROM unnest($1::text[], $2::bigint[]))',
          [part.map(([key]) => key), part.map(([, seq]) => seq)],
        );
      for (const part of chunks(removed, ROWS_PER_STATEMENT))
        await client.query('DELETE FROM records WHERE seq = ANY($1::bigint[])', [part]);
      await client.query('UPDATE segments SET expired_at = $1, expired = $2 WHERE n = $3', [
        new Date().toISOString(),
        removed.length,
        n,
      ]);
      return removed.length;
    });
  }

  async keptProof(seq: number): Promise<string[] | null> {
    const [row] = await this.query<{ proof: string }>(
      'reading a kept proof',
      'SELECT proof FROM kept_proofs WHERE seq = $1',
      [seq],
    );
    return row ? (JSON.parse(row.proof) as string[]) : null;
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

function parse(row: { json: string }): AnyStoredRecord {
  return JSON.parse(row.json) as AnyStoredRecord;
}
