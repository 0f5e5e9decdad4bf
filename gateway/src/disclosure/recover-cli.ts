import { userInfo } from 'node:os';
import { existsSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { FileDisclosureStore } from './file-store.js';
import { redisAddress } from '../redis-connection.js';
import { openHotStore } from './open.js';

// `npm run -s audit:recover -- --reason "..."`: lets a log that disagrees with its head (records cut off
// the end while the gateway was stopped, say) go on, recording the recovery in the chain itself. The
// gateway refuses to append to such a log until this has been run.
const { values } = parseArgs({ options: { reason: { type: 'string' } } });
if (!values.reason || values.reason.trim().length < 20) {
  console.error(
    'Say why, in at least 20 characters: npm run -s audit:recover -- --reason "Restored from backup after disk failure; IG informed."',
  );
  process.exit(2);
}
const dataDir = process.env.DATA_DIR ?? resolve('data');
const store = openHotStore(
  { REDIS_URL: redisAddress(process.env), DISCLOSURE_LOG_FILE: process.env.DISCLOSURE_LOG_FILE, DATA_DIR: dataDir },
  5000,
);
try {
  if (!(store instanceof FileDisclosureStore))
    throw new Error(
      'recovery applies to the embedded file log; a Redis log is recovered from its replicas and backups',
    );
  const problem = store.problem();
  if (!problem) {
    console.log('OK: the log agrees with its head; nothing to recover.');
  } else {
    const record = await store.recover(values.reason.trim(), `${userInfo().username}@audit:recover`);
    // The loss is now on the record: audit:verify's anchor moves to the recovery, which it must find from now on.
    const anchorFile = process.env.DISCLOSURE_LOG_ANCHOR ?? join(dataDir, 'disclosure-log.anchor.json');
    if (existsSync(anchorFile))
      writeFileSync(
        anchorFile,
        JSON.stringify({ seq: record.seq, hash: record.hash, at: record.time, recovery: record.id }),
      );
    console.log(`RECOVERED: ${problem}. Recorded as seq ${record.seq} (${record.id}); the chain goes on from it.`);
  }
} catch (error) {
  console.error(`Could not recover the disclosure log: ${(error as Error).message}`);
  process.exitCode = 1;
} finally {
  await store.close();
}
