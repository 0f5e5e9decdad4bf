import { applyDocumentedGatewayAcl, type RedisServer, startRedisServer } from '@macpt/kit/redis-server';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { InboxItem } from './inbox.js';
import { RedisInboxStore } from './redis-inbox.js';

// The inbox on a real redis-server, used as the README's ACL user (so every command it sends is
// allowed by the documented allow-list), inspected as the administrator.

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const RETENTION = 30 * DAY;
const T0 = Date.parse('2026-12-01T09:00:00Z');
const iso = (t: number) => new Date(t).toISOString();

let n = 0;
function item(over: Partial<InboxItem> & { delivered?: number } = {}): InboxItem {
  const delivered = over.delivered ?? T0;
  const id = `item-${++n}`;
  return {
    id,
    eventId: `event-${n}`,
    rule: 'CP_IS_UNSCHEDULED_CARE',
    ruleName: 'Unscheduled care of a child on a plan',
    agency: 'health',
    kind: 'ae-attendance',
    nhsNumber: '9990000018',
    la: 'LEICESTER',
    occurredAt: iso(delivered - 60_000),
    deliveredAt: iso(delivered),
    dueBy: iso(delivered + DAY),
    fields: { date: '2026-12-01' },
    lawfulBasis: 'Children Act 1989 s47',
    to: { kind: 'role', role: 'LCPP', la: 'LEICESTER' },
    recordId: `record-${n}`,
    acknowledgedAt: null,
    acknowledgedBy: null,
    ...over,
  };
}

let server: RedisServer;
let asGateway: string;
/** The administrator's connection: what is in Redis, and the server's command counts. */
let admin: Redis;
const open: RedisInboxStore[] = [];
const store = () => {
  const s = new RedisInboxStore(asGateway, { retentionMs: RETENTION });
  open.push(s);
  return s;
};

/** Every inbox key that still mentions the id (as a hash field, a set or sorted-set member, or in a value). */
async function keysMentioning(id: string): Promise<string[]> {
  const found: string[] = [];
  for (const key of await admin.keys('macpt:inbox:*')) {
    const type = await admin.type(key);
    const held =
      type === 'hash'
        ? (await admin.hexists(key, id)) === 1 || Object.values(await admin.hgetall(key)).some((v) => v.includes(id))
        : type === 'zset'
          ? (await admin.zscore(key, id)) !== null
          : type === 'set'
            ? (await admin.sismember(key, id)) === 1
            : (await admin.get(key))?.includes(id);
    if (held) found.push(key);
  }
  return found;
}

/** Calls of each command since the last CONFIG RESETSTAT. */
async function commandCalls(): Promise<Record<string, number>> {
  const info = await admin.info('commandstats');
  return Object.fromEntries([...info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)].map((m) => [m[1]!, Number(m[2])]));
}

beforeAll(async () => {
  server = await startRedisServer();
  asGateway = await applyDocumentedGatewayAcl(server);
  admin = new Redis(server.url);
});
beforeEach(async () => {
  await admin.flushall();
});
afterAll(async () => {
  for (const s of open) await s.close();
  admin?.disconnect();
  await server?.destroy();
});

