import { createServer, type Server } from 'node:http';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '@macpt/kit';
import { applyDocumentedGatewayAcl, type RedisServer, startRedisServer } from '@macpt/kit/redis-server';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { draft } from '../disclosure/build.js';
import type { RecordDraft } from '../disclosure/record.js';
import { FileInboxStore } from './file-inbox.js';
import type { DeliveryQueue, InboxItem, InboxStore } from './inbox.js';
import { RedisInboxStore } from './redis-inbox.js';
import { startWebhooks, type Webhook } from './webhooks.js';

// The webhook dispatcher over its own pending set, on a real redis-server used as the README's ACL user.

const silent = createLogger('webhooks-test', 'silent');

let n = 0;
/** An item of an event, to one recipient (the same event to several recipients is one webhook delivery). */
function item(event: number, rule = 'OPERATION_ENCOMPASS', to = 'dsl-1'): InboxItem {
  const now = Date.now();
  return {
    id: `item-${++n}`,
    eventId: `event-${event}`,
    rule,
    ruleName: 'Operation Encompass',
    agency: 'police',
    kind: 'domestic-abuse-incident',
    nhsNumber: '9990000018',
    la: 'LEICESTER',
    occurredAt: new Date(now - 60_000).toISOString(),
    deliveredAt: new Date(now).toISOString(),
    dueBy: new Date(now + 86_400_000).toISOString(),
    fields: { date: '2026-12-01', riskLevel: 'HIGH' },
    lawfulBasis: 'Children Act 2004 s10',
    to: { kind: 'user', id: to },
    recordId: `record-${n}`,
    acknowledgedAt: null,
    acknowledgedBy: null,
  };
}

