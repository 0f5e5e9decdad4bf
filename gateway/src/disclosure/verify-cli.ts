import { resolve } from 'node:path';
import { openDisclosureStore } from './open.js';

// `npm run -s audit:verify`: walks the whole chain in the store chosen by the same environment as the gateway.
const store = openDisclosureStore({ REDIS_URL: process.env.REDIS_URL, DISCLOSURE_LOG_FILE: process.env.DISCLOSURE_LOG_FILE, DATA_DIR: process.env.DATA_DIR ?? resolve('data') }, 5000);
try {
  const result = await store.verify();
  if (result.ok) {
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
