import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { redisAddress } from '../redis-connection.js';
import { openDisclosureStore } from './open.js';
import type { Anchor } from './store.js';

// `npm run -s audit:verify`: walks the whole chain in the store chosen by the same environment as the
// gateway. Each run that finds the chain whole notes its head in an anchor file kept outside the store
// (DISCLOSURE_LOG_ANCHOR, default <DATA_DIR>/disclosure-log.anchor.json); the next run also proves the
// log still holds that record, so a log emptied or cut short together with its head is not "OK".
const dataDir = process.env.DATA_DIR ?? resolve('data');
const anchorFile = process.env.DISCLOSURE_LOG_ANCHOR ?? join(dataDir, 'disclosure-log.anchor.json');
const store = openDisclosureStore(
  { REDIS_URL: redisAddress(process.env), DISCLOSURE_LOG_FILE: process.env.DISCLOSURE_LOG_FILE, DATA_DIR: dataDir },
  5000,
);
try {
  const anchor = existsSync(anchorFile) ? (JSON.parse(readFileSync(anchorFile, 'utf8')) as Anchor) : undefined;
  const result = await store.verify(anchor);
  if (result.ok) {
    if (result.count > 0) {
      writeFileSync(
        `${anchorFile}.tmp`,
        JSON.stringify({ seq: result.count, hash: result.headHash, at: new Date().toISOString() }),
      );
      renameSync(`${anchorFile}.tmp`, anchorFile);
    }
    console.log(`OK ${result.count}`);
    process.exitCode = 0;
  } else {
    console.log(`BROKEN after ${result.count} good records: ${result.problem}`);
    process.exitCode = 1;
  }
} catch (error) {
  console.error(`Could not read the disclosure log: ${(error as Error).message}`);
  process.exitCode = 2;
} finally {
  await store.close();
}
