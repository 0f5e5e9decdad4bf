import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from '@macpt/dev';
import { applyDocumentedGatewayAcl, startRedisServer, type RedisServer } from '@macpt/kit/redis-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { children, gql, headers, householdOf, startTestStack } from './testkit.js';

// The README's Redis ACL ("Deploying on Redis"), read from the README and applied exactly as written,
// under a whole gateway with real processes: the disclosure log, the rate limits, the schema registry,
// the notification inboxes and their arrivals channel. And what it still refuses to the gateway's user.

let redis: RedisServer;
let stack: Awaited<ReturnType<typeof startTestStack>>;
/** The Redis URL as the gateway's ACL user. */
let asGatewayUser: string;

const onPlan = children.find(
  (c) => c.socialCare?.stage === 'CP_PLAN' && c.health && c.education?.schoolUrn && !householdOf(c).confidentialBy,
)!;
const lcpp = `lcpp-${householdOf(onPlan).la.toLowerCase()}`;
const CHILD = `query($n: ID!) { child(nhsNumber: $n) { health { name } } }`;
const INBOX = `{ notifications { items { id rule nhsNumber acknowledgedAt } } }`;
/** Users' requests per minute in this stack: the inbox is polled, the limit is reached on purpose below. */
const PER_MINUTE = 60;

/** A command sent straight to Redis as the gateway's user, as anyone holding its password could. */
function asGateway(...command: string[]): string {
  const run = spawnSync('redis-cli', ['-u', asGatewayUser, '--no-auth-warning', ...command], { encoding: 'utf8' });
  return `${run.stdout}${run.stderr}`.trim();
}

const lcppHeaders = async () => headers(await stack.tokenFor(lcpp), 'CP_PLAN_REVIEW');

beforeAll(async () => {
  redis = await startRedisServer();
  asGatewayUser = await applyDocumentedGatewayAcl(redis);
  // As the README says: an administrator loads the append function once; the gateway's user may not.
  const install = spawnSync(process.execPath, [join(REPO_ROOT, 'gateway/dist/disclosure/redis-install-cli.js')], {
    env: { ...process.env, REDIS_ADMIN_URL: redis.url },
    encoding: 'utf8',
  });
  expect(install.status, install.stderr).toBe(0);
  stack = await startTestStack(
    { REDIS_URL: asGatewayUser },
    { RATE_LIMIT_REQUESTS_PER_MINUTE: String(PER_MINUTE), REGISTRY_POLL_MS: '500' },
  );
}, 180_000);
afterAll(async () => {
  await stack?.stopAll();
  await redis?.destroy();
});

