import { EventEmitter } from 'node:events';
import { connectRedis, type RedisClient } from '../redis-connection.js';
import { whenReady } from '../redis-ready.js';
import {
  addressesOf,
  addressKey,
  DEFAULT_RETENTION_MS,
  type DeliveryQueue,
  deliveryKeys,
  type InboxItem,
  type InboxOptions,
  type InboxStore,
  onePerEvent,
  parseTally,
  type Reader,
  type WebhookRoute,
} from './inbox.js';
import { redisDeliveries } from './redis-deliveries.js';
import { ARRIVALS, committed, inboxKeys, type InboxKeys, withAck } from './redis-keys.js';
import { sweepIndex } from './redis-sweep.js';

/**
 * The inbox on Redis, shared by every gateway: items in a hash (HSETNX: one per id, whoever retries)
 * and, in the same transaction, their indexes — each address's items by delivery time, each LA's
 * unacknowledged items by due time — and their webhook deliveries; acknowledgements in a hash of their
 * own with an index by time. Arrivals are published so every gateway's live streams hear of them.
 * Acknowledged and expired items leave by {@link RedisInboxStore.sweep}.
 */
export class RedisInboxStore implements InboxStore {
  readonly kind = 'redis';
  readonly arrivals = new EventEmitter();
  readonly deliveries: DeliveryQueue;
  private readonly redis: RedisClient;
  private readonly subscriber: RedisClient;
  private readonly k: InboxKeys;
  private readonly retentionMs: number;
  private readonly webhooks: readonly WebhookRoute[];

  constructor(
    private readonly url: string,
    options: InboxOptions = {},
  ) {
    this.k = inboxKeys(url);
    this.retentionMs = options.retentionMs ?? DEFAULT_RETENTION_MS;
    this.webhooks = options.webhooks ?? [];
    this.redis = connectRedis(url, { maxRetriesPerRequest: 1, enableOfflineQueue: false });
    this.redis.on('error', () => undefined);
    this.subscriber = connectRedis(url, { maxRetriesPerRequest: 1 });
    this.subscriber.on('error', () => undefined);
    this.arrivals.setMaxListeners(0);
    void this.subscriber.subscribe(ARRIVALS).catch(() => undefined);
    this.subscriber.on('message', (_channel, message) => this.arrivals.emit('item', JSON.parse(message)));
    this.deliveries = redisDeliveries(this.redis, this.k, this.webhooks, () => this.ready());
  }

  private async ready() {
    await whenReady(this.redis, 2_000);
  }

  /** The items of these ids still held, with their acknowledgements, in the same order. */
  private async read(ids: readonly string[]): Promise<InboxItem[]> {
    if (ids.length === 0) return [];
    const [raws, acks] = await Promise.all([
      this.redis.hmget(this.k.items, ...ids),
      this.redis.hmget(this.k.acks, ...ids),
    ]);
    return raws.flatMap((raw, i) => withAck(raw, acks[i]) ?? []);
  }

  async has(id: string) {
    await this.ready();
    return (await this.redis.hexists(this.k.items, id)) === 1;
  }

  async put(item: InboxItem) {
    await this.ready();
    const { k } = this;
    // Whole or not at all: an item is never held without the indexes that find it and let it leave.
    const tx = this.redis
      .multi()
      .hsetnx(k.items, item.id, JSON.stringify(item))
      .zadd(k.to(addressKey(item.to)), 'NX', Date.parse(item.deliveredAt), item.id)
      .zadd(k.due(item.la), 'NX', Date.parse(item.dueBy), item.id)
      .sadd(k.las, item.la ?? '-');
    const now = Date.now();
    for (const delivery of deliveryKeys(item, this.webhooks))
      tx.zadd(k.pending(delivery.split('|')[0]!), 'NX', now, delivery).hsetnx(k.deliveryItem, delivery, item.id);
    const [added] = committed(await tx.exec()) ?? [];
    if (added !== 1) return false;
    await this.redis.publish(ARRIVALS, JSON.stringify(item));
    return true;
  }

  async get(id: string) {
    await this.ready();
    return (await this.read([id]))[0] ?? null;
  }

  async forReader(reader: Reader) {
    await this.ready();
    const ids = (await Promise.all(addressesOf(reader).map((a) => this.redis.zrevrange(this.k.to(a), 0, 999)))).flat();
    return onePerEvent(await this.read(ids));
  }

  async acknowledge(id: string, by: string, at: string) {
    const item = await this.get(id);
    if (!item || item.acknowledgedAt) return item;
    const { k } = this;
    const replies = committed(
      await this.redis
        .multi()
        .hsetnx(k.acks, id, JSON.stringify({ at, by }))
        .zadd(k.acked, 'NX', Date.parse(at), id)
        .zrem(k.due(item.la), id)
        .hget(k.acks, id)
        .exec(),
    );
    return withAck(JSON.stringify(item), replies?.[3] as string | null);
  }

  async overdue(la: string, now: number) {
    await this.ready();
    const ids = await this.redis.zrangebyscore(this.k.due(la), '-inf', `(${now}`);
    return (await this.read(ids)).filter((i) => !i.acknowledgedAt);
  }

  async all() {
    await this.ready();
    const [items, acks] = await Promise.all([this.redis.hgetall(this.k.items), this.redis.hgetall(this.k.acks)]);
    return Object.entries(items).flatMap(([id, raw]) => withAck(raw, acks[id]) ?? []);
  }

  async tallies(la: string) {
    await this.ready();
    return Object.entries(await this.redis.hgetall(this.k.tally(la))).map(([field, n]) => parseTally(field, Number(n)));
  }

  /**
   * Removes what is past its retention: acknowledged items `retentionMs` after acknowledgement, and
   * unacknowledged ones `retentionMs` past their due time, each with its indexes and tallied, in a
   * transaction on a connection of its own that WATCHes the index it read (another gateway sweeping
   * the same items makes one of the two commit, never both); and webhook deliveries sent as long ago.
   */
  async sweep(now: number) {
    await this.ready();
    const cutoff = now - this.retentionMs;
    const at = new Date(now).toISOString();
    const tx = connectRedis(this.url, { maxRetriesPerRequest: 1, enableOfflineQueue: true });
    tx.on('error', () => undefined);
    try {
      let removed = await sweepIndex(tx, this.k, this.k.acked, cutoff, at);
      for (const la of await this.redis.smembers(this.k.las))
        removed += await sweepIndex(tx, this.k, this.k.due(la === '-' ? null : la), cutoff, at);
      await this.redis.zremrangebyscore(this.k.sent, '-inf', cutoff);
      return removed;
    } finally {
      tx.disconnect();
    }
  }

  async close() {
    this.redis.disconnect();
    this.subscriber.disconnect();
  }
}