describe('the inbox on Redis: what leaves and when', () => {
  it('removes an acknowledged item, with every index and its acknowledgement, once the retention has passed, and tallies it', async () => {
    const inbox = store();
    const kept = item();
    const acked = item();
    expect(await inbox.put(kept)).toBe(true);
    expect(await inbox.put(acked)).toBe(true);
    const ackAt = T0 + 2 * HOUR;
    expect((await inbox.acknowledge(acked.id, 'lcpp-leicester', iso(ackAt)))?.acknowledgedAt).toBe(iso(ackAt));
    expect(await keysMentioning(acked.id)).not.toEqual([]);

    // A moment before the retention ends, it is still there.
    expect(await inbox.sweep(ackAt + RETENTION - 1)).toBe(0);
    expect(await inbox.get(acked.id)).toMatchObject({ id: acked.id, acknowledgedBy: 'lcpp-leicester' });

    expect(await inbox.sweep(ackAt + RETENTION)).toBe(1);
    expect(await inbox.get(acked.id)).toBeNull();
    expect(await keysMentioning(acked.id)).toEqual([]);
    expect(await inbox.forReader({ id: 'lcpp-leicester', role: 'LCPP', la: 'LEICESTER' })).toEqual([
      expect.objectContaining({ id: kept.id }),
    ]);
    // The partnership figures still count it.
    expect(await inbox.tallies('LEICESTER')).toEqual([
      { week: '2026-11-30', band: 'ACKNOWLEDGED_BY_DUE_TIME', count: 1 },
    ]);
  });

  it('keeps an unacknowledged overdue item listed until it has expired, then removes it (tallied as overdue)', async () => {
    const inbox = store();
    const late = item();
    const acknowledged = item();
    const notYetDue = item({ dueBy: iso(T0 + 10 * DAY) });
    const otherLa = item({ la: 'DERBY', to: { kind: 'role', role: 'LCPP', la: 'DERBY' } });
    for (const i of [late, acknowledged, notYetDue, otherLa]) await inbox.put(i);
    await inbox.acknowledge(acknowledged.id, 'lcpp-leicester', iso(T0 + 2 * DAY));
    const due = Date.parse(late.dueBy);

    const now = due + 5 * DAY;
    expect(await inbox.sweep(now)).toBe(0);
    expect((await inbox.overdue('LEICESTER', now)).map((i) => i.id)).toEqual([late.id]);
    expect((await inbox.overdue('DERBY', now)).map((i) => i.id)).toEqual([otherLa.id]);

    // Still listed the moment before it expires (its due time past by the retention).
    expect(await inbox.sweep(due + RETENTION - 1)).toBe(0);
    expect((await inbox.overdue('LEICESTER', due + RETENTION - 1)).map((i) => i.id)).toEqual([late.id, notYetDue.id]);

    // Expired: it leaves, as does the other LA's item due at the same time; the one acknowledged (late, a
    // day after it was due) stays until the retention has passed since its acknowledgement.
    expect(await inbox.sweep(due + RETENTION)).toBe(2);
    expect(await keysMentioning(late.id)).toEqual([]);
    expect((await inbox.overdue('LEICESTER', due + RETENTION)).map((i) => i.id)).toEqual([notYetDue.id]);
    expect(await inbox.get(otherLa.id)).toBeNull();
    expect(await inbox.get(acknowledged.id)).not.toBeNull();
    expect(await inbox.sweep(T0 + 2 * DAY + RETENTION)).toBe(1);
    expect(await inbox.get(acknowledged.id)).toBeNull();
    expect(await inbox.get(notYetDue.id)).not.toBeNull();
    expect(await inbox.tallies('LEICESTER')).toEqual(
      expect.arrayContaining([
        { week: '2026-11-30', band: 'NOT_ACKNOWLEDGED_OVERDUE', count: 1 },
        { week: '2026-11-30', band: 'ACKNOWLEDGED_LATE', count: 1 },
      ]),
    );
  });

  it('reads the overdue list from the index of outstanding items, never the whole inbox', async () => {
    const inbox = store();
    const history = Array.from({ length: 200 }, () => item());
    for (const i of history) await inbox.put(i);
    for (const i of history) await inbox.acknowledge(i.id, 'lcpp-leicester', iso(T0 + HOUR));
    const late = item();
    await inbox.put(late);
    await admin.config('RESETSTAT');
    expect((await inbox.overdue('LEICESTER', T0 + 2 * DAY)).map((i) => i.id)).toEqual([late.id]);
    const calls = await commandCalls();
    for (const whole of ['hgetall', 'hvals', 'hkeys', 'hscan', 'scan', 'keys']) expect(calls[whole]).toBeUndefined();
    expect(calls.zrangebyscore).toBe(1);
    expect(calls.hmget).toBe(2); // the one outstanding item and its acknowledgement
  });

  it('tallies each item once when several gateways sweep at the same moment', async () => {
    const gateways = [store(), store(), store()];
    for (let round = 0; round < 3; round++) {
      const items = Array.from({ length: 60 }, () => item());
      for (const i of items) await gateways[0]!.put(i);
      for (const i of items) await gateways[1]!.acknowledge(i.id, 'lcpp-leicester', iso(T0 + HOUR));
      const removed = await Promise.all(gateways.map((g) => g.sweep(T0 + HOUR + RETENTION)));
      expect(removed.reduce((a, b) => a + b, 0)).toBe(60);
    }
    expect(await gateways[2]!.tallies('LEICESTER')).toEqual([
      { week: '2026-11-30', band: 'ACKNOWLEDGED_BY_DUE_TIME', count: 180 },
    ]);
    expect(await admin.hlen('macpt:inbox:items')).toBe(0);
  });

  it('keeps the first acknowledgement when two gateways take one at once', async () => {
    const [one, two] = [store(), store()];
    const it1 = item();
    await one.put(it1);
    const [a, b] = await Promise.all([
      one.acknowledge(it1.id, 'lcpp-a', iso(T0 + HOUR)),
      two.acknowledge(it1.id, 'lcpp-b', iso(T0 + 2 * HOUR)),
    ]);
    expect(a?.acknowledgedBy).toBe(b?.acknowledgedBy);
    expect((await two.get(it1.id))?.acknowledgedBy).toBe(a?.acknowledgedBy);
  });
});