describe("a whole gateway under the README's Redis ACL", () => {
  it('answers a query about a child, on the record, and the chain verifies', async () => {
    const response = await fetch(stack.gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(await lcppHeaders()) },
      body: JSON.stringify({ query: CHILD, variables: { n: onPlan.nhsNumber } }),
    });
    const body = (await response.json()) as { data?: { child?: { health?: { name?: string } } }; errors?: unknown };
    expect(response.status, JSON.stringify(body.errors)).toBe(200);
    expect(body.data?.child?.health?.name).toBeTruthy();
    const requestId = response.headers.get('x-request-id');
    const ig = headers(await stack.tokenFor('ig-health'), 'IG_AUDIT');
    const records = await gql(
      stack.gatewayUrl,
      `query($n: ID) { disclosures(filter: { nhsNumber: $n }) { records { requestId kind } } }`,
      { n: onPlan.nhsNumber },
      ig,
    );
    expect(records.data.disclosures.records).toContainEqual({ requestId, kind: 'DISCLOSURE' });
    const integrity = await gql(stack.gatewayUrl, '{ disclosureLogIntegrity { ok problem } }', {}, ig);
    expect(integrity.data.disclosureLogIntegrity).toEqual({ ok: true, problem: null });
  });

  it("counts a user's requests in the log's append: past the limit, 429 RATE_LIMITED (not 503: the limits could be charged)", async () => {
    const h = headers(await stack.tokenFor('police-leicester-1'), 'SECTION_47_ENQUIRY');
    const statuses: { status: number; code: unknown }[] = [];
    for (let i = 0; i < PER_MINUTE + 20; i++) {
      const r = await gql(stack.gatewayUrl, '{ __typename }', {}, h);
      statuses.push({ status: r.status, code: r.errors?.[0]?.extensions?.code ?? null });
    }
    expect(statuses.slice(0, PER_MINUTE).filter((s) => s.status !== 200)).toEqual([]);
    expect(statuses).toContainEqual({ status: 429, code: 'RATE_LIMITED' });
  });

  it('delivers a notification to the inbox, tells the live stream of it, and takes its acknowledgement', async () => {
    const h = await lcppHeaders();
    // The live stream hears of arrivals through the arrivals channel (SUBSCRIBE; the router PUBLISHes).
    const stream = await fetch(stack.gatewayUrl.replace('/graphql', '/notifications/stream'), {
      headers: h,
      signal: AbortSignal.timeout(20_000),
    });
    expect(stream.status).toBe(200);
    const reader = stream.body!.getReader();
    let heard = '';
    const told = (async () => {
      while (!/event: notification\n[^\n]*\ndata: [^\n]*CP_IS_UNSCHEDULED_CARE/.test(heard)) {
        const { value, done } = await reader.read();
        if (done) return false;
        heard += new TextDecoder().decode(value);
      }
      return true;
    })().catch(() => false);
    const mine = async () =>
      ((await gql(stack.gatewayUrl, INBOX, {}, h)).data?.notifications?.items ?? []).filter(
        (i: { nhsNumber: string; rule: string }) =>
          i.nhsNumber === onPlan.nhsNumber && i.rule === 'CP_IS_UNSCHEDULED_CARE',
      ) as { id: string; acknowledgedAt: string | null }[];
    try {
      const event = spawnSync(
        process.execPath,
        [join(REPO_ROOT, 'dev/dist/bin/event.js'), 'health', 'ae-attendance', onPlan.nhsNumber],
        { env: { ...process.env, DATA_DIR: stack.dataDir }, encoding: 'utf8' },
      );
      expect(event.status, event.stderr).toBe(0);
      await expect.poll(async () => (await mine()).length, { timeout: 15_000, interval: 500 }).toBe(1);
      expect(await told).toBe(true);
    } finally {
      await reader.cancel().catch(() => undefined);
    }

    const [item] = await mine();
    const ack = await gql(
      stack.gatewayUrl,
      `mutation($id: ID!) { acknowledgeNotification(id: $id) { acknowledgedAt } }`,
      { id: item!.id },
      h,
    );
    expect(ack.data?.acknowledgeNotification?.acknowledgedAt, JSON.stringify(ack.errors)).toMatch(/^\d{4}-/);
    expect((await mine())[0]!.acknowledgedAt).toBe(ack.data.acknowledgeNotification.acknowledgedAt);
  });

  it('publishes a subgraph to the schema registry and reads it back', async () => {
    const cli = (args: string[]) =>
      new Promise<{ code: number | null; out: string }>((resolve) => {
        const child = spawn(process.execPath, [join(REPO_ROOT, 'gateway/dist/registry/cli.js'), ...args], {
          env: { ...process.env, GATEWAY_URL: stack.gatewayUrl, DATA_DIR: stack.dataDir },
        });
        let out = '';
        child.stdout.on('data', (d) => (out += d));
        child.stderr.on('data', (d) => (out += d));
        child.on('exit', (code) => resolve({ code, out }));
      });
    // Health's own schema and policy again: nothing becomes visible, so it is in force at once.
    const published = await cli(['publish', 'health', '--url', stack.subgraphUrls.health!]);
    expect(published.code, published.out).toBe(0);
    const id = /Published health as ([0-9a-f-]{36})/.exec(published.out)?.[1];
    expect(id, published.out).toBeDefined();
    const inForce = (await (await fetch(stack.gatewayUrl.replace('/graphql', '/registry/in-force'))).json()) as {
      agencies: { agency: string; publicationId: string | null }[];
    };
    expect(inForce.agencies.find((a) => a.agency === 'health')?.publicationId).toBe(id);
    const changes = await gql(
      stack.gatewayUrl,
      '{ schemaChanges(status: ACTIVE) { id agency status } }',
      {},
      headers(await stack.tokenFor('ig-health'), 'IG_AUDIT'),
    );
    expect(changes.data.schemaChanges).toContainEqual({ id, agency: 'health', status: 'ACTIVE' });
  });

  it("refuses the gateway's user every way to delete, trim, expire or rewrite the log; a direct XADD, which no ACL can refuse, breaks the chain and IG sees it", async () => {
    const refused = [
      ['DEL', 'macpt:dlog:stream'],
      ['UNLINK', 'macpt:dlog:head'],
      ['XTRIM', 'macpt:dlog:stream', 'MAXLEN', '0'],
      ['XDEL', 'macpt:dlog:stream', '0-1'],
      ['EXPIRE', 'macpt:dlog:stream', '1'],
      ['RENAME', 'macpt:dlog:stream', 'macpt:dlog:gone'],
      ['HDEL', 'macpt:dlog:head', 'hash'],
      ['EVAL', "return redis.call('DEL', KEYS[1])", '1', 'macpt:dlog:stream'],
      ['FUNCTION', 'FLUSH'],
      ['FLUSHALL'],
      ['DEL', 'macpt:registry:events'],
      ['DEL', 'macpt:inbox:items'],
    ];
    for (const command of refused) expect(asGateway(...command), command.join(' ')).toMatch(/NOPERM/);
    const ig = headers(await stack.tokenFor('ig-health'), 'IG_AUDIT');
    const integrity = async () =>
      (await gql(stack.gatewayUrl, '{ disclosureLogIntegrity { ok problem } }', {}, ig)).data.disclosureLogIntegrity;
    expect(await integrity()).toEqual({ ok: true, problem: null });

    // The append function runs XADD as the gateway's user, so its user may XADD: a forged entry is detected.
    expect(asGateway('XADD', 'macpt:dlog:stream', '*', 'seq', '999', 'r', '{}')).toMatch(/^\d+-\d+$/);
    expect(await integrity()).toMatchObject({ ok: false, problem: expect.any(String) });
  });
});