/** The school's system: answers `status(attempt of this key)` after `delayMs`, and remembers every POST. */
async function receiver(options: { delayMs?: number; status?: (attempt: number) => number } = {}) {
  const posts: { key: string; status: number }[] = [];
  const server: Server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const key = String(req.headers['idempotency-key']);
      const status = options.status?.(posts.filter((p) => p.key === key).length + 1) ?? 200;
      posts.push({ key, status });
      setTimeout(() => res.writeHead(status).end(), options.delayMs ?? 0);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/encompass`;
  const accepted = () => posts.filter((p) => p.status === 200);
  return { url, posts, accepted, close: () => new Promise((r) => server.close(r)) };
}

const webhookTo = (url: string): Webhook => ({
  name: 'education-mis',
  agency: 'education',
  url,
  secret: 'a shared secret of at least thirty-two characters',
  rules: ['OPERATION_ENCOMPASS'],
});

/** A gateway's dispatcher: every field may be told, every record is written; counts the deliveries its ticks found. */
function dispatcher(inbox: InboxStore, webhook: Webhook, scanMs = 50) {
  let found = 0;
  const counted: DeliveryQueue = {
    ...inbox.deliveries,
    due: async (now, limit) => {
      const due = await inbox.deliveries.due(now, limit);
      found += due.length;
      return due;
    },
  };
  const records: RecordDraft[] = [];
  const running = startWebhooks({
    webhooks: [webhook],
    inbox: { arrivals: inbox.arrivals, deliveries: counted },
    toldNow: async (i) => Object.keys(i.fields),
    record: async (d) => records.push(d),
    draft: (w, i, fields) =>
      draft(
        'NOTIFICATION',
        {
          requestId: `event-${i.eventId}`,
          user: { id: `webhook:${w.name}`, role: 'AGENCY_SYSTEM', agency: w.agency, la: null },
          purpose: 'NOTIFICATION',
          justification: null,
          breakGlass: false,
          operationName: i.rule,
          operationHash: null,
          clientName: 'notification-webhook',
        },
        'DISCLOSED',
        { query: { fields } },
      ),
    logger: silent,
    scanMs,
  });
  return { ...running, records, found: () => found };
}

let server: RedisServer;
let asGateway: string;
let admin: Redis;
const cleanup: (() => unknown)[] = [];

beforeAll(async () => {
  server = await startRedisServer();
  asGateway = await applyDocumentedGatewayAcl(server);
  admin = new Redis(server.url);
});
beforeEach(async () => {
  while (cleanup.length > 0) await cleanup.pop()!();
  await admin.flushall();
});
afterAll(async () => {
  while (cleanup.length > 0) await cleanup.pop()!();
  admin?.disconnect();
  await server?.destroy();
});

function redisInbox(webhook: Webhook) {
  const inbox = new RedisInboxStore(asGateway, { webhooks: [webhook] });
  cleanup.push(() => inbox.close());
  return inbox;
}

describe('webhook deliveries on Redis', () => {
  it("reads only what is pending on each tick, never the inbox's history", async () => {
    const school = await receiver();
    cleanup.push(school.close);
    const inbox = redisInbox(webhookTo(school.url));
    const gateway = dispatcher(inbox, webhookTo(school.url));
    cleanup.push(gateway.stop);
    // History: 150 events delivered (two items each), and 100 items of a rule the webhook does not take.
    for (let e = 0; e < 150; e++) {
      await inbox.put(item(e, 'OPERATION_ENCOMPASS', 'dsl-1'));
      await inbox.put(item(e, 'OPERATION_ENCOMPASS', 'worker-1'));
    }
    for (let e = 0; e < 100; e++) await inbox.put(item(1000 + e, 'CP_PLAN_CHANGE'));
    await expect.poll(() => school.accepted().length, { timeout: 15_000 }).toBe(150);
    await expect.poll(async () => admin.zcard('macpt:inbox:webhook:pending:education-mis')).toBe(0);

    await new Promise((r) => setTimeout(r, 200));
    await admin.config('RESETSTAT');
    const before = gateway.found();
    await new Promise((r) => setTimeout(r, 1_000)); // about 20 ticks with nothing pending
    const idle = await commandCalls();
    for (const whole of ['hgetall', 'hvals', 'hkeys', 'hscan', 'scan', 'keys', 'hmget', 'zrange'])
      expect(idle[whole], whole).toBeUndefined();
    expect(idle.zrangebyscore).toBeGreaterThan(5);
    expect(gateway.found()).toBe(before);

    // One new event: its delivery is what the ticks read, and it is sent.
    await admin.config('RESETSTAT');
    await inbox.put(item(5000));
    await expect.poll(() => school.accepted().length).toBe(151);
    await new Promise((r) => setTimeout(r, 300));
    const busy = await commandCalls();
    expect(busy.hgetall).toBeUndefined();
    expect(busy.hmget).toBeLessThanOrEqual(4); // the delivery's item id, then the item: once, or twice if two ticks saw it due
    expect(gateway.found() - before).toBeLessThanOrEqual(2);
  });

  it('delivers each event once when several gateways share the pending set, retrying what failed', async () => {
    // Slow, and refusing each delivery's first attempt: every gateway sees the work while others hold it.
    const school = await receiver({ delayMs: 150, status: (attempt) => (attempt === 1 ? 503 : 200) });
    cleanup.push(school.close);
    const webhook = webhookTo(school.url);
    const gateways = [redisInbox(webhook), redisInbox(webhook), redisInbox(webhook)];
    const dispatchers = gateways.map((g) => dispatcher(g, webhook, 20));
    for (const d of dispatchers) cleanup.push(d.stop);
    await new Promise((r) => setTimeout(r, 200)); // every gateway hears arrivals
    for (let e = 0; e < 12; e++) {
      await gateways[e % 3]!.put(item(e, 'OPERATION_ENCOMPASS', 'dsl-1'));
      await gateways[(e + 1) % 3]!.put(item(e, 'OPERATION_ENCOMPASS', 'worker-1'));
    }
    await expect.poll(() => school.accepted().length, { timeout: 20_000 }).toBe(12);
    await new Promise((r) => setTimeout(r, 2_500)); // past every retry's backoff: nothing more is sent
    const perKey = new Map<string, number>();
    for (const p of school.posts) perKey.set(p.key, (perKey.get(p.key) ?? 0) + 1);
    expect(perKey.size).toBe(12);
    expect([...perKey.values()]).toEqual(Array(12).fill(2)); // one refused, one accepted: never sent twice at once
    expect(new Set(school.accepted().map((p) => p.key)).size).toBe(12);
    expect(await admin.zcard('macpt:inbox:webhook:pending:education-mis')).toBe(0);
    expect(await admin.hlen('macpt:inbox:webhook:attempts')).toBe(0);
  });

  it('carries on after a restart: a delivery queued while no gateway was dispatching is sent', async () => {
    const school = await receiver();
    cleanup.push(school.close);
    const webhook = webhookTo(school.url);
    const before = redisInbox(webhook);
    await before.put(item(1));
    await before.close();
    const after = dispatcher(redisInbox(webhook), webhook);
    cleanup.push(after.stop);
    await expect.poll(() => school.accepted().length, { timeout: 5_000 }).toBe(1);
    expect(after.records).toHaveLength(1);
  });
});

describe('webhook deliveries on the embedded inbox', () => {
  it('sends each once, retries, and after a restart neither resends nor forgets what was pending', async () => {
    const school = await receiver({ status: (attempt) => (attempt === 1 ? 503 : 200) });
    cleanup.push(school.close);
    const webhook = webhookTo(school.url);
    const file = join(mkdtempSync(join(tmpdir(), 'macpt-inbox-')), 'inbox.jsonl');
    const first = new FileInboxStore(file, { webhooks: [webhook] });
    const gateway = dispatcher(first, webhook);
    await first.put(item(1, 'OPERATION_ENCOMPASS', 'dsl-1'));
    await first.put(item(1, 'OPERATION_ENCOMPASS', 'worker-1'));
    await expect.poll(() => school.accepted().length, { timeout: 5_000 }).toBe(1);
    await gateway.stop(); // waits for the delivery under way to be marked sent
    await first.put(item(2)); // queued, not sent: no dispatcher

    const second = new FileInboxStore(file, { webhooks: [webhook] });
    const again = dispatcher(second, webhook);
    cleanup.push(again.stop);
    await expect.poll(() => school.accepted().length, { timeout: 5_000 }).toBe(2);
    await new Promise((r) => setTimeout(r, 300));
    expect(school.accepted().map((p) => p.key)).toEqual([
      'education-mis|event-1|OPERATION_ENCOMPASS',
      'education-mis|event-2|OPERATION_ENCOMPASS',
    ]);
  });
});

/** Calls of each command since the last CONFIG RESETSTAT. */
async function commandCalls(): Promise<Record<string, number>> {
  const info = await admin.info('commandstats');
  return Object.fromEntries([...info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)].map((m) => [m[1]!, Number(m[2])]));
}
