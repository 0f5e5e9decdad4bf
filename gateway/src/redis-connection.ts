import { Cluster, Redis, type RedisOptions } from 'ioredis';

/** The scheme of a Redis reached through Sentinel: `redis-sentinel://host:port,host:port/<master name>`. */
const SENTINEL = 'redis-sentinel://';
/** The scheme of a Redis Cluster: `redis-cluster://host:port,host:port` (any of its nodes; the rest are discovered). */
const CLUSTER = 'redis-cluster://';

/** A connection to one Redis (possibly found through Sentinel) or to a Redis Cluster. */
export type RedisClient = Redis | Cluster;

/**
 * Where the gateway's Redis is, as one string: `redis://…` for one server; built from
 * `REDIS_SENTINELS` and `REDIS_SENTINEL_NAME`, a `redis-sentinel://` address that ioredis resolves to
 * whichever server Sentinel says is the primary (and follows through a failover); built from
 * `REDIS_CLUSTER_NODES`, a `redis-cluster://` address.
 */
export function redisAddress(env: {
  REDIS_URL?: string | undefined;
  REDIS_SENTINELS?: string | undefined;
  REDIS_SENTINEL_NAME?: string | undefined;
  REDIS_CLUSTER_NODES?: string | undefined;
}): string | undefined {
  if (env.REDIS_CLUSTER_NODES) return `${CLUSTER}${env.REDIS_CLUSTER_NODES}`;
  if (env.REDIS_SENTINELS) return `${SENTINEL}${env.REDIS_SENTINELS}/${env.REDIS_SENTINEL_NAME ?? 'macpt'}`;
  return env.REDIS_URL;
}

/** Whether the address is a Redis Cluster's (keys that must stay together then need a hash tag). */
export function isClusterAddress(address: string): boolean {
  return address.startsWith(CLUSTER);
}

const hostPorts = (list: string, defaultPort: string) =>
  list.split(',').map((h) => {
    const [host = '127.0.0.1', port = defaultPort] = h.split(':');
    return { host, port: Number(port) };
  });

/** Connections that have been ready at least once: for them, not ready means the connection was lost. */
const connectedOnce = new WeakSet<RedisClient>();

/** Whether this connection (made by {@link connectRedis}) has ever been ready. */
export function hasBeenReady(redis: RedisClient): boolean {
  return connectedOnce.has(redis);
}

/** Opens a connection to the address (see {@link redisAddress}) with these options. */
export function connectRedis(address: string, options: RedisOptions = {}): RedisClient {
  const client = open(address, options);
  client.once('ready', () => connectedOnce.add(client));
  return client;
}

function open(address: string, options: RedisOptions): RedisClient {
  if (isClusterAddress(address)) {
    const { enableOfflineQueue, lazyConnect, retryStrategy: _each, ...perNode } = options;
    // The options that keep the gateway failing closed (no retries, a deadline per command) hold on
    // every node's connection; the offline queue is the cluster's own (commands wait for its slot map).
    return new Cluster(hostPorts(address.slice(CLUSTER.length), '6379'), {
      enableOfflineQueue: enableOfflineQueue ?? true,
      lazyConnect: lazyConnect ?? false,
      redisOptions: perNode,
      clusterRetryStrategy: (times) => Math.min(times * 100, 1000),
      slotsRefreshTimeout: 1000,
      // A moved slot or a failing-over node is retried briefly, never past each command's deadline.
      retryDelayOnFailover: 100,
      retryDelayOnClusterDown: 100,
      maxRedirections: 4,
    });
  }
  if (!address.startsWith(SENTINEL)) return new Redis(address, options);
  const [hosts = '', name = 'macpt'] = address.slice(SENTINEL.length).split('/');
  // Sentinel answers fast or not at all: a failover is seen within its own timeouts, not ioredis's defaults.
  return new Redis({
    ...options,
    sentinels: hostPorts(hosts, '26379'),
    name,
    role: 'master',
    sentinelRetryStrategy: (t) => Math.min(t * 100, 1000),
  });
}
