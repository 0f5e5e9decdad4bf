import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { freePort, REPO_ROOT } from '@macpt/dev';
import { startRedisServer, type RedisServer } from '@macpt/kit/redis-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { children, gql, headers, JUSTIFICATION, startTestStack } from './testkit.js';

// Fail closed: a response with child data leaves only after its record is durable. Real processes,
// a real redis-server stopped and killed mid-load; loads are loopback-only and bounded in count and time.

const VIEW = `query($n: ID!) { child(nhsNumber: $n) { health { name aeAttendances { id } } } }`;
const sample = children.slice(0, 200).map((c) => c.nhsNumber);

async function allRecords(
  url: string,
  ig: Record<string, string>,
): Promise<{ id: string; requestId: string; kind: string }[]> {
  const out: { id: string; requestId: string; kind: string }[] = [];
  let after: string | null = null;
  for (;;) {
    const page: { data?: any } = await gql(
      url,
      `query($after: String) { disclosures(first: 200, after: $after, filter: { userId: "police-leicester-1" }) { records { id requestId kind } endCursor hasNextPage } }`,
      { after },
      ig,
    );
    out.push(...page.data.disclosures.records);
    if (!page.data.disclosures.hasNextPage) return out;
    after = page.data.disclosures.endCursor;
  }
}

describe('with the file store', () => {
  let stack: Awaited<ReturnType<typeof startTestStack>>;
  beforeAll(async () => {
    // /dev/full accepts the open and refuses every write: an unwritable log.
    stack = await startTestStack({}, { DISCLOSURE_LOG_FILE: '/dev/full' });
  });
  afterAll(async () => {
    await stack?.stopAll();
  });

  it('refuses to send child data it cannot log: DISCLOSURE_LOG_UNAVAILABLE, 503, no data', async () => {
    const result = await gql(
      stack.gatewayUrl,
      VIEW,
      { n: sample[0] },
      headers(await stack.tokenFor('police-leicester-1'), 'EMERGENCY', JUSTIFICATION),
    );
    expect(result.status).toBe(503);
    expect(result.data).toBeUndefined();
    expect(result.errors).toEqual([expect.objectContaining({ extensions: { code: 'DISCLOSURE_LOG_UNAVAILABLE' } })]);
    // Once a write has failed the gateway reports itself not ready, so a load balancer routes elsewhere.
    const ready = await fetch(stack.gatewayUrl.replace('/graphql', '/health/ready'));
    expect(ready.status).toBe(503);
  });
});

