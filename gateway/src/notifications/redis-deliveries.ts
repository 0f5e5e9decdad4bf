import type { RedisClient } from '../redis-connection.js';
import type { Delivery, DeliveryQueue, InboxItem, WebhookRoute } from './inbox.js';
import { committed, type InboxKeys } from './redis-keys.js';

const webhookOf = (key: string) => key.split('|')[0]!;

/**
 * The webhook deliveries waiting, on Redis: a sorted set per webhook by next attempt time (added with
 * the item, in its transaction), the item each is decided for, and the attempts that failed. One
 * gateway attempts a delivery at a time: it claims it (`SET NX PX`, a lease longer than an attempt can
 * take), then moves its next attempt past the lease, so other gateways do not see it as due; a gateway
 * that dies mid-attempt leaves it due again when the lease ends.
 */
export function redisDeliveries(
  redis: RedisClient,
  k: InboxKeys,
  webhooks: readonly WebhookRoute[],
  ready: () => Promise<void>,
): DeliveryQueue {
  return {
    async due(now, limit) {
      await ready();
      const keys = (
        await Promise.all(webhooks.map((w) => redis.zrangebyscore(k.pending(w.name), '-inf', now, 'LIMIT', 0, limit)))
      ).flat();
      if (keys.length === 0) return [];
      const ids = await redis.hmget(k.deliveryItem, ...keys);
      const known = ids.filter((id): id is string => id !== null);
      const raws = known.length > 0 ? await redis.hmget(k.items, ...known) : [];
      const byId = new Map(known.map((id, i) => [id, raws[i] ?? null]));
      return keys.map((key, i): Delivery => {
        const raw = byId.get(ids[i] ?? '');
        return { key, webhook: webhookOf(key), item: raw ? (JSON.parse(raw) as InboxItem) : null };
      });
    },

    async claim(key, now, leaseMs) {
      await ready();
      if ((await redis.set(k.lock(key), String(now), 'PX', leaseMs, 'NX')) !== 'OK') return false;
      const next = await redis.zscore(k.pending(webhookOf(key)), key);
      // Settled, or tried again later, by another gateway since it was seen as due.
      if (next === null || Number(next) > now) {
        await redis.del(k.lock(key));
        return false;
      }
      await redis.zadd(k.pending(webhookOf(key)), 'XX', now + leaseMs, key);
      return true;
    },

    async wasSent(key) {
      await ready();
      return (await redis.zscore(k.sent, key)) !== null;
    },

    async settle(key, now) {
      await ready();
      committed(
        await redis
          .multi()
          .zadd(k.sent, 'NX', now, key)
          .zrem(k.pending(webhookOf(key)), key)
          .hdel(k.deliveryItem, key)
          .hdel(k.attempts, key)
          .exec(),
      );
      await redis.del(k.lock(key));
    },

    async retry(key, nextAt) {
      await ready();
      const attempts = await redis.hincrby(k.attempts, key, 1);
      await redis.zadd(k.pending(webhookOf(key)), 'XX', nextAt(attempts), key);
      await redis.del(k.lock(key));
      return attempts;
    },
  };
}
