import type { RedisClient } from '../redis-connection.js';
import {
  fieldSetId,
  firstBreak,
  GENESIS_HASH,
  setIdsOf,
  type AnyStoredRecord,
  type DisclosureRecord,
  type FieldSet,
} from './record.js';
import { SetCache } from './set-cache.js';
import { anchorProblem, bestIndex, matches, type Anchor, type RecordFilter } from './store.js';
import type { TailIntegrity } from './hot-tier.js';

/** Stream entries a verification reads at a time. */
const PAGE = 1000;
type Entry = [id: string, fields: string[]];

/** Records read (and parsed) between two turns of the event loop. */
const READ_SLICE = 25;

/**
 * Reads the Redis disclosure log: records by index list or by walking the stream newest first, one
 * record by id, and the whole chain for verification. It writes nothing.
 */
export class RedisLogReader {
  private readonly sets = new SetCache(async (ids) => {
    const found = await this.redis.hmget(this.key('sets'), ...ids);
    const out = new Map<string, FieldSet>();
    for (const [i, json] of found.entries()) if (json) out.set(ids[i]!, JSON.parse(json) as FieldSet);
    return out;
  });

  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
  ) {}

  /** Expands stored records, reading the field sets not yet held in one round trip. */
  expanded(stored: readonly AnyStoredRecord[]): Promise<DisclosureRecord[]> {
    return this.sets.expand(stored);
  }

  private key(name: string): string {
    return `${this.prefix}${name}`;
  }

  private async bySeq(seqs: readonly number[]): Promise<(DisclosureRecord | null)[]> {
    const out: (DisclosureRecord | null)[] = [];
    // In slices: a caseload's record can be 100 KB, and a subject-access report reads thousands. Read and
    // parsed all at once, they would hold the event loop for hundreds of milliseconds, and every response
    // waiting for its own record would miss its deadline; between slices the gateway gets on with them.
    for (let from = 0; from < seqs.length; from += READ_SLICE) {
      if (from > 0) await new Promise((r) => setImmediate(r));
      out.push(...(await this.slice(seqs.slice(from, from + READ_SLICE))));
    }
    return out;
  }

  private async slice(seqs: readonly number[]): Promise<(DisclosureRecord | null)[]> {
    if (seqs.length === 0) return [];
    const sids = await this.redis.hmget(this.key('sids'), ...seqs.map(String));
    const pipeline = this.redis.pipeline();
    for (const sid of sids) if (sid) pipeline.xrange(this.key('stream'), sid, sid);
    const results = (await pipeline.exec()) ?? [];
    let k = 0;
    const stored = sids.map((sid) => {
      if (!sid) return null;
      const [, entries] = results[k++] as [Error | null, [string, string[]][]];
      const fields = entries?.[0]?.[1];
      const json = fields?.[fields.indexOf('r') + 1];
      return json ? (JSON.parse(json) as AnyStoredRecord) : null;
    });
    const found = await this.expanded(stored.filter((r): r is AnyStoredRecord => r !== null));
    let f = 0;
    return stored.map((r) => (r ? found[f++]! : null));
  }

  async query(filter: RecordFilter, limit: number, before = Number.MAX_SAFE_INTEGER): Promise<DisclosureRecord[]> {
    const index = bestIndex(filter);
    const out: DisclosureRecord[] = [];
    // Bounded pages: between them the gateway serves other requests (a page of big records takes tens
    // of milliseconds to parse) and Redis other clients' commands.
    const page = Math.min(Math.max(limit * 2, 100), 500);
    if (index) {
      const list = this.key(index);
      const length = await this.redis.llen(list);
      let below = before;
      for (let end = length - 1; end >= 0 && out.length < limit; end -= page) {
        // A trim between pages takes entries off the list's left, shifting every position: the next page
        // then repeats the last one's oldest entries. Seqs only fall from page to page, so one at or above
        // the lowest already read is such a repeat.
        const read = (await this.redis.lrange(list, Math.max(0, end - page + 1), end)).map(Number).reverse();
        const seqs = read.filter((s) => s < below);
        below = Math.min(below, ...read);
        for (const r of await this.bySeq(seqs)) {
          if (r && matches(r, filter)) out.push(r);
          if (out.length >= limit) break;
        }
      }
      return out;
    }
    let cursor = before === Number.MAX_SAFE_INTEGER ? '+' : null;
    if (cursor === null) {
      const [sid] = await this.redis.hmget(this.key('sids'), String(before));
      cursor = sid ? `(${sid}` : '+';
    }
    for (;;) {
      const entries = (await this.redis.xrevrange(this.key('stream'), cursor, '-', 'COUNT', page)) as [
        string,
        string[],
      ][];
      const records = await this.expanded(
        entries.map(([, fields]) => JSON.parse(fields[fields.indexOf('r') + 1]!) as AnyStoredRecord),
      );
      for (const r of records) {
        if (r.seq < before && matches(r, filter)) out.push(r);
        if (out.length >= limit) return out;
      }
      if (entries.length < page) return out;
      cursor = `(${entries[entries.length - 1]![0]}`;
    }
  }

  async get(id: string): Promise<DisclosureRecord | null> {
    const seq = await this.redis.hget(this.key('ids'), id);
    return seq ? ((await this.bySeq([Number(seq)]))[0] ?? null) : null;
  }

  /**
   * Walks the chain Redis holds: from its first record, or, once segments were trimmed to the archive,
   * from the last record trimmed (the archive's verifier checks the rest and that the two meet).
   *
   * The walk is of one moment's log, while appends and trims go on: where the chain begins (the last record
   * trimmed), where it ends (the head) and the field sets are read in one transaction; records appended after
   * it are not this run's. Given `archivedThrough` (the archive's end, as the tiered verifier walked it), a
   * trim past it, before or during the walk, is reported as `overtaken` and not as a break: those records
   * were archived meanwhile, and the tiered verifier walks them there, then this tier again. Without it (a
   * log with no archive) a trim is a break like any other.
   */
  async verify(anchor?: Anchor, archivedThrough?: number): Promise<TailIntegrity> {
    const moment = await this.redis
      .multi()
      .hmget(this.key('trimmed'), 'seq', 'hash')
      .hmget(this.key('head'), 'hash', 'seq')
      .hgetall(this.key('sets'))
      .xrange(this.key('stream'), '-', '+', 'COUNT', PAGE)
      .exec();
    const [[trimmedSeq, trimmedHash], [headHash, headSeq], stored, first] = (moment ?? []).map(([error, value]) => {
      if (error) throw error;
      return value;
    }) as [[string | null, string | null], [string | null, string | null], Record<string, string>, Entry[]];
    let previous = { seq: Number(trimmedSeq ?? 0), hash: trimmedHash ?? GENESIS_HASH };
    const end = { seq: Number(headSeq ?? 0), hash: headHash ?? GENESIS_HASH };
    let count = 0;
    let anchored: string | undefined;
    const broken = (problem: string): TailIntegrity => ({ ok: false, count, headHash: previous.hash, problem });
    /** Whether records after `previous` were trimmed since the walk began (archived, if the archive says so). */
    const overtaken = async (): Promise<boolean> => {
      if (archivedThrough === undefined) return false;
      const seq = Number((await this.redis.hget(this.key('trimmed'), 'seq')) ?? 0);
      return seq > previous.seq;
    };
    if (archivedThrough !== undefined && previous.seq > archivedThrough) return { ...broken(''), overtaken: true };
    // Every field set hashes to its id (read afresh: the verifier trusts nothing it holds).
    const sets = new Set<string>();
    for (const [id, json] of Object.entries(stored)) {
      if (fieldSetId(JSON.parse(json) as FieldSet) !== id)
        return broken(`field set ${id} was altered: its content does not match its id`);
      sets.add(id);
    }
    walk: for (let entries = first; ; ) {
      for (const [, fields] of entries) {
        const record = JSON.parse(fields[fields.indexOf('r') + 1]!) as AnyStoredRecord;
        if (record.seq > end.seq) break walk; // appended after this run's moment
        const problem =
          firstBreak(record, previous) ??
          (setIdsOf(record).some((id) => !sets.has(id))
            ? `record seq ${record.seq} (${record.id}) names a field set the log does not hold`
            : null);
        if (problem) return (await overtaken()) ? { ...broken(''), overtaken: true } : broken(problem);
        previous = { seq: record.seq, hash: record.hash };
        if (record.seq === anchor?.seq) anchored = record.hash;
        count++;
      }
      if (entries.length < PAGE) break;
      const after = `(${entries[entries.length - 1]![0]}`;
      entries = (await this.redis.xrange(this.key('stream'), after, '+', 'COUNT', PAGE)) as Entry[];
    }
    if (end.hash !== previous.hash || end.seq !== previous.seq) {
      if (await overtaken()) return { ...broken(''), overtaken: true };
      return broken(
        `the stream ends at seq ${previous.seq} but the recorded head is seq ${headSeq ?? 0}: records were cut off the end or the head was altered`,
      );
    }
    const lost = anchorProblem(anchor, anchored, previous.seq);
    if (lost) return broken(lost);
    return { ok: true, count, headHash: previous.hash, problem: null, through: previous.seq };
  }
}
