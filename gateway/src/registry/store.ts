import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { connectRedis, type RedisClient } from '../redis-connection.js';
import { whenReady } from '../redis-ready.js';
import type { FieldImpact } from './checks.js';

/** A publication as the registry keeps it: never overwritten; approvals and rejections are later events. */
export interface Publication {
  id: string;
  agency: string;
  url: string;
  sdl: string;
  policyText: string;
  schemaHash: string;
  policyHash: string;
  /** The agency's signature over the publication (compact JWS), kept for whoever audits the registry. */
  signature: string;
  impact: FieldImpact[];
  /** ACTIVE at once (nothing newly visible), or PENDING until the agency's IG lead decides. */
  status: 'ACTIVE' | 'PENDING';
  /** The publication of this agency it was checked against (null: the deployment's bundled subgraph). */
  base: string | null;
  publishedAt: string;
  /** The disclosure record that recorded it. */
  recordId: string;
}

/** An IG lead's decision on a pending publication. */
export interface Decision {
  publicationId: string;
  decision: 'APPROVED' | 'REJECTED';
  by: { id: string; name: string };
  note: string;
  at: string;
  recordId: string;
}

export type RegistryEvent = { type: 'PUBLISHED'; publication: Publication } | { type: 'DECIDED'; decision: Decision };

/** Thrown when another publication or decision landed between a check and its append: check again. */
export class RegistryConflict extends Error {}

/**
 * The schema registry's history: an append-only list of events. `append` succeeds only when the list
 * is still `expected` events long (optimistic concurrency: two publications racing cannot both land on
 * the same state).
 */
export interface RegistryStore {
  readonly kind: 'file' | 'redis';
  events(): Promise<RegistryEvent[]>;
  length(): Promise<number>;
  append(event: RegistryEvent, expected: number): Promise<void>;
  close(): Promise<void>;
}

/** A file under `data/`: one JSON event per line, fsynced; one gateway process writes it (as the file log). */
export class FileRegistryStore implements RegistryStore {
  readonly kind = 'file';
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly file: string) {
    mkdirSync(dirname(file), { recursive: true });
  }

  async events(): Promise<RegistryEvent[]> {
    if (!existsSync(this.file)) return [];
    return readFileSync(this.file, 'utf8')
      .split('\n')
      .filter((line) => line.length > 0)
      .map((line) => JSON.parse(line) as RegistryEvent);
  }

  async length(): Promise<number> {
    return (await this.events()).length;
  }

  append(event: RegistryEvent, expected: number): Promise<void> {
    const run = this.queue.then(async () => {
      if ((await this.length()) !== expected) throw new RegistryConflict('the registry changed since this was checked');
      const fd = openSync(this.file, 'a');
      try {
        writeSync(fd, `${JSON.stringify(event)}\n`);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  async close(): Promise<void> {}
}

const KEY = 'macpt:registry:events';

/** Redis: a list every gateway reads; an append is a WATCHed transaction on the list's length. */
export class RedisRegistryStore implements RegistryStore {
  readonly kind = 'redis';
  private readonly redis: RedisClient;

  constructor(private readonly url: string) {
    this.redis = connectRedis(url, { lazyConnect: false, maxRetriesPerRequest: 1, enableOfflineQueue: false });
    this.redis.on('error', () => undefined); // each call reports its own failure
  }

  async events(): Promise<RegistryEvent[]> {
    await whenReady(this.redis, 2_000);
    return (await this.redis.lrange(KEY, 0, -1)).map((e) => JSON.parse(e) as RegistryEvent);
  }

  async length(): Promise<number> {
    await whenReady(this.redis, 2_000);
    return this.redis.llen(KEY);
  }

  async append(event: RegistryEvent, expected: number): Promise<void> {
    // A connection of its own: WATCH belongs to a connection, and the shared one serves other calls
    // (on a Cluster, WATCH, the length and MULTI all go to the list's node over this connection's link to it).
    const tx = connectRedis(this.url, { maxRetriesPerRequest: 1, enableOfflineQueue: true });
    tx.on('error', () => undefined);
    try {
      await tx.watch(KEY);
      if ((await tx.llen(KEY)) !== expected) {
        await tx.unwatch();
        throw new RegistryConflict('the registry changed since this was checked');
      }
      const done = await tx.multi().rpush(KEY, JSON.stringify(event)).exec();
      if (done === null) throw new RegistryConflict('the registry changed while this was being appended');
    } finally {
      tx.disconnect();
    }
  }

  async close(): Promise<void> {
    this.redis.disconnect();
  }
}
