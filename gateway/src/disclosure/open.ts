import { join } from 'node:path';
import { FileDisclosureStore } from './file-store.js';
import { RedisDisclosureStore } from './redis-store.js';
import type { DisclosureStore } from './store.js';

/** Where the disclosure log lives: Redis when `REDIS_URL` is set, else the embedded file. */
export interface LogLocation {
  REDIS_URL?: string | undefined;
  DISCLOSURE_LOG_FILE?: string | undefined;
  DATA_DIR: string;
  DISCLOSURE_LOG_MIN_REPLICAS?: number;
  DISCLOSURE_LOG_REPLICA_TIMEOUT_MS?: number;
}

/** Opens the configured store (the verifier CLI and the gateway use the same choice). */
export function openDisclosureStore(location: LogLocation, commandTimeoutMs = 800): DisclosureStore {
  if (location.REDIS_URL)
    return new RedisDisclosureStore({
      url: location.REDIS_URL,
      commandTimeoutMs,
      minReplicas: location.DISCLOSURE_LOG_MIN_REPLICAS ?? 0,
      replicaTimeoutMs: location.DISCLOSURE_LOG_REPLICA_TIMEOUT_MS ?? 500,
    });
  return new FileDisclosureStore(location.DISCLOSURE_LOG_FILE ?? join(location.DATA_DIR, 'disclosure-log.jsonl'));
}
