import { hasBeenReady, type RedisClient } from './redis-connection.js';

/**
 * Waits, at most `ms`, for a connection still being made for the first time: with the offline queue
 * off (fail closed), a command sent before the connection is ready would fail at once. A connection
 * that was ready and is not now has lost Redis: it fails at once rather than wait for a reconnect, so
 * a request refused while Redis is down is refused promptly (the client reconnects by itself).
 */
export async function whenReady(redis: RedisClient, ms: number): Promise<void> {
  if (redis.status === 'ready') return;
  if (hasBeenReady(redis)) throw new Error(`Redis is not reachable (connection lost: ${redis.status})`);
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
