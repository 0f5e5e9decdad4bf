import { startRedisCluster, type RedisCluster } from '@macpt/kit/redis-server';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { draft } from './disclosure/build.js';
import type { RecordDraft } from './disclosure/record.js';
import { APPEND_FUNCTION } from './disclosure/redis-function.js';
import { RedisDisclosureStore } from './disclosure/redis-store.js';
import { OverLimit } from './limits/rate-limit.js';
import { RedisInboxStore } from './notifications/redis-inbox.js';
import { redisAddress } from './redis-connection.js';
import { RedisRegistryStore, RegistryConflict, type RegistryEvent } from './registry/store.js';

// Issue 17.3: the disclosure log, the rate limits, the registry and the inboxes on a local Redis
// Cluster of three primaries (real redis-server processes, slots assigned by redis-cli).

let cluster: RedisCluster;
let url: string;
/** A plain connection to each node, to see where keys landed (as an operator would with redis-cli). */
let nodes: Redis[];
let slotOwners: { from: number; to: number; port: number }[] = [];
/** The index (into cluster.servers) of the primary serving this slot. */
function ownerOf(slot: number): number {
  const range = slotOwners.find((r) => slot >= r.from && slot <= r.to)!;
  return cluster.servers.findIndex((s) => s.port === range.port);
}
beforeAll(async () => {
  cluster = await startRedisCluster({ primaries: 3 });
  url = redisAddress({ REDIS_CLUSTER_NODES: cluster.nodes })!;
  nodes = cluster.servers.map((s) => new Redis(s.url).on('error', () => undefined));
  const slots = (await nodes[0]!.call('CLUSTER', 'SLOTS')) as [number, number, [string, number]][];
  slotOwners = slots.map(([from, to, [, port]]) => ({ from, to, port }));
}, 60_000);
afterAll(async () => {
  for (const n of nodes ?? []) n.disconnect();
  await cluster?.destroy();
});

/** The nodes holding at least one key matching the pattern (by index into cluster.servers). */
async function nodesHolding(pattern: string): Promise<number[]> {
  const found = await Promise.all(nodes.map((n) => n.keys(pattern)));
  return found.flatMap((keys, i) => (keys.length > 0 ? [i] : []));
}

let n = 0;
const disclosure = (nhsNumber: string, user = 'police-leicester-1'): RecordDraft =>
  draft(
    'DISCLOSURE',
    {
      requestId: `req-${++n}`,
      user: { id: user, role: 'MACPT_POLICE', agency: 'police', la: 'LEICESTER' },
      purpose: 'SECTION_47_ENQUIRY',
      justification: null,
      breakGlass: false,
      operationName: 'ChildView',
      operationHash: 'abc',
      clientName: 'dashboard',
    },
    'DISCLOSED',
    {
      children: [{ nhsNumber, disclosed: { health: ['HealthRecord.name'] }, withheld: [], lawfulBasis: {} }],
      agencies: ['health'],
    },
  );

