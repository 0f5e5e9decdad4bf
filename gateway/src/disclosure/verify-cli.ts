import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { redisAddress } from '../redis-connection.js';
import { SegmentCheckPool } from './archive/verify-pool.js';
import { archiveLocation, openDisclosureLog } from './open.js';
import type { Anchor } from './store.js';

// `npm run -s audit:verify`: verifies the log in both tiers, in the stores chosen by the same environment as
// the gateway (REDIS_URL, DISCLOSURE_LOG_FILE, DISCLOSURE_ARCHIVE_URL, DATA_DIR). Each run that finds it
// whole notes its head and its last sealed segment in an anchor file kept outside the stores
// (DISCLOSURE_LOG_ANCHOR, default <DATA_DIR>/disclosure-log.anchor.json). The next run proves the log still
// holds that head (a log emptied or cut short together with its head is not "OK"), and re-reads only the
// segments sealed since: the anchored segment's signed head vouches for every one before it.
const dataDir = process.env.DATA_DIR ?? resolve('data');
const anchorFile = process.env.DISCLOSURE_LOG_ANCHOR ?? join(dataDir, 'disclosure-log.anchor.json');
const location = {
  REDIS_URL: redisAddress(process.env),
  DISCLOSURE_LOG_FILE: process.env.DISCLOSURE_LOG_FILE,
  DISCLOSURE_ARCHIVE_URL: process.env.DISCLOSURE_ARCHIVE_URL,
  DATA_DIR: dataDir,
};
const { store } = await openDisclosureLog(location, { segmentRecords: 1, sealAfterMs: 0, hotRecords: 0 }, 5000);
// Segments are re-hashed side by side, one thread per core (AUDIT_VERIFY_THREADS to choose another number).
const threads = process.env.AUDIT_VERIFY_THREADS === undefined ? undefined : Number(process.env.AUDIT_VERIFY_THREADS);
if (threads !== undefined && !(Number.isInteger(threads) && threads >= 1 && threads <= 64)) {
  console.error(`AUDIT_VERIFY_THREADS must be a whole number from 1 to 64, not "${process.env.AUDIT_VERIFY_THREADS}"`);
  process.exit(2);
}
const pool = new SegmentCheckPool(archiveLocation(location), threads);
try {
  const anchor = existsSync(anchorFile) ? (JSON.parse(readFileSync(anchorFile, 'utf8')) as Anchor) : undefined;
  const started = performance.now();
  const result = await store.verify(anchor, pool);
  const seconds = (performance.now() - started) / 1000;
  if (result.ok) {
    if (result.count > 0) {
      const next: Anchor & { at: string } = {
        seq: result.count,
        hash: result.headHash,
        ...(result.sealed ? { segment: result.sealed.n, head: result.sealed.head } : {}),
        at: new Date().toISOString(),
      };
      writeFileSync(`${anchorFile}.tmp`, JSON.stringify(next));
      renameSync(`${anchorFile}.tmp`, anchorFile);
    }
    console.log(
      `OK ${result.count} records: ${result.segments} sealed segments (signatures, links and heads checked); ${result.rehashed} records re-hashed in ${seconds.toFixed(1)} s${anchor?.segment ? `, those up to segment ${anchor.segment} vouched for by the anchor` : ''}; ${result.expired} expired under retention`,
    );
    process.exitCode = 0;
  } else {
    console.log(`BROKEN after ${result.count} good records: ${result.problem}`);
    process.exitCode = 1;
  }
} catch (error) {
  console.error(`Could not read the disclosure log: ${(error as Error).message}`);
  process.exitCode = 2;
} finally {
  await pool.close();
  await store.close();
}
