import { connectRedis, redisAddress } from '../redis-connection.js';
import { APPEND_FUNCTION, installAppendFunction } from './redis-function.js';

// `npm run -s audit:install-redis` (deploy time): loads the disclosure log's append function into Redis
// with an administrative connection (REDIS_ADMIN_URL, else REDIS_URL). The gateway's own Redis user may
// then call it, and nothing else of the kind: it can neither load functions nor run scripts.
const url = process.env.REDIS_ADMIN_URL ?? redisAddress(process.env);
if (!url) {
  console.error(
    'Set REDIS_ADMIN_URL (or REDIS_URL) to the Redis the gateways will use, as a user allowed FUNCTION LOAD.',
  );
  process.exit(2);
}
const redis = connectRedis(url, { maxRetriesPerRequest: 1, lazyConnect: true });
try {
  await redis.connect();
  console.log(`${await installAppendFunction(redis)}: ${APPEND_FUNCTION}`);
} catch (error) {
  console.error(`Could not load the append function: ${(error as Error).message}`);
  process.exitCode = 1;
} finally {
  redis.disconnect();
}