describe('on a Redis Cluster of three primaries', () => {
  it('keeps one verifiable disclosure chain across two gateways, every key of it in one slot on one primary', async () => {
    const a = new RedisDisclosureStore({ url });
    const b = new RedisDisclosureStore({ url });
    await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        (i % 2 ? a : b).append([disclosure('9990000018'), disclosure('9990000026', `user-${i}`)]),
      ),
    );
    expect(await a.verify()).toMatchObject({ ok: true, count: 60, problem: null });
    expect(await b.verify()).toMatchObject({ ok: true, count: 60, problem: null });
    expect(await b.query({ nhsNumber: '9990000026' }, 100)).toHaveLength(30);
    expect((await a.query({ userId: 'user-3' }, 10)).map((r) => r.children.map((c) => c.nhsNumber))).toEqual([
      ['9990000026'],
    ]);
    // The stream, the head, the id maps and every index list share the {macpt:dlog} hash tag.
    expect(await nodesHolding('{macpt:dlog}:*')).toHaveLength(1);
    expect(await nodesHolding('macpt:dlog:*')).toEqual([]);
    // The append function was loaded on every primary, so the chain can move to any of them.
    for (const node of nodes) expect(JSON.stringify(await node.call('FUNCTION', 'LIST'))).toContain(APPEND_FUNCTION);
    await a.close();
    await b.close();
  });

  it('refuses a key prefix without a hash tag, which would scatter the chain over the slots', () => {
    expect(() => new RedisDisclosureStore({ url, prefix: 'macpt:dlog:' })).toThrow(
      /on a Redis Cluster the key prefix needs a hash tag/,
    );
  });

  it('fails closed when the log must wait for a replica the cluster does not have', async () => {
    const store = new RedisDisclosureStore({ url, prefix: '{waits}:', minReplicas: 1, replicaTimeoutMs: 100 });
    await expect(store.append([disclosure('9990000018')])).rejects.toThrow(/0 of the 1 replicas required/);
    await store.close();
  });

  it("counts one user once across two gateways, in the log's own slot, charged with the records", async () => {
    const limits = { requestsPerMinute: 4, childrenPerHour: 3 };
    const one = new RedisDisclosureStore({ url, limits });
    const two = new RedisDisclosureStore({ url, limits });
    await new Promise((r) => setTimeout(r, 300));
    const charged = (store: RedisDisclosureStore, user: string, children: string[] = []) =>
      store.append([disclosure(children[0] ?? '9990000018', user)], [{ userId: user, children }]).then(
        () => true,
        (e: unknown) => (e instanceof OverLimit ? false : Promise.reject(e)),
      );
    const decisions = [];
    for (let i = 0; i < 6; i++) decisions.push(await charged(i % 2 ? one : two, 'lcpp-1'));
    expect(decisions).toEqual([true, true, true, true, false, false]);
    const children = ['9990000018', '9990000026', '9990000034', '9990000042'];
    const seen = [];
    for (const [i, nhs] of children.entries()) seen.push(await charged(i % 2 ? one : two, 'lcpp-2', [nhs]));
    expect(seen).toEqual([true, true, true, false]);
    expect(await nodesHolding('{macpt:dlog}:rl:*')).toHaveLength(1);
    await one.close();
    await two.close();
  });

  it('appends registry events in order, and refuses one chained to a length another gateway already moved', async () => {
    const one = new RedisRegistryStore(url);
    const two = new RedisRegistryStore(url);
    const event = (id: string): RegistryEvent => ({
      type: 'DECIDED',
      decision: {
        publicationId: id,
        decision: 'APPROVED',
        by: { id: 'ig', name: 'IG' },
        note: '',
        at: '',
        recordId: id,
      },
    });
    await one.append(event('p1'), 0);
    await two.append(event('p2'), 1);
    await expect(one.append(event('p3'), 1)).rejects.toBeInstanceOf(RegistryConflict);
    expect((await one.events()).map((e) => (e.type === 'DECIDED' ? e.decision.publicationId : ''))).toEqual([
      'p1',
      'p2',
    ]);
    expect(await two.length()).toBe(2);
    await one.close();
    await two.close();
  });

  it('delivers an inbox item once and tells every gateway it arrived', async () => {
    const one = new RedisInboxStore(url);
    const two = new RedisInboxStore(url);
    await new Promise((r) => setTimeout(r, 300));
    const heard = new Promise((resolve) => two.arrivals.once('item', resolve));
    const item = {
      id: 'item-1',
      eventId: 'event-1',
      rule: 'r',
      ruleName: 'A rule',
      agency: 'police',
      kind: 'DOMESTIC_ABUSE_INCIDENT',
      nhsNumber: '9990000018',
      la: 'LEICESTER',
      occurredAt: '2026-12-01T10:00:00Z',
      deliveredAt: '2026-12-01T10:00:01Z',
      dueBy: '2026-12-02T10:00:00Z',
      fields: {},
      lawfulBasis: 'Children Act 1989 s47',
      to: { kind: 'user', id: 'lcpp-1' },
    } as unknown as Parameters<RedisInboxStore['put']>[0];
    expect(await one.put(item)).toBe(true);
    expect(await two.put(item)).toBe(false);
    expect(await heard).toMatchObject({ id: 'item-1' });
    expect((await two.get('item-1'))?.nhsNumber).toBe('9990000018');
    await one.close();
    await two.close();
  });

  it('keeps an inbox item and its indexes in one slot: acknowledged, listed, swept and delivered by webhook in transactions', async () => {
    const webhooks = [{ name: 'mis', rules: ['r'] }];
    const inbox = new RedisInboxStore(url, { retentionMs: 60_000, webhooks });
    const at = (t: number) => new Date(t).toISOString();
    const base = {
      eventId: 'event-2',
      rule: 'r',
      ruleName: 'A rule',
      agency: 'police',
      kind: 'DOMESTIC_ABUSE_INCIDENT',
      nhsNumber: '9990000018',
      la: 'LEICESTER',
      occurredAt: at(1_000),
      deliveredAt: at(2_000),
      dueBy: at(10_000),
      fields: {},
      lawfulBasis: 'Children Act 1989 s47',
      recordId: 'record-2',
      acknowledgedAt: null,
      acknowledgedBy: null,
    };
    expect(await inbox.put({ ...base, id: 'acked', to: { kind: 'user', id: 'worker-1' } })).toBe(true);
    expect(await inbox.put({ ...base, id: 'late', to: { kind: 'user', id: 'worker-2' } })).toBe(true);
    expect((await inbox.acknowledge('acked', 'worker-1', at(5_000)))?.acknowledgedBy).toBe('worker-1');
    expect((await inbox.overdue('LEICESTER', 20_000)).map((i) => i.id)).toEqual(['late']);
    const [delivery] = await inbox.deliveries.due(Date.now(), 10);
    expect(delivery).toMatchObject({ key: 'mis|event-2|r', webhook: 'mis' });
    expect(await inbox.deliveries.claim('mis|event-2|r', Date.now(), 10_000)).toBe(true);
    await inbox.deliveries.settle('mis|event-2|r', Date.now());
    expect(await inbox.deliveries.wasSent('mis|event-2|r')).toBe(true);
    expect(await inbox.sweep(65_000)).toBe(1);
    expect(await inbox.sweep(70_000)).toBe(1);
    expect(await inbox.get('acked')).toBeNull();
    expect(await inbox.get('late')).toBeNull();
    expect(await nodesHolding('macpt:inbox:{inbox}:*')).toHaveLength(1);
    await inbox.close();
  });

  it("refuses within its deadline once the chain's primary is down: the log and the rate limits it charges fail closed", async () => {
    const store = new RedisDisclosureStore({ url, prefix: '{down}:' });
    await store.append([disclosure('9990000018')]);
    const slot = Number(await nodes[0]!.call('CLUSTER', 'KEYSLOT', '{down}:head'));
    await cluster.servers[ownerOf(slot)]!.kill();
    const started = Date.now();
    await expect(store.append([disclosure('9990000026')])).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(3000);
    // The rate limits live in the chain's slot and are charged by the same call: refused with it.
    await expect(
      store.append([disclosure('9990000034')], [{ userId: 'u', children: ['9990000034'] }]),
    ).rejects.toThrow();
    await store.close();
  });
});
