import { Redis, type RedisOptions } from 'ioredis';

/** The scheme of a Redis reached through Sentinel: `redis-sentinel://host:port,host:port/<master name>`. */
const SENTINEL = 'redis-sentinel://';

/**
 * Where the gateway's Redis is, as one string: `redis://…` for one server, or, built from
 * `REDIS_SENTINELS` and `REDIS_SENTINEL_NAME`, a `redis-sentinel://` address that ioredis resolves to
 * whichever server Sentinel says is the primary (and follows through a failover).
 */
export function redisAddress(env: {
  REDIS_URL?: string | undefined;
  REDIS_SENTINELS?: string | undefined;
  REDIS_SENTINEL_NAME?: string | undefined;
}): string | undefined {
  if (env.REDIS_SENTINELS) return `${SENTINEL}${env.REDIS_SENTINELS}/${env.REDIS_SENTINEL_NAME ?? 'macpt'}`;
  return env.REDIS_URL;
}

/** Opens a connection to the address (see {@link redisAddress}) with these options. */
export function connectRedis(address: string, options: RedisOptions = {}): Redis {
  if (!address.startsWith(SENTINEL)) return new Redis(address, options);
  const [hosts = '', name = 'macpt'] = address.slice(SENTINEL.length).split('/');
  const sentinels = hosts.split(',').map((h) => {
    const [host = '127.0.0.1', port = '26379'] = h.split(':');
    return { host, port: Number(port) };
  });
  // Sentinel answers fast or not at all: a failover is seen within its own timeouts, not ioredis's defaults.
  return new Redis({
    ...options,
    sentinels,
    name,
    role: 'master',
    sentinelRetryStrategy: (t) => Math.min(t * 100, 1000),
  });
}
