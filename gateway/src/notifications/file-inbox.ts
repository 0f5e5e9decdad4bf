import { EventEmitter } from 'node:events';
import { appendFileSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import {
  addressesOf,
  addressKey,
  DEFAULT_RETENTION_MS,
  type Delivery,
  type DeliveryQueue,
  deliveryKeys,
  type InboxItem,
  type InboxOptions,
  type InboxStore,
  leavesAt,
  onePerEvent,
  parseTally,
  type Reader,
  tallyOf,
  type WebhookRoute,
} from './inbox.js';

/** One line of the file. */
interface Entry {
  item?: InboxItem;
  ack?: { id: string; by: string; at: string };
  sent?: string;
  /** When it was sent (lines written before retention carry none: then, when the file was read). */
  at?: number;
  tally?: { la: string; field: string; n: number };
}

/** A webhook delivery waiting, in memory: derived from the items and what was sent when the file is read. */
interface Pending {
  itemId: string;
  next: number;
  attempts: number;
}

/**
 * The embedded inbox: a JSON-lines file (items, acknowledgements, webhook deliveries sent, and the
 * tallies of items that have left), held in memory; one gateway. Removing items rewrites the file
 * (to a temporary file, then renamed over it).
 */
export class FileInboxStore implements InboxStore {
  readonly kind = 'file';
  readonly arrivals = new EventEmitter();
  readonly deliveries: DeliveryQueue;
  private readonly items = new Map<string, InboxItem>();
  /** Unacknowledged items by LA ('' for none): what the overdue list reads. */
  private readonly outstanding = new Map<string, Set<string>>();
  private readonly sent = new Map<string, number>();
  private readonly pending = new Map<string, Pending>();
  private readonly tallied = new Map<string, Map<string, number>>();
  private readonly retentionMs: number;
  private readonly webhooks: readonly WebhookRoute[];

  constructor(
    private readonly file: string,
    options: InboxOptions = {},
  ) {
    this.retentionMs = options.retentionMs ?? DEFAULT_RETENTION_MS;
    this.webhooks = options.webhooks ?? [];
    mkdirSync(dirname(file), { recursive: true });
    const read = Date.now();
    if (existsSync(file))
      for (const line of readFileSync(file, 'utf8').split('\n')) {
        if (!line) continue;
        const entry = JSON.parse(line) as Entry;
        if (entry.item) this.items.set(entry.item.id, entry.item);
        if (entry.sent) this.sent.set(entry.sent, entry.at ?? read);
        if (entry.tally) this.tally(entry.tally.la, entry.tally.field, entry.tally.n);
        if (entry.ack) {
          const item = this.items.get(entry.ack.id);
          if (item) Object.assign(item, { acknowledgedAt: entry.ack.at, acknowledgedBy: entry.ack.by });
        }
      }
    for (const item of this.items.values()) this.index(item);
    this.arrivals.setMaxListeners(0);
    this.deliveries = this.queue();
  }

  private outstandingOf(la: string | null) {
    let ids = this.outstanding.get(la ?? '');
    if (!ids) this.outstanding.set(la ?? '', (ids = new Set()));
    return ids;
  }

  /** Indexes an item held: outstanding until acknowledged; its webhook deliveries pending until sent. */
  private index(item: InboxItem) {
    if (!item.acknowledgedAt) this.outstandingOf(item.la).add(item.id);
    for (const key of deliveryKeys(item, this.webhooks))
      if (!this.sent.has(key) && !this.pending.has(key))
        this.pending.set(key, { itemId: item.id, next: 0, attempts: 0 });
  }

  private tally(la: string, field: string, n: number) {
    let counts = this.tallied.get(la);
    if (!counts) this.tallied.set(la, (counts = new Map()));
    counts.set(field, (counts.get(field) ?? 0) + n);
  }

  async has(id: string) {
    return this.items.has(id);
  }

  async put(item: InboxItem) {
    if (this.items.has(item.id)) return false;
    appendFileSync(this.file, `${JSON.stringify({ item })}\n`);
    this.items.set(item.id, item);
    this.index(item);
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
      this.outstandingOf(item.la).delete(id);
    }
    return item;
  }

  async overdue(la: string, now: number) {
    return [...(this.outstanding.get(la) ?? [])]
      .flatMap((id) => this.items.get(id) ?? [])
      .filter((i) => Date.parse(i.dueBy) < now)
      .sort((a, b) => a.dueBy.localeCompare(b.dueBy));
  }

  async all() {
    return [...this.items.values()];
  }

  async tallies(la: string) {
    return [...(this.tallied.get(la) ?? [])].map(([field, n]) => parseTally(field, n));
  }

  async sweep(now: number) {
    const gone = [...this.items.values()].filter((i) => leavesAt(i, this.retentionMs) <= now);
    for (const item of gone) {
      this.items.delete(item.id);
      this.outstandingOf(item.la).delete(item.id);
      const t = tallyOf(item, new Date(now).toISOString());
      if (t) this.tally(t.la, t.field, 1);
    }
    // What was sent is remembered while an item it was for is held, and for the retention after.
    const held = new Set([...this.items.values()].flatMap((i) => deliveryKeys(i, this.webhooks)));
    const forgotten = [...this.sent].filter(([key, at]) => at + this.retentionMs <= now && !held.has(key));
    for (const [key] of forgotten) this.sent.delete(key);
    if (gone.length > 0 || forgotten.length > 0) this.rewrite();
    return gone.length;
  }

  /** The file as it now stands, replacing the old one whole (a crash leaves one or the other). */
  private rewrite() {
    const lines: Entry[] = [
      ...[...this.items.values()].map((item) => ({ item })),
      ...[...this.sent].map(([sent, at]) => ({ sent, at })),
      ...[...this.tallied].flatMap(([la, counts]) => [...counts].map(([field, n]) => ({ tally: { la, field, n } }))),
    ];
    const temporary = `${this.file}.${process.pid}.tmp`;
    writeFileSync(temporary, lines.map((l) => `${JSON.stringify(l)}\n`).join(''));
    renameSync(temporary, this.file);
  }

  /** The webhook deliveries waiting, in memory (one gateway: no other attempts them). */
  private queue(): DeliveryQueue {
    const { pending, sent, items, file } = this;
    return {
      due: async (now, limit) =>
        [...pending]
          .filter(([, p]) => p.next <= now)
          .sort(([, a], [, b]) => a.next - b.next)
          .slice(0, limit)
          .map(([key, p]): Delivery => ({ key, webhook: key.split('|')[0]!, item: items.get(p.itemId) ?? null })),
      claim: async (key, now, leaseMs) => {
        const p = pending.get(key);
        if (!p || p.next > now) return false;
        p.next = now + leaseMs;
        return true;
      },
      wasSent: async (key) => sent.has(key),
      settle: async (key, now) => {
        pending.delete(key);
        if (sent.has(key)) return;
        appendFileSync(file, `${JSON.stringify({ sent: key, at: now })}\n`);
        sent.set(key, now);
      },
      retry: async (key, nextAt) => {
        const p = pending.get(key);
        if (!p) return 0;
        p.attempts++;
        p.next = nextAt(p.attempts);
        return p.attempts;
      },
    };
  }

  async close() {}
}