describe('with the redis store', () => {
  let redis: RedisServer;
  let stack: Awaited<ReturnType<typeof startTestStack>>;
  let officer: Record<string, string>;
  let ig: Record<string, string>;
  beforeAll(async () => {
    redis = await startRedisServer();
    // The load below is one officer's: lift the per-minute limit so only Redis decides the outcome.
    stack = await startTestStack({ REDIS_URL: redis.url }, { RATE_LIMIT_REQUESTS_PER_MINUTE: '100000' });
    officer = headers(await stack.tokenFor('police-leicester-1'), 'EMERGENCY', JUSTIFICATION);
    ig = headers(await stack.tokenFor('ig-police'), 'IG_AUDIT');
  });
  afterAll(async () => {
    await stack?.stopAll();
    await redis?.destroy();
  });

  it('refuses (503, no child data) within its deadline while Redis is stopped, and reports not ready', async () => {
    await redis.stop();
    try {
      const started = Date.now();
      const result = await gql(stack.gatewayUrl, VIEW, { n: sample[1] }, officer);
      expect(Date.now() - started).toBeLessThan(3000);
      expect(result.status).toBe(503);
      expect(result.data).toBeUndefined();
      // The rate limits live in the same Redis and are checked first: they refuse rather than wave the request
      // through; and that refusal cannot be recorded either, so its request id names nothing: the log's 503.
      expect(result.errors![0]!.extensions!.code).toBe('DISCLOSURE_LOG_UNAVAILABLE');
      expect((await fetch(stack.gatewayUrl.replace('/graphql', '/health/ready'))).status).toBe(503);
    } finally {
      await redis.start();
    }
  });

  it('leaves exactly one record for every response that carried child data when Redis is killed mid-load', async () => {
    // Let the client reconnect after the previous test restarted Redis.
    await new Promise((r) => setTimeout(r, 1200));
    const served: string[] = [];
    let refused = 0;
    let stop = false;
    const worker = async (w: number) => {
      for (let i = 0; !stop && i < 400; i++) {
        const response = await fetch(stack.gatewayUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...officer },
          body: JSON.stringify({ query: VIEW, variables: { n: sample[(w * 31 + i) % sample.length] } }),
        });
        const body = (await response.json()) as { data?: { child?: unknown } };
        if (body.data?.child) served.push(response.headers.get('x-request-id')!);
        else refused++;
      }
    };
    const load = Promise.all([0, 1, 2, 3, 4, 5].map(worker));
    await new Promise((r) => setTimeout(r, 700));
    await redis.kill();
    await new Promise((r) => setTimeout(r, 800));
    await redis.start();
    await new Promise((r) => setTimeout(r, 1500));
    stop = true;
    await load;
    expect(served.length).toBeGreaterThan(20);
    expect(refused).toBeGreaterThan(0);
    const records = await allRecords(stack.gatewayUrl, ig);
    const byRequest = new Map<string, number>();
    for (const r of records)
      if (r.kind === 'DISCLOSURE') byRequest.set(r.requestId, (byRequest.get(r.requestId) ?? 0) + 1);
    const missing = served.filter((id) => !byRequest.has(id));
    const duplicated = [...byRequest].filter(([, count]) => count > 1);
    expect({ missing, duplicated }).toEqual({ missing: [], duplicated: [] });
    expect(new Set(records.map((r) => r.id)).size).toBe(records.length);
    const integrity = (await gql(stack.gatewayUrl, `{ disclosureLogIntegrity { ok problem } }`, {}, ig)).data
      .disclosureLogIntegrity;
    expect(integrity).toEqual({ ok: true, problem: null });
  });

  it('answers every request while Redis is down under load with a prompt refusal (503, no child data), and serves again once it is back', async () => {
    const ask = async (n: string) => {
      const started = performance.now();
      const response = await fetch(stack.gatewayUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...officer },
        body: JSON.stringify({ query: VIEW, variables: { n } }),
      });
      const body = (await response.json()) as {
        data?: { child?: unknown };
        errors?: { extensions?: { code?: string } }[];
      };
      return {
        ms: performance.now() - started,
        status: response.status,
        code: body.errors?.[0]?.extensions?.code ?? null,
        childData: Boolean(body.data?.child),
        requestId: response.headers.get('x-request-id'),
      };
    };
    const served = async () => (await ask(sample[3]!)).childData;
    const refusals: Awaited<ReturnType<typeof ask>>[] = [];
    // Two kills, each with three clients asking back to back: 60 refusals in all.
    for (const round of [0, 1]) {
      await expect.poll(served, { timeout: 10_000, interval: 200 }).toBe(true);
      await redis.kill();
      try {
        await Promise.all(
          [0, 1, 2].map(async (w) => {
            for (let i = 0; i < 10; i++) refusals.push(await ask(sample[(round * 50 + w * 10 + i) % sample.length]!));
          }),
        );
      } finally {
        await redis.start();
      }
    }
    for (const r of refusals) {
      expect(r).toMatchObject({ status: 503, childData: false, requestId: expect.any(String) });
      // The rate limits are charged in the same write as the record: they fail closed with the log.
      expect(r.code).toBe('DISCLOSURE_LOG_UNAVAILABLE');
    }
    // Service comes back by itself once Redis is back.
    await expect.poll(served, { timeout: 10_000, interval: 200 }).toBe(true);
    const ms = refusals.map((r) => r.ms).sort((a, b) => a - b);
    const at = (q: number) => Math.round(ms[Math.min(ms.length - 1, Math.floor(q * ms.length))]!);
    console.log(
      `refusals while Redis was down: ${ms.length} across two kills; p50 ${at(0.5)} ms, p90 ${at(0.9)} ms, max ${Math.round(ms[ms.length - 1]!)} ms`,
    );
  });

  it('keeps one chain that verifies when two gateway processes write to the same Redis under load', async () => {
    const port = await freePort();
    const second = spawn(process.execPath, [join(REPO_ROOT, 'gateway/dist/main.js')], {
      env: { ...process.env, ...stack.env, PORT: String(port) },
      stdio: 'ignore',
    });
    try {
      const url = `http://127.0.0.1:${port}/graphql`;
      for (let i = 0; i < 100; i++) {
        try {
          if ((await fetch(url.replace('/graphql', '/health'))).ok) break;
        } catch {
          await new Promise((r) => setTimeout(r, 100));
        }
      }
      const burst = (target: string, k: number) =>
        Promise.all(
          Array.from({ length: 30 }, (_, i) => gql(target, VIEW, { n: sample[(k + i) % sample.length] }, officer)),
        );
      const results = (
        await Promise.all([burst(stack.gatewayUrl, 0), burst(url, 7), burst(stack.gatewayUrl, 13), burst(url, 19)])
      ).flat();
      expect(results.every((r) => r.status === 200)).toBe(true);
      const integrity = (await gql(url, `{ disclosureLogIntegrity { ok count problem } }`, {}, ig)).data
        .disclosureLogIntegrity;
      expect(integrity).toMatchObject({ ok: true, problem: null });
    } finally {
      second.kill('SIGTERM');
    }
  });
});
