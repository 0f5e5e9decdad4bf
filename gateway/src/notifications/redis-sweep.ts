import type { RedisClient } from '../redis-connection.js';
import { addressKey, tallyOf } from './inbox.js';
import { committed, type InboxKeys, withAck } from './redis-keys.js';

/** Items removed per transaction. */
const BATCH = 500;
/** Transactions given up after this many conflicts in one sweep (the next sweep carries on). */
const MAX_CONFLICTS = 5;

/**
 * Removes the items of one index (acknowledged by time, or an LA's unacknowledged by due time) scored
 * at or before `cutoff`: each with its acknowledgement and every index that holds it, counted in its
 * LA's tally, in one transaction. `tx` is a connection of its own: the index is WATCHed from before it
 * is read until EXEC, so if another gateway sweeps (or an item is acknowledged or added) meanwhile,
 * this transaction does nothing and is tried again — an item is tallied once, whoever removes it.
 */
export async function sweepIndex(
  tx: RedisClient,
  k: InboxKeys,
  index: string,
  cutoff: number,
  now: string,
): Promise<number> {
  let removed = 0;
  for (let conflicts = 0; conflicts < MAX_CONFLICTS; ) {
    await tx.watch(index);
    const ids = await tx.zrangebyscore(index, '-inf', cutoff, 'LIMIT', 0, BATCH);
    if (ids.length === 0) {
      await tx.unwatch();
      return removed;
    }
    const [raws, acks] = await Promise.all([tx.hmget(k.items, ...ids), tx.hmget(k.acks, ...ids)]);
    const multi = tx
      .multi()
      .hdel(k.items, ...ids)
      .hdel(k.acks, ...ids)
      .zrem(index, ...ids)
      .zrem(k.acked, ...ids);
    raws.forEach((raw, i) => {
      const item = withAck(raw, acks[i]);
      if (!item) return; // an acknowledgement of an item already gone: only the index entry is left
      multi.zrem(k.due(item.la), item.id).zrem(k.to(addressKey(item.to)), item.id);
      const tally = tallyOf(item, now);
      if (tally) multi.hincrby(k.tally(tally.la), tally.field, 1);
    });
    const replies = committed(await multi.exec());
    if (replies === null) {
      conflicts++;
      continue;
    }
    removed += Number(replies[0]);
    if (ids.length < BATCH) return removed;
  }
  return removed;
}
