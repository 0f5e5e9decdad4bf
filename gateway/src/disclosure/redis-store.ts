import { randomUUID } from 'node:crypto';
import { connectRedis, isClusterAddress, type RedisClient } from '../redis-connection.js';
import {
  chain,
  GENESIS_HASH,
  setIdsOf,
  type AnyStoredRecord,
  type Chained,
  type DisclosureRecord,
  type FieldSet,
  type RecordDraft,
} from './record.js';
import type { HotTier, StoredRun, TailIntegrity, TrimPlan } from './hot-tier.js';
import type { Segment } from './segment.js';
import { APPEND_FUNCTION, installAppendFunction, TRIM_FUNCTION } from './redis-function.js';
import { RedisLogReader } from './redis-reader.js';
import { whenReady } from '../redis-ready.js';
import {
  DEFAULT_RATE_LIMITS,
  OverLimit,
  windowsAt,
  type Charge,
  type Limit,
  type RateLimits,
} from '../limits/rate-limit.js';
import { indexKeys, type Anchor, type DisclosureStore, type IntegrityResult, type RecordFilter } from './store.js';

/** Records the mover reads from the stream per round trip. */
const READ_PAGE = 1000;

/** Options for {@link RedisDisclosureStore}. */
export interface RedisStoreOptions {
  url: string;
  /**
   * Key prefix; the stream is `<prefix>stream`. @default "macpt:dlog:", and on a Redis Cluster
   * "{macpt:dlog}:": the braces are a hash tag, so every key of the chain is in one slot, on one primary,
   * where the append function can write them all atomically.
   */
  prefix?: string;
  /** Deadline for each command: past it the write counts as failed (fail closed). @default 800 */
  commandTimeoutMs?: number;
  /** Replicas that must hold each batch before it counts as written (WAIT / WAITAOF). @default 0 */
  minReplicas?: number;
  /** How long to wait for them; past it the batch counts as failed (fail closed). @default 500 */
  replicaTimeoutMs?: number;
  /**
   * The hot tier's hard cap: an append that would take Redis past this many records is refused (the
   * archive is not taking segments; a record is never dropped to make room). 0: no cap. @default 0
   */
  hotMax?: number;
  /**
   * Where the mover trims from: a connection as a Redis user allowed the trim's commands (XDEL, HDEL, LPOP
   * on the log's keys), which the gateway's own user is not. @default url
   */
  trimUrl?: string;
  /** The users' rate limits, charged by the append itself. @default DEFAULT_RATE_LIMITS */
  limits?: RateLimits;
}

/**
 * The production disclosure log: a Redis Stream (never trimmed) plus index lists, appended by an
 * atomic compare-and-append script so several gateway processes share one chain. ioredis is set to
 * fail closed: no offline queue, no retries, a command deadline, and no re-sending after reconnects.
 */
export class RedisDisclosureStore implements DisclosureStore, HotTier {
  readonly trims = true;
  readonly kind = 'redis' as const;
  private readonly redis: RedisClient;
  private readonly prefix: string;
  private head = { seq: 0, hash: GENESIS_HASH };
  /**
   * The last record whose write was confirmed as durable as configured (and so may have been released):
   * the log must never end before it. Records after it were never released, so a failover may lose them.
   */
  private confirmed = 0;
  private readonly minReplicas: number;
  private readonly replicaTimeoutMs: number;
  private readonly hotMax: number;
  private writing: Promise<unknown> = Promise.resolve();
  /** The head after the last batch sent on the fast path, acknowledged or not. */
  private sent: { seq: number; hash: string } | null = null;
  /** Fast-path batches sent and not yet answered. */
  private readonly inFlight = new Set<Promise<string[]>>();
  /** Batches on the careful path, waiting their turn or answering. */
  private careful = 0;
  /** Whether the chain's head is in doubt (at start, after a conflict or a lost answer): batches go one at a time. */
  private inDoubt = true;
  private waitAof: boolean | null = null;
  private readonly writerId = randomUUID();
  private readonly commandTimeoutMs: number;
  private disagreement: string | null = null;
  private readonly reader: RedisLogReader;
  /** Reads (IG queries, subject-access reports) go over a connection of their own. */
  private readonly readRedis: RedisClient;
  private readonly trimUrl: string;
  private trimRedis: RedisClient | null = null;
  private readonly limits: RateLimits;

