import { join } from 'node:path';
import type { CryptoKey } from 'jose';
import { ensureKeyPair, importKey } from '@macpt/kit';
import type { DisclosureArchive } from './archive/archive.js';
import { openArchive } from './archive/open-archive.js';
import { FileDisclosureStore } from './file-store.js';
import { SegmentMover, type MoverOptions } from './mover.js';
import { RedisDisclosureStore } from './redis-store.js';
import type { RateLimits } from '../limits/rate-limit.js';
import { Retention } from './retention.js';
import type { LogKey } from './segment.js';
import { TieredDisclosureStore } from './tiered-store.js';

/** Where the disclosure log lives: Redis when `REDIS_URL` is set, else the embedded file; and its archive. */
export interface LogLocation {
  REDIS_URL?: string | undefined;
  DISCLOSURE_LOG_FILE?: string | undefined;
  DATA_DIR: string;
  DISCLOSURE_LOG_MIN_REPLICAS?: number;
  DISCLOSURE_LOG_REPLICA_TIMEOUT_MS?: number;
  DISCLOSURE_LOG_HOT_MAX?: number;
  DISCLOSURE_LOG_TRIM_REDIS_URL?: string | undefined;
  DISCLOSURE_ARCHIVE_URL?: string | undefined;
}

/** The hot tier alone: where appends go (the recovery CLI works on it directly). */
export function openHotStore(
  location: LogLocation,
  commandTimeoutMs = 800,
  limits?: RateLimits,
): FileDisclosureStore | RedisDisclosureStore {
  if (location.REDIS_URL)
    return new RedisDisclosureStore({
      url: location.REDIS_URL,
      ...(limits ? { limits } : {}),
      commandTimeoutMs,
      minReplicas: location.DISCLOSURE_LOG_MIN_REPLICAS ?? 0,
      replicaTimeoutMs: location.DISCLOSURE_LOG_REPLICA_TIMEOUT_MS ?? 500,
      hotMax: location.DISCLOSURE_LOG_HOT_MAX ?? 0,
      ...(location.DISCLOSURE_LOG_TRIM_REDIS_URL ? { trimUrl: location.DISCLOSURE_LOG_TRIM_REDIS_URL } : {}),
    });
  return new FileDisclosureStore(
    location.DISCLOSURE_LOG_FILE ?? join(location.DATA_DIR, 'disclosure-log.jsonl'),
    limits,
  );
}

/** Where the archive is: a `postgres://` URL, else an SQLite file (default under DATA_DIR). */
export function archiveLocation(location: LogLocation): string {
  return location.DISCLOSURE_ARCHIVE_URL ?? join(location.DATA_DIR, 'disclosure-archive.sqlite');
}

/** The archive: PostgreSQL for a `postgres://` URL, else an SQLite file. */
export function openArchiveAt(location: LogLocation): DisclosureArchive {
  return openArchive(archiveLocation(location));
}

/**
 * The log key segments are sealed with (ES256), made on first use under DATA_DIR/keys
 * (`disclosure-log.private.json`; its public half beside it is what an auditor verifies with). Every
 * gateway sharing a log shares this key.
 */
export async function logKeys(dataDir: string): Promise<{ sealing: LogKey; verifying: CryptoKey }> {
  const pair = await ensureKeyPair(join(dataDir, 'keys'), 'disclosure-log');
  return {
    sealing: { kid: pair.kid, privateKey: await importKey(pair.privateJwk) },
    verifying: await importKey(pair.publicJwk),
  };
}

/** The configured log in its two tiers, and the mover that seals and moves between them (not started). */
export async function openDisclosureLog(
  location: LogLocation & { DISCLOSURE_LOG_RETENTION?: number | undefined },
  mover: Omit<MoverOptions, 'retentionMs'>,
  commandTimeoutMs = 800,
  limits?: RateLimits,
): Promise<{ store: TieredDisclosureStore; mover: SegmentMover }> {
  const hot = openHotStore(location, commandTimeoutMs, limits);
  const archive = openArchiveAt(location);
  const keys = await logKeys(location.DATA_DIR);
  const retentionMs = location.DISCLOSURE_LOG_RETENTION ?? null;
  const retention = new Retention(archive);
  return {
    store: new TieredDisclosureStore(hot, archive, keys.verifying),
    mover: new SegmentMover(hot, archive, keys.sealing, { ...mover, retentionMs }, (now) =>
      retentionMs === null ? Promise.resolve(0) : retention.expire(now.getTime() - retentionMs),
    ),
  };
}
