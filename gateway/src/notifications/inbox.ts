import { EventEmitter } from 'node:events';
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { connectRedis, type RedisClient } from '../redis-connection.js';
import { whenReady } from '../redis-ready.js';

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

/** Notification inboxes: idempotent puts, reads per reader, acknowledgements; tells listeners of new items. */
export interface InboxStore {
  readonly kind: 'file' | 'redis';
  readonly arrivals: EventEmitter;
  has(id: string): Promise<boolean>;
  /** Adds the item unless one with its id exists; true when added. */
  put(item: InboxItem): Promise<boolean>;
  get(id: string): Promise<InboxItem | null>;
  /** The reader's items, newest first. */
  forReader(reader: Reader): Promise<InboxItem[]>;
  acknowledge(id: string, by: string, at: string): Promise<InboxItem | null>;
  /** Every item. */
  all(): Promise<InboxItem[]>;
  /** Whether a webhook delivery (by key) was accepted by its receiver; and marking it so. */
  wasSent(key: string): Promise<boolean>;
  markSent(key: string): Promise<void>;
  close(): Promise<void>;
}

/** The embedded inbox: a JSON-lines file (items and acknowledgements), held in memory; one gateway. */
export class FileInboxStore implements InboxStore {
  readonly kind = 'file';
  readonly arrivals = new EventEmitter();
  private readonly items = new Map<string, InboxItem>();
  private readonly sent = new Set<string>();

  constructor(private readonly file: string) {
    mkdirSync(dirname(file), { recursive: true });
    if (existsSync(file))
      for (const line of readFileSync(file, 'utf8').split('\n')) {
        if (!line) continue;
        const entry = JSON.parse(line) as {
          item?: InboxItem;
          ack?: { id: string; by: string; at: string };
          sent?: string;
        };
        if (entry.item) this.items.set(entry.item.id, entry.item);
        if (entry.sent) this.sent.add(entry.sent);
        if (entry.ack) {
          const item = this.items.get(entry.ack.id);
          if (item) Object.assign(item, { acknowledgedAt: entry.ack.at, acknowledgedBy: entry.ack.by });
        }
      }
    this.arrivals.setMaxListeners(0);
  }

  async has(id: string) {
    return this.items.has(id);
  }

  async put(item: InboxItem) {
    if (this.items.has(item.id)) return false;
    appendFileSync(this.file, `${JSON.stringify({ item })}\n`);
    this.items.set(item.id, item);
    this.arrivals.emit('item', item);
    return true;
  }

  async get(id: string) {
    return this.items.get(id) ?? null;
  }

  async forReader(reader: Reader) {
    const mine = new Set(addressesOf(reader));
    return onePerEvent([...this.items.values()].filter((i) => mine.has(addressKey(i.to))));
  }

  async acknowledge(id: string, by: string, at: string) {
    const item = this.items.get(id);
    if (!item) return null;
    if (!item.acknowledgedAt) {
      appendFileSync(this.file, `${JSON.stringify({ ack: { id, by, at } })}\n`);
      Object.assign(item, { acknowledgedAt: at, acknowledgedBy: by });
    }
    return item;
  }

  async all() {
    return [...this.items.values()];
  }

  async wasSent(key: string) {
    return this.sent.has(key);
  }

  async markSent(key: string) {
    if (this.sent.has(key)) return;
    appendFileSync(this.file, `${JSON.stringify({ sent: key })}\n`);
    this.sent.add(key);
  }

  async close() {}
}

const P = 'macpt:inbox:';

/**
 * The inbox on Redis, shared by every gateway: items in a hash (HSETNX: one per id, whoever retries),
 * each address's items in a sorted set by delivery time; arrivals published so every gateway's live
 * streams hear of them.
 */
export class RedisInboxStore implements InboxStore {
  readonly kind = 'redis';
  readonly arrivals = new EventEmitter();
  private readonly redis: RedisClient;
  private readonly subscriber: RedisClient;

  constructor(url: string) {
    this.redis = connectRedis(url, { maxRetriesPerRequest: 1, enableOfflineQueue: false });
    this.redis.on('error', () => undefined);
    this.subscriber = connectRedis(url, { maxRetriesPerRequest: 1 });
    this.subscriber.on('error', () => undefined);
    this.arrivals.setMaxListeners(0);
    void this.subscriber.subscribe(`${P}arrivals`).catch(() => undefined);
    this.subscriber.on('message', (_channel, message) => this.arrivals.emit('item', JSON.parse(message)));
  }

  private async ready() {
    await whenReady(this.redis, 2_000);
  }

  async has(id: string) {
    await this.ready();
    return (await this.redis.hexists(`${P}items`, id)) === 1;
  }

  async put(item: InboxItem) {
    await this.ready();
    const added = await this.redis.hsetnx(`${P}items`, item.id, JSON.stringify(item));
    if (added !== 1) return false;
    await this.redis
      .multi()
      .zadd(`${P}to:${addressKey(item.to)}`, Date.parse(item.deliveredAt), item.id)
      .publish(`${P}arrivals`, JSON.stringify(item))
      .exec();
    return true;
  }

  async get(id: string) {
    await this.ready();
    const raw = await this.redis.hget(`${P}items`, id);
    return raw ? (JSON.parse(raw) as InboxItem) : null;
  }

  async forReader(reader: Reader) {
    await this.ready();
    const ids = (await Promise.all(addressesOf(reader).map((a) => this.redis.zrevrange(`${P}to:${a}`, 0, 999)))).flat();
    if (ids.length === 0) return [];
    const items = (await this.redis.hmget(`${P}items`, ...ids)).flatMap((raw) =>
      raw ? [JSON.parse(raw) as InboxItem] : [],
    );
    return onePerEvent(items);
  }

  async acknowledge(id: string, by: string, at: string) {
    const item = await this.get(id);
    if (!item) return null;
    if (!item.acknowledgedAt) {
      Object.assign(item, { acknowledgedAt: at, acknowledgedBy: by });
      await this.redis.hset(`${P}items`, id, JSON.stringify(item));
    }
    return item;
  }

  async all() {
    await this.ready();
    return Object.values(await this.redis.hgetall(`${P}items`)).map((raw) => JSON.parse(raw) as InboxItem);
  }

  async wasSent(key: string) {
    await this.ready();
    return (await this.redis.sismember(`${P}sent`, key)) === 1;
  }

  async markSent(key: string) {
    await this.ready();
    await this.redis.sadd(`${P}sent`, key);
  }

  async close() {
    this.redis.disconnect();
    this.subscriber.disconnect();
  }
}
