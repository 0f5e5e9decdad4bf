import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startStack, type Stack } from '@macpt/dev';
import {
  startRedisCluster,
  startRedisServer,
  startSentinel,
  type RedisServer,
  type SentinelServer,
} from '@macpt/kit/redis-server';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { children, E2E_WORLD, gql, headers, householdOf, PURPOSE_FOR_STAGE, wellInsideAMinute } from './testkit.js';

// Issue 17, with real processes on loopback: three gateways behind a round-robin front share one chain
// and one rate limit; with DISCLOSURE_LOG_MIN_REPLICAS the log waits for a replica, refuses (503) when
// none answers, and a Sentinel failover after SIGKILL of the primary loses no acknowledged record.

const child = children.find(
  (c) => c.socialCare?.stage === 'SECTION_47' && c.socialCare.namedWorkers.some((w) => w.startsWith('lcpp-')),
)!;
const lcpp = child.socialCare!.namedWorkers.find((w) => w.startsWith('lcpp-'))!;
const purpose = PURPOSE_FOR_STAGE[child.socialCare!.stage!]!;
const QUERY = 'query($n: ID!) { child(nhsNumber: $n) { health { name } } }';
expect(householdOf(child)).toBeDefined();

async function stackOver(env: Record<string, string>, gatewayEnv: Record<string, string> = {}) {
  const dataDir = mkdtempSync(join(tmpdir(), 'macpt-ops-'));
  const stack = await startStack({
    dataDir,
    world: E2E_WORLD,
    ports: 'free',
    logs: 'quiet',
    gateways: 3,
    env,
    gatewayEnv,
  });
  return { stack, dataDir };
}

/** Every record id and request id of a user's records, read through the IG API page by page. */
async function recordsOf(stack: Stack, userId: string) {
  const ig = headers(await stack.tokenFor('ig-social-care'), 'IG_AUDIT');
  const out: { id: string; requestId: string; kind: string }[] = [];
  let after: string | null = null;
  for (let page = 0; page < 50; page++) {
    const result: { data?: any; errors?: unknown } = await gql(
      stack.gatewayUrl,
      `query($u: ID, $a: String) { disclosures(first: 200, after: $a, filter: { userId: $u }) { records { id requestId kind } endCursor hasNextPage } }`,
      { u: userId, a: after },
      ig,
    );
    expect(result.errors, 'the IG lead reading the log').toBeUndefined();
    const p: {
      records: { id: string; requestId: string; kind: string }[];
      endCursor: string | null;
      hasNextPage: boolean;
    } = result.data.disclosures;
    out.push(...p.records);
    if (!p.hasNextPage) break;
    after = p.endCursor;
  }
  return out;
}

/** The shared Redis the three gateways are given: one server, or a Cluster of three primaries. */
const SHARED_REDIS = {
  'one redis-server': async () => {
    const redis = await startRedisServer();
    return { env: { REDIS_URL: redis.url }, destroy: () => redis.destroy() };
  },
  'a Redis Cluster of three primaries': async () => {
    const cluster = await startRedisCluster({ primaries: 3 });
    return { env: { REDIS_CLUSTER_NODES: cluster.nodes }, destroy: () => cluster.destroy() };
  },
};

describe.each(Object.entries(SHARED_REDIS))('three gateways behind one front, over %s', (_, startRedis) => {
  let redis: Awaited<ReturnType<typeof startRedis>>;
  let stack: Stack;
  let dataDir: string;
  beforeAll(async () => {
    redis = await startRedis();
    ({ stack, dataDir } = await stackOver(redis.env, { RATE_LIMIT_REQUESTS_PER_MINUTE: '30' }));
  }, 180_000);
  afterAll(async () => {
    await stack?.stop();
    await redis?.destroy();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('spreads requests over the gateways, keeps one rate limit and one chain across them', async () => {
    const h = headers(await stack.tokenFor(lcpp), purpose);
    // The limit counts in fixed minutes: start the burst well inside one, so that it does not straddle two.
    await wellInsideAMinute();
    const statuses: number[] = [];
    for (let i = 0; i < 40; i++) {
      const response = await fetch(stack.gatewayUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...h },
        body: JSON.stringify({ query: QUERY, variables: { n: child.nhsNumber } }),
      });
      statuses.push(response.status);
      await response.arrayBuffer();
    }
    expect([...stack.front!.served.values()].every((n) => n >= 10)).toBe(true);
    // 30 a minute for this user, counted once across the three processes.
    expect(statuses.filter((s) => s === 200)).toHaveLength(30);
    expect(statuses.filter((s) => s === 429)).toHaveLength(10);
    const integrity = await gql(
      stack.gatewayUrl,
      '{ disclosureLogIntegrity { ok count problem } }',
      {},
      headers(await stack.tokenFor('ig-social-care'), 'IG_AUDIT'),
    );
    expect(integrity.data.disclosureLogIntegrity).toMatchObject({ ok: true, problem: null });
    const records = await recordsOf(stack, lcpp);
    expect(records.filter((r) => r.kind === 'DISCLOSURE')).toHaveLength(30);
  });
});

describe('several gateways without Redis', () => {
  it('will not start over the file log', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'macpt-ops-'));
    await expect(startStack({ dataDir, world: E2E_WORLD, ports: 'free', logs: 'quiet', gateways: 2 })).rejects.toThrow(
      /need a shared disclosure log: set REDIS_URL/,
    );
    rmSync(dataDir, { recursive: true, force: true });
  });
});

