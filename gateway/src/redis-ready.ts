import type { RedisClient } from './redis-connection.js';

/**
 * Waits, at most `ms`, for a connection still being made: with the offline queue off (fail closed), a
 * command sent before the connection is ready would fail at once.
 */
export async function whenReady(redis: RedisClient, ms: number): Promise<void> {
  if (redis.status === 'ready') return;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      redis.off('ready', onReady);
      reject(new Error(`Redis is not reachable (${redis.status})`));
    }, ms);
    const onReady = () => {
      clearTimeout(timer);
      resolve();
    };
    redis.once('ready', onReady);
  });
}
