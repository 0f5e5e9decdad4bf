import type { EventEmitter } from 'node:events';
import { weekOf } from '@macpt/contract';

/** Who an item is for: one user, or whoever holds a role (of an LA, of a school). */
export type Address = { kind: 'user'; id: string } | { kind: 'role'; role: string; la?: string; school?: string };

/** One notification in one recipient's inbox. */
export interface InboxItem {
  /** sha256(event id, recipient): one item per recipient per event, however often the event is retried. */
  id: string;
  eventId: string;
  rule: string;
  ruleName: string;
  agency: string;
  kind: string;
  nhsNumber: string;
  /** The child's LA (from the open case), for the LCPP's overdue list. */
  la: string | null;
  occurredAt: string;
  deliveredAt: string;
  dueBy: string;
  /** Only the fields the rule lets this recipient receive. */
  fields: Record<string, string>;
  lawfulBasis: string;
  to: Address;
  /** The disclosure record written before the item could be seen. */
  recordId: string;
  acknowledgedAt: string | null;
  acknowledgedBy: string | null;
}

/** The reader an address is matched against: from the verified token. */
export interface Reader {
  id: string;
  role: string;
  la: string | null;
  school?: string | null;
}

/**
 * One item per event and rule for a reader who is reached at two addresses (an LCPP who is also a named
 * worker on the case): the one addressed to them by name is kept. Newest first.
 */
export function onePerEvent(items: readonly InboxItem[]): InboxItem[] {
  const byEvent = new Map<string, InboxItem>();
  for (const item of items) {
    const key = `${item.eventId}|${item.rule}`;
    const seen = byEvent.get(key);
    if (!seen || (seen.to.kind === 'role' && item.to.kind === 'user')) byEvent.set(key, item);
  }
  return [...byEvent.values()].sort((a, b) => b.deliveredAt.localeCompare(a.deliveredAt));
}

export const addressKey = (a: Address) =>
  a.kind === 'user' ? `user:${a.id}` : `role:${a.role}:${a.la ?? ''}:${a.school ?? ''}`;

/** The addresses a reader's items may be sent to. */
export const addressesOf = (r: Reader): string[] => [
  addressKey({ kind: 'user', id: r.id }),
  addressKey({ kind: 'role', role: r.role, ...(r.la ? { la: r.la } : {}) }),
  ...(r.school ? [addressKey({ kind: 'role', role: r.role, school: r.school })] : []),
];

/** How long an acknowledged or expired item stays in the inbox unless configured: 30 days. */
export const DEFAULT_RETENTION_MS = 30 * 86_400_000;

/**
 * When an item leaves the inbox: `retentionMs` after it was acknowledged; one never acknowledged has
 * expired `retentionMs` past its due time, and leaves then (it is on the overdue list until then).
 */
export const leavesAt = (item: InboxItem, retentionMs: number) =>
  Date.parse(item.acknowledgedAt ?? item.dueBy) + retentionMs;

/** How an item was acknowledged, as the partnership figures count it. */
export function acknowledgementBand(item: InboxItem, now: string): string {
  if (item.acknowledgedAt) return item.acknowledgedAt <= item.dueBy ? 'ACKNOWLEDGED_BY_DUE_TIME' : 'ACKNOWLEDGED_LATE';
  return item.dueBy < now ? 'NOT_ACKNOWLEDGED_OVERDUE' : 'NOT_YET_DUE';
}

/** Items of an LA that have left the inbox, counted by the week they were delivered and how they were acknowledged. */
export interface Tally {
  week: string;
  band: string;
  count: number;
}

/** The tally an item leaving the inbox adds to (none for an item of no LA: no figures count it). */
export const tallyOf = (item: InboxItem, now: string) =>
  item.la ? { la: item.la, field: `${weekOf(item.deliveredAt)}|${acknowledgementBand(item, now)}` } : null;

export const parseTally = (field: string, count: number): Tally => {
  const [week = '', band = ''] = field.split('|');
  return { week, band, count };
};

/** A webhook as the inbox sees it: which rules' items it takes. */
export interface WebhookRoute {
  name: string;
  rules: readonly string[];
}

/** One delivery per webhook, event and rule (an event told to three recipients is POSTed once). */
export const deliveryKeys = (item: InboxItem, webhooks: readonly WebhookRoute[]) =>
  webhooks.filter((w) => w.rules.includes(item.rule)).map((w) => `${w.name}|${item.eventId}|${item.rule}`);

/** A webhook delivery due now, with the item it is decided for (null once that item has left the inbox). */
export interface Delivery {
  key: string;
  webhook: string;
  item: InboxItem | null;
}

/**
 * Webhook deliveries waiting to be made: the dispatcher's own pending set, by when each is next tried,
 * so finding work reads what is pending, never the inbox's history. Shared by every gateway: a delivery
 * is attempted by one of them at a time.
 */
export interface DeliveryQueue {
  /** Deliveries whose next attempt is due by `now`, soonest first, at most `limit` of each webhook. */
  due(now: number, limit: number): Promise<Delivery[]>;
  /** Takes a delivery for one attempt of at most `leaseMs`; false while another attempt holds it. */
  claim(key: string, now: number, leaseMs: number): Promise<boolean>;
  /** Whether it was accepted by its receiver (or withheld) already. */
  wasSent(key: string): Promise<boolean>;
  /** Accepted, withheld, or its item has left: it is no longer pending, and is remembered as sent. */
  settle(key: string, now: number): Promise<void>;
  /** Not accepted: counts the attempt (across gateways), tries it again at `nextAt(attempts)`; returns the count. */
  retry(key: string, nextAt: (attempts: number) => number): Promise<number>;
}

/** Options of both inboxes. */
export interface InboxOptions {
  /** How long an acknowledged or expired item stays (see {@link leavesAt}). */
  retentionMs?: number;
  /** Webhooks whose deliveries are queued as items arrive. */
  webhooks?: readonly WebhookRoute[];
}

/** Notification inboxes: idempotent puts, reads per reader, acknowledgements; tells listeners of new items. */
export interface InboxStore {
  readonly kind: 'file' | 'redis';
  readonly arrivals: EventEmitter;
  readonly deliveries: DeliveryQueue;
  has(id: string): Promise<boolean>;
  /** Adds the item unless one with its id exists (and queues its webhook deliveries); true when added. */
  put(item: InboxItem): Promise<boolean>;
  get(id: string): Promise<InboxItem | null>;
  /** The reader's items, newest first. */
  forReader(reader: Reader): Promise<InboxItem[]>;
  /** The first acknowledgement stands; the item as acknowledged, or null when there is no such item. */
  acknowledge(id: string, by: string, at: string): Promise<InboxItem | null>;
  /** Items about an LA's children not acknowledged and due before `now` (ms), earliest due first: outstanding ones only. */
  overdue(la: string, now: number): Promise<InboxItem[]>;
  /** Every item still held (the partnership figures). */
  all(): Promise<InboxItem[]>;
  /** What has left the inbox about an LA's children, for the partnership figures. */
  tallies(la: string): Promise<Tally[]>;
  /** Removes the items past their retention (see {@link leavesAt}), tallied; returns how many left. */
  sweep(now: number): Promise<number>;
  close(): Promise<void>;
}