  constructor(options: RedisStoreOptions) {
    this.prefix = options.prefix ?? (isClusterAddress(options.url) ? '{macpt:dlog}:' : 'macpt:dlog:');
    if (isClusterAddress(options.url) && !/\{[^}]+\}/.test(this.prefix))
      throw new Error(
        `disclosure log: on a Redis Cluster the key prefix needs a hash tag (such as {macpt:dlog}:) so the chain stays in one slot; "${this.prefix}" has none`,
      );
    this.commandTimeoutMs = options.commandTimeoutMs ?? 800;
    this.minReplicas = options.minReplicas ?? 0;
    this.replicaTimeoutMs = options.replicaTimeoutMs ?? 500;
    this.hotMax = options.hotMax ?? 0;
    this.limits = options.limits ?? DEFAULT_RATE_LIMITS;
    this.trimUrl = options.trimUrl ?? options.url;
    this.redis = connectRedis(options.url, {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      autoResendUnfulfilledCommands: false,
      commandTimeout: options.commandTimeoutMs ?? 800,
      connectTimeout: 1000,
      retryStrategy: (times) => Math.min(times * 100, 1000),
      lazyConnect: false,
    });
    this.redis.on('error', () => undefined); // surfaced through failed commands and ready()
    // A subject-access report can read thousands of records: on the appends' connection its answers
    // would sit in front of every append (past their deadline: a 503 for everyone), so reads have their own.
    this.readRedis = connectRedis(options.url, {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: 10_000,
      connectTimeout: 1000,
      retryStrategy: (times) => Math.min(times * 100, 1000),
    });
    this.readRedis.on('error', () => undefined);
    this.reader = new RedisLogReader(this.readRedis, this.prefix);
  }

  private connected(): Promise<void> {
    return whenReady(this.redis, this.commandTimeoutMs);
  }

  private key(name: string): string {
    return `${this.prefix}${name}`;
  }

  /**
   * Appends a chained batch. Fast path: the batch is chained after the last batch sent (acknowledged
   * or not) and sent at once; Redis runs this connection's scripts in order, so while one batch is
   * being fsync'd the next is already on its way. Whenever the chain head is in doubt (a conflict
   * with another gateway, a failed or lost acknowledgement) appends fall back to the careful path:
   * one at a time, each re-chained to the head Redis reports, until the pipeline is empty again.
   */
  append(drafts: readonly RecordDraft[], charges: readonly (Charge | null)[] = []): Promise<DisclosureRecord[]> {
    if (this.disagreement) return Promise.reject(new Error(`disclosure log: ${this.disagreement}`));
    if (this.careful > 0 || this.inDoubt || this.redis.status !== 'ready') return this.appendCarefully(drafts, charges);
    return this.appendFast(drafts, charges);
  }

  /** The fast path: chained after the last batch sent and sent at once, answered later. */
  private appendFast(drafts: readonly RecordDraft[], charges: readonly (Charge | null)[]): Promise<DisclosureRecord[]> {
    const from = this.sent ?? this.head;
    const chained = chain(drafts, from);
    const records = chained.map((c) => c.record);
    this.sent = { seq: records[records.length - 1]!.seq, hash: records[records.length - 1]!.hash };
    const now = Date.now();
    const settled = this.send(chained, from, charges, now);
    this.inFlight.add(settled);
    void settled.catch(() => undefined).finally(() => this.inFlight.delete(settled));
    return settled.then(
      async (result) => {
        if (result[0] === 'FULL') {
          this.sent = null;
          throw full(result[1], this.hotMax);
        }
        if (result[0] === 'LIMITED') {
          this.sent = null;
          throw overLimit(result, now);
        }
        if (result[0] !== 'OK') {
          this.sent = null;
          this.inDoubt = true;
          return this.appendCarefully(drafts, charges);
        }
        this.acknowledged(records);
        await this.confirm(records);
        return records;
      },
      (error: unknown) => {
        this.sent = null;
        this.inDoubt = true;
        throw error;
      },
    );
  }

  private acknowledged(records: readonly DisclosureRecord[]): void {
    const last = records[records.length - 1]!;
    if (last.seq > this.head.seq) this.head = { seq: last.seq, hash: last.hash };
  }

  private send(
    chained: readonly Chained[],
    from: { hash: string },
    charges: readonly (Charge | null)[],
    now: number,
  ): Promise<string[]> {
    const sets = new Map<string, FieldSet>();
    for (const c of chained) for (const [id, set] of c.sets) sets.set(id, set);
    let charged = 0;
    for (const charge of charges) if (charge) charged++;
    const { minute, hour } = windowsAt(now);
    const last = chained[chained.length - 1]!.record;
    const args: (string | number)[] = [
      this.prefix,
      this.writerId,
      from.hash,
      chained.length,
      this.hotMax,
      sets.size,
      charged,
      this.limits.requestsPerMinute,
      this.limits.childrenPerHour,
      minute,
      hour,
      chained[0]!.record.seq,
      last.hash,
    ];
    for (const [id, set] of sets) args.push(id, JSON.stringify(set));
    charges.forEach((charge, i) => {
      if (charge) args.push(i + 1, charge.userId, charge.children.length, ...charge.children);
    });
    for (const { record, json } of chained) {
      const keys = indexKeys(record);
      args.push(record.id, json, keys.length, ...keys);
    }
    const call = () =>
      this.redis.call(
        'FCALL',
        APPEND_FUNCTION,
        6,
        this.key('stream'),
        this.key('head'),
        this.key('ids'),
        this.key('sids'),
        this.key('turn'),
        this.key('sets'),
        ...args,
      ) as Promise<string[]>;
    return call().catch(async (error: Error) => {
      if (!/function not found/i.test(error.message)) throw error;
      // Development and tests: load it here. A deployment loads it beforehand, under a user that may.
      await installAppendFunction(this.redis).catch((e: Error) => {
        throw new Error(
          `disclosure log: the append function ${APPEND_FUNCTION} is not loaded in Redis and could not be loaded (${e.message}); run npm run -s audit:install-redis at deploy`,
        );
      });
      return call();
    });
  }

  /**
   * The careful path: batches in turn. While the head is in doubt each waits for every batch already sent to
   * settle, then is sent alone and re-chained to the head Redis reports (see {@link appendNow}). Once one is
   * acknowledged the head is known again, and the batches still waiting their turn are sent on the fast
   * path, each as soon as the one before it was sent: under continuous load the queue drains back into the
   * pipeline instead of keeping every batch waiting for the last one's answer.
   */
  private appendCarefully(
    drafts: readonly RecordDraft[],
    charges: readonly (Charge | null)[],
  ): Promise<DisclosureRecord[]> {
    this.careful++;
    const turn = this.writing.then(async (): Promise<{ result: Promise<DisclosureRecord[]> }> => {
      if (!this.inDoubt && this.redis.status === 'ready') return { result: this.appendFast(drafts, charges) };
      // Every batch already sent settles first (its own careful retry, if any, queues behind this one).
      await Promise.allSettled([...this.inFlight]);
      const result = this.appendNow(drafts, charges);
      await result.then(
        () => {
          this.inDoubt = false;
        },
        () => undefined,
      );
      this.sent = null; // nothing is in flight: the next batch chains after the head Redis acknowledged
      return { result };
    });
    this.writing = turn.catch(() => undefined);
    return turn
      .then(({ result }) => result)
      .finally(() => {
        this.careful--;
      });
  }

  private async appendNow(
    drafts: readonly RecordDraft[],
    charges: readonly (Charge | null)[],
  ): Promise<DisclosureRecord[]> {
    await this.connected();
    for (let attempt = 0; attempt < 50; attempt++) {
      const chained = chain(drafts, this.head);
      const records = chained.map((c) => c.record);
      const now = Date.now();
      const result = await this.send(chained, this.head, charges, now);
      if (result[0] === 'FULL') throw full(result[1], this.hotMax);
      if (result[0] === 'LIMITED') throw overLimit(result, now);
      if (result[0] === 'OK') {
        this.acknowledged(records);
        await this.confirm(records);
        return records;
      }
      if (result[0] === 'DUP') return this.written(drafts);
      // Another gateway appended first (or holds the turn): chain after its head and try again shortly.
      const reported = { hash: result[1]!, seq: Number(result[2]) };
      if (reported.seq < this.confirmed) this.wentBack(reported.seq);
      this.head = reported;
      if (attempt > 0) await new Promise((r) => setTimeout(r, Math.min(attempt, 10)));
    }
    throw new Error('disclosure log: could not append after repeated concurrent writes');
  }

  /**
   * A batch Redis already holds (sent again after its answer was lost): the records as they were written,
   * not as chained this time, read back by id. One missing is a batch the log does not wholly hold.
   */
  private async written(drafts: readonly RecordDraft[]): Promise<DisclosureRecord[]> {
    await this.refreshHead();
    const records = await Promise.all(drafts.map((d) => this.get(d.id)));
    const missing = drafts.filter((_, i) => records[i] === null);
    if (missing.length > 0)
      throw new Error(
        `disclosure log: a batch Redis reports as written lacks ${missing.length} of its ${drafts.length} records (first ${missing[0]!.id})`,
      );
    const held = records as DisclosureRecord[];
    await this.confirm(held);
    return held;
  }

  private async refreshHead(): Promise<void> {
    const [hash, seq] = await this.redis.hmget(this.key('head'), 'hash', 'seq');
    if (Number(seq ?? 0) < this.confirmed) this.wentBack(Number(seq ?? 0));
    this.head = { hash: hash ?? GENESIS_HASH, seq: Number(seq ?? 0) };
  }

  /**
   * The chain's head only moves forward past what was confirmed: one behind a confirmed record means
   * records that may have been released vanished (emptied, expired, trimmed, or lost in a failover that
   * was not waited for). Nothing more is appended; the store is not ready. A head behind records that
   * were sent but never confirmed (their responses were refused) is a failover that lost only those.
   */
  private wentBack(seq: number): never {
    this.disagreement = `the log's head went back from seq ${this.head.seq} to seq ${seq}: records have vanished from Redis`;
    throw new Error(`disclosure log: ${this.disagreement}`);
  }

  /** Why this store refuses to append, or null. */
  problem(): string | null {
    return this.disagreement;
  }

  /**
   * Confirms a batch before any of its responses is released: with DISCLOSURE_LOG_MIN_REPLICAS, that N
   * replicas hold it (WAIT; WAITAOF with Redis ≥ 7.2, which also has it on the primary's disk); without,
   * with Redis ≥ 7.2, that it reached the AOF on disk. Either failing rejects the batch (fail closed).
   */
  private async confirm(records: readonly DisclosureRecord[]): Promise<void> {
    if (this.waitAof === null) {
      const info = await this.redis.info('server');
      const version = /redis_version:(\d+)\.(\d+)/.exec(info);
      this.waitAof = version ? Number(version[1]) > 7 || (Number(version[1]) === 7 && Number(version[2]) >= 2) : false;
    }
    if (this.minReplicas > 0 && !this.waitAof) {
      const replicas = (await this.onChainConnection('WAIT', this.minReplicas, this.replicaTimeoutMs)) as number;
      if (replicas < this.minReplicas)
        throw new Error(
          `disclosure log: ${replicas} of the ${this.minReplicas} replicas required acknowledged the records within ${this.replicaTimeoutMs} ms`,
        );
    } else if (this.waitAof) {
      const timeout = this.minReplicas > 0 ? this.replicaTimeoutMs : 700;
      const [local, replicas] = (await this.onChainConnection('WAITAOF', '1', this.minReplicas, timeout)) as number[];
      if (!local) throw new Error('disclosure log: WAITAOF did not confirm the append on disk');
      if ((replicas ?? 0) < this.minReplicas)
        throw new Error(
          `disclosure log: ${replicas} of the ${this.minReplicas} replicas required have the records on disk`,
        );
    }
    const last = records[records.length - 1]!.seq;
    if (last > this.confirmed) this.confirmed = last;
  }

  /**
   * WAIT and WAITAOF count the writes of the connection they are sent on. They name no key, so on a
   * Cluster ioredis would send them to any node: piped behind a read of the chain's head, they go to
   * the chain's primary over the connection that appended.
   */
  private async onChainConnection(command: string, ...args: (string | number)[]): Promise<unknown> {
    const results = await this.redis
      .pipeline()
      .hget(this.key('head'), 'seq')
      .call(command, ...args)
      .exec();
    const [error, answer] = results?.[1] ?? [new Error(`${command}: no answer`), null];
    if (error) throw error;
    return answer;
  }

  async query(filter: RecordFilter, limit: number, before?: number): Promise<DisclosureRecord[]> {
    await whenReady(this.readRedis, this.commandTimeoutMs);
    return this.reader.query(filter, limit, before);
  }

  async get(id: string): Promise<DisclosureRecord | null> {
    await whenReady(this.readRedis, this.commandTimeoutMs);
    return this.reader.get(id);
  }

  async verify(anchor?: Anchor): Promise<IntegrityResult> {
    await whenReady(this.readRedis, this.commandTimeoutMs);
    return this.reader.verify(anchor);
  }

  async verifyTail(anchor: Anchor | undefined, archivedThrough: number): Promise<TailIntegrity> {
    await whenReady(this.readRedis, this.commandTimeoutMs);
    return this.reader.verify(anchor, archivedThrough);
  }

  async readStored(from: number, max: number): Promise<StoredRun> {
    await whenReady(this.readRedis, this.commandTimeoutMs);
    const sid = await this.readRedis.hget(this.key('sids'), String(from));
    if (!sid) return { records: [], sets: new Map() };
    // Read in pages, so that parsing a segment's records never holds the event loop for long.
    const records: AnyStoredRecord[] = [];
    for (let start = sid; records.length < max; ) {
      const count = Math.min(READ_PAGE, max - records.length);
      const entries = (await this.readRedis.xrange(this.key('stream'), start, '+', 'COUNT', count)) as [
        string,
        string[],
      ][];
      for (const [, fields] of entries) records.push(JSON.parse(fields[fields.indexOf('r') + 1]!) as AnyStoredRecord);
      if (entries.length < count) break;
      start = `(${entries[entries.length - 1]![0]}`;
    }
    const ids = [...new Set(records.flatMap(setIdsOf))];
    const sets = new Map<string, FieldSet>();
    if (ids.length > 0) {
      const found = await this.readRedis.hmget(this.key('sets'), ...ids);
      for (const [i, json] of found.entries()) if (json) sets.set(ids[i]!, JSON.parse(json) as FieldSet);
    }
    return { records, sets };
  }

  async held(): Promise<number> {
    await whenReady(this.readRedis, this.commandTimeoutMs);
    return this.readRedis.xlen(this.key('stream'));
  }

  async trimmed(): Promise<{ seq: number; hash: string }> {
    await whenReady(this.readRedis, this.commandTimeoutMs);
    const [seq, hash] = await this.readRedis.hmget(this.key('trimmed'), 'seq', 'hash');
    return { seq: Number(seq ?? 0), hash: hash ?? GENESIS_HASH };
  }

  /**
   * Trims a segment the archive has committed, by the log's trim function, over the mover's connection.
   * Each index list loses exactly the entries the segment's records put there.
   */
  async trim(segment: Segment, plan: TrimPlan): Promise<void> {
    if (!this.trimRedis) {
      this.trimRedis = connectRedis(this.trimUrl, {
        enableOfflineQueue: false,
        maxRetriesPerRequest: 0,
        commandTimeout: 10_000,
        connectTimeout: 1000,
        retryStrategy: (times) => Math.min(times * 100, 1000),
      });
      this.trimRedis.on('error', () => undefined);
    }
    await whenReady(this.trimRedis, this.commandTimeoutMs);
    const args: (string | number)[] = [this.prefix, segment.lastSeq, segment.lastHash, plan.records.length];
    for (const [id, seq] of plan.records) args.push(id, seq);
    args.push(plan.lists.size);
    for (const [key, count] of plan.lists) args.push(key, count);
    const result = (await this.trimRedis.call(
      'FCALL',
      TRIM_FUNCTION,
      4,
      this.key('stream'),
      this.key('ids'),
      this.key('sids'),
      this.key('trimmed'),
      ...args,
    )) as string[];
    if (result[0] !== 'OK' && result[0] !== 'DONE')
      throw new Error(
        `disclosure log: trimming segment ${segment.n} through seq ${segment.lastSeq} was refused (${result[0]})`,
      );
  }

  async ready(): Promise<boolean> {
    try {
      return !this.disagreement && this.redis.status === 'ready' && (await this.redis.ping()) === 'PONG';
    } catch {
      return false;
    }
  }

  async durability(): Promise<string> {
    const primary = await this.primaryDurability();
    if (this.minReplicas === 0) return primary;
    return `${primary}; and each batch is held by ${this.minReplicas} replica(s) before release, so it survives the loss of the primary (failover)`;
  }

  private async primaryDurability(): Promise<string> {
    try {
      const [, appendonly] = (await this.redis.config('GET', 'appendonly')) as string[];
      const [, fsync] = (await this.redis.config('GET', 'appendfsync')) as string[];
      if (appendonly !== 'yes')
        return 'redis: appendonly is off: acknowledged records live only in memory until the next RDB snapshot';
      if (fsync === 'always')
        return 'redis: appendonly yes, appendfsync always: an acknowledged record survives kill -9 and power loss';
      return `redis: appendonly yes, appendfsync ${fsync}: an acknowledged record survives kill -9 of redis-server; up to a second of records can be lost on power failure${this.waitAof ? ' (WAITAOF closes this gap)' : ''}`;
    } catch {
      return 'redis: durability settings could not be read (CONFIG GET not permitted or Redis unreachable)';
    }
  }

  async close(): Promise<void> {
    await this.writing;
    await Promise.allSettled([...this.inFlight]);
    this.redis.disconnect();
    this.readRedis.disconnect();
    this.trimRedis?.disconnect();
  }
}

/** The refusal of an append past the hot tier's hard cap. */
function full(held: string | undefined, cap: number): Error {
  return new Error(
    `disclosure log: the hot tier holds ${held} records and its cap is ${cap}: the archive is not taking segments, so nothing more is appended until it does (no record is dropped)`,
  );
}

/** The function's LIMITED answer (record index, limit, …; 1-based) as the batch's refused charges (0-based). */
function overLimit(result: readonly string[], at: number): OverLimit {
  const refused = new Map<number, Limit>();
  for (let i = 1; i + 1 < result.length; i += 2) refused.set(Number(result[i]) - 1, result[i + 1] as Limit);
  return new OverLimit(refused, at);
}
