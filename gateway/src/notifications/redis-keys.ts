import { isClusterAddress } from '../redis-connection.js';
import type { InboxItem } from './inbox.js';

/** The channel every gateway hears arrivals on. */
export const ARRIVALS = 'macpt:inbox:arrivals';

/**
 * The inbox's keys on Redis. On a Cluster they carry the hash tag `{inbox}` (one slot, so an item and
 * its indexes change in one transaction); every key matches `macpt:inbox:*` either way. A claim on a
 * webhook delivery is a key of its own (`macpt:inbox:lock:<delivery>`), never in a transaction.
 */
export function inboxKeys(address: string) {
  const p = isClusterAddress(address) ? 'macpt:inbox:{inbox}:' : 'macpt:inbox:';
  return {
    /** id → the item as delivered (HSETNX: one per id). */
    items: `${p}items`,
    /** id → the first acknowledgement `{at, by}` (HSETNX: the first stands). */
    acks: `${p}acks`,
    /** An address's items by delivery time. */
    to: (address: string) => `${p}to:${address}`,
    /** An LA's unacknowledged items by due time ('-': items of no LA): the overdue list and expiry. */
    due: (la: string | null) => `${p}due:${la ?? '-'}`,
    /** The LAs (as in `due`) with items. */
    las: `${p}las`,
    /** Acknowledged items by acknowledgement time: when each leaves. */
    acked: `${p}acked`,
    /** An LA's items that have left, `<week>|<band>` → count (the partnership figures). */
    tally: (la: string) => `${p}tally:${la}`,
    /** A webhook's deliveries waiting, by when each is next tried. */
    pending: (webhook: string) => `${p}webhook:pending:${webhook}`,
    /** delivery → the item it is decided for. */
    deliveryItem: `${p}webhook:item`,
    /** delivery → attempts that failed. */
    attempts: `${p}webhook:attempts`,
    /** delivery → when it was accepted (or withheld); kept for the retention. */
    sent: `${p}webhook:sent`,
    lock: (delivery: string) => `macpt:inbox:lock:${delivery}`,
  };
}

export type InboxKeys = ReturnType<typeof inboxKeys>;

/** A transaction's replies, or a throw when it did not commit whole (`null`: a watched key changed). */
export function committed(replies: [Error | null, unknown][] | null): unknown[] | null {
  if (replies === null) return null;
  const failed = replies.find(([error]) => error);
  if (failed) throw failed[0];
  return replies.map(([, reply]) => reply);
}

/** An item as held, with its acknowledgement (kept apart, so the first one stands whichever gateway takes it). */
export function withAck(raw: string | null, ack: string | null | undefined): InboxItem | null {
  if (!raw) return null;
  const item = JSON.parse(raw) as InboxItem;
  if (ack && !item.acknowledgedAt) {
    const { at, by } = JSON.parse(ack) as { at: string; by: string };
    Object.assign(item, { acknowledgedAt: at, acknowledgedBy: by });
  }
  return item;
}