describe('Redis with replicas under Sentinel', () => {
  let primary: RedisServer;
  let replicas: RedisServer[];
  let sentinels: SentinelServer[];
  let stack: Stack;
  let dataDir: string;
  beforeAll(async () => {
    primary = await startRedisServer();
    replicas = [
      await startRedisServer({ replicaOf: primary.port }),
      await startRedisServer({ replicaOf: primary.port }),
    ];
    sentinels = await Promise.all(
      [1, 2, 3].map(() => startSentinel({ primaryPort: primary.port, name: 'macpt', quorum: 2, downAfterMs: 1000 })),
    );
    ({ stack, dataDir } = await stackOver(
      {
        REDIS_SENTINELS: sentinels.map((s) => `127.0.0.1:${s.port}`).join(','),
        REDIS_SENTINEL_NAME: 'macpt',
        DISCLOSURE_LOG_MIN_REPLICAS: '1',
      },
      { RATE_LIMIT_REQUESTS_PER_MINUTE: '100000' },
    ));
  }, 180_000);
  afterAll(async () => {
    await stack?.stop();
    for (const s of sentinels ?? []) await s.destroy();
    for (const r of [primary, ...(replicas ?? [])]) await r?.destroy();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const ask = async (h: Record<string, string>, url = stack.gatewayUrl) => {
    const sent = Date.now();
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...h },
      body: JSON.stringify({ query: QUERY, variables: { n: child.nhsNumber } }),
      signal: AbortSignal.timeout(5000),
    }).catch(() => null);
    if (!response) return { status: 0, requestId: null, data: false, sent, at: Date.now() };
    const body = (await response.json().catch(() => ({}))) as { data?: { child?: unknown } };
    return {
      status: response.status,
      requestId: response.headers.get('x-request-id'),
      data: Boolean(body.data?.child),
      sent,
      at: Date.now(),
    };
  };

  it('refuses (503) while no replica acknowledges the records, and serves again when one does', async () => {
    const h = headers(await stack.tokenFor(lcpp), purpose);
    expect((await ask(h)).status).toBe(200);
    for (const r of replicas) await r.kill();
    const refused = await ask(h);
    expect(refused).toMatchObject({ status: 503, data: false });
    for (const r of replicas) await r.start();
    let back = { status: 0 };
    for (let i = 0; i < 50 && back.status !== 200; i++) {
      await new Promise((r) => setTimeout(r, 200));
      back = await ask(h);
    }
    expect(back.status).toBe(200);
    // One replica acknowledging was enough to serve again; the next test starts from both in step.
    const admin = new Redis(primary.url);
    try {
      await expect
        .poll(async () => (await admin.info('replication')).match(/state=online/g)?.length ?? 0, { timeout: 20_000 })
        .toBe(2);
    } finally {
      admin.disconnect();
    }
  }, 60_000);

  it('loses no acknowledged record when the primary is killed and Sentinel promotes a replica', async () => {
    const h = headers(await stack.tokenFor(lcpp), purpose);
    const answers: Awaited<ReturnType<typeof ask>>[] = [];
    let killedAt = 0;
    let stop = false;
    const clients = Array.from({ length: 4 }, async () => {
      while (!stop) answers.push(await ask(h));
    });
    await new Promise((r) => setTimeout(r, 2000));
    killedAt = Date.now();
    await primary.kill();
    // Run until service has resumed by itself for 2 s (or 30 s pass).
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 250));
      // Resumed: a request sent after the kill was served (one in flight at the kill proves nothing).
      const resumed = answers.find((a) => a.sent > killedAt && a.status === 200);
      if (resumed && Date.now() - resumed.at > 2000) break;
    }
    stop = true;
    await Promise.all(clients);

    const after = answers.filter((a) => a.at > killedAt);
    const resumed = after.find((a) => a.sent > killedAt && a.status === 200);
    expect(resumed, 'service resumed by itself').toBeDefined();
    const refusedAfter = after.filter((a) => a.status !== 200);
    const window = refusedAfter.length ? Math.max(...refusedAfter.map((a) => a.at)) - killedAt : 0;
    console.log(
      `failover: ${answers.length} requests, ${refusedAfter.length} refused; first success ${resumed!.at - killedAt} ms after SIGKILL; last refusal ${window} ms after`,
    );
    // Refusals only in the failover window, and only ever without child data.
    expect(answers.filter((a) => a.at < killedAt && a.status !== 200)).toEqual([]);
    expect(refusedAfter.every((a) => !a.data && a.at < resumed!.at + 5000)).toBe(true);
    // Each of the three gateways behind the front has followed Sentinel to the new primary by itself
    // (one may lag the others by a moment: the front's success above may have been another's).
    for (const url of stack.gatewayUrls) {
      let status = 0;
      for (let i = 0; i < 50 && status !== 200; i++) {
        status = (await ask(h, url)).status;
        if (status !== 200) await new Promise((r) => setTimeout(r, 200));
      }
      expect(status, `${url} serves after the failover`).toBe(200);
    }
    // Every response that carried child data has its record after the failover; none twice.
    const records = await recordsOf(stack, lcpp);
    const recorded = new Set(records.map((r) => r.requestId));
    const carried = answers.filter((a) => a.status === 200 && a.data);
    expect(carried.length).toBeGreaterThan(20);
    expect(carried.filter((a) => !recorded.has(a.requestId!)).map((a) => a.requestId)).toEqual([]);
    expect(new Set(records.map((r) => r.id)).size).toBe(records.length);
    const disclosures = records.filter((r) => r.kind === 'DISCLOSURE').map((r) => r.requestId);
    expect(new Set(disclosures).size).toBe(disclosures.length);
    const integrity = await gql(
      stack.gatewayUrl,
      '{ disclosureLogIntegrity { ok problem } }',
      {},
      headers(await stack.tokenFor('ig-social-care'), 'IG_AUDIT'),
    );
    expect(integrity.data.disclosureLogIntegrity).toEqual({ ok: true, problem: null });
  }, 90_000);
});
