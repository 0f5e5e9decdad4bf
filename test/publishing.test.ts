import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '@macpt/dev';
import { ensureKeyPair } from '@macpt/kit';
import { startRedisServer, type RedisServer } from '@macpt/kit/redis-server';
import { importJWK, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { children, gql, headers, householdOf, startExtraGateway, startTestStack } from './testkit.js';

// Agencies publish their own subgraphs through the gateway's schema registry, with real processes: two
// gateways over one Redis, the health agency restarted on its new schema, a bounded load throughout.

let redis: RedisServer;
let stack: Awaited<ReturnType<typeof startTestStack>>;
let second: Awaited<ReturnType<typeof startExtraGateway>>;
const schema = readFileSync(join(REPO_ROOT, 'subgraphs/health/schema.graphql'), 'utf8');
const policy = readFileSync(join(REPO_ROOT, 'policies/agencies/health.yaml'), 'utf8');
const child = children.find((c) => c.socialCare?.stage === 'SECTION_47' && c.health && !householdOf(c).confidentialBy)!;
const lcpp = child.socialCare!.namedWorkers.find((w) => w.startsWith('lcpp-'))!;

/** Health's schema with a new field, and its policy classifying it (or not). */
const withBloodGroup = schema.replace(
  /(type HealthRecord[^{]*\{)/,
  '$1\n  "Blood group, where recorded."\n  bloodGroup: String',
);
const classified = policy.replace(
  'HealthRecord.gpPractice: IDENTITY',
  'HealthRecord.gpPractice: IDENTITY\n  HealthRecord.bloodGroup: SAFEGUARDING',
);

function write(name: string, text: string): string {
  const file = join(stack.dataDir, name);
  writeFileSync(file, text);
  return file;
}

/** Runs `npm run -s subgraph -- …` as an agency's developer would, against the stack's gateway. */
function subgraphCli(args: string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(REPO_ROOT, 'gateway/dist/registry/cli.js'), ...args], {
      env: { ...process.env, GATEWAY_URL: stack.gatewayUrl, DATA_DIR: stack.dataDir },
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('exit', (code) => resolve({ code, out }));
  });
}

const BLOOD_GROUP = `query($n: ID!) { child(nhsNumber: $n) { health { name bloodGroup } } }`;
const ask = async (url: string, query: string) =>
  gql(url, query, { n: child.nhsNumber }, headers(await stack.tokenFor(lcpp), 'SECTION_47_ENQUIRY'));

beforeAll(async () => {
  redis = await startRedisServer();
  // One user drives the load: the per-user rate limit is not what this test is about.
  stack = await startTestStack(
    { REDIS_URL: redis.url },
    { REGISTRY_POLL_MS: '500', RATE_LIMIT_REQUESTS_PER_MINUTE: '100000' },
  );
  second = await startExtraGateway(stack, { REGISTRY_POLL_MS: '500' }, { devIssuer: true });
}, 180_000);
afterAll(async () => {
  second?.stop();
  await stack?.stopAll();
  await redis?.destroy();
});

describe('publishing a subgraph', () => {
  it('refuses a published field with no class, naming it', async () => {
    const { code, out } = await subgraphCli([
      'publish',
      'health',
      '--schema',
      write('unclassified.graphql', withBloodGroup),
    ]);
    expect(code).toBe(1);
    expect(out).toContain(
      'UNCLASSIFIED_FIELD: HealthRecord.bloodGroup is published but has no class in the policy file',
    );
  });

  it('refuses removing a field a registered operation uses, naming the operation', async () => {
    const without = schema.replace(/\n\s*gpPractice: GpPractice\n/, '\n');
    expect(without).not.toBe(schema);
    const { code, out } = await subgraphCli([
      'check',
      'health',
      '--schema',
      write('no-gp.graphql', without),
      '--policy',
      write('no-gp.yaml', policy.replace(/\n {2}HealthRecord\.gpPractice: IDENTITY/, '')),
    ]);
    expect(code).toBe(1);
    expect(out).toMatch(
      /BREAKS_OPERATION: operations\/child-view\.graphql \(ChildView\): Cannot query field "gpPractice"/,
    );
    expect(out).toMatch(/operations\/console-child\.graphql/);
  });

  it("refuses a publication for health signed with police's key", async () => {
    const police = await ensureKeyPair(join(stack.dataDir, 'keys'), 'publish-police');
    await ensureKeyPair(join(stack.dataDir, 'keys'), 'publish-health'); // health has a key of its own
    const forged = await new SignJWT({ agency: 'health', url: stack.subgraphUrls.health, sdl: schema, policy })
      .setProtectedHeader({ alg: 'ES256' })
      .setIssuer('publisher:health')
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(await importJWK(police.privateJwk, 'ES256'));
    const response = await fetch(stack.gatewayUrl.replace('/graphql', '/registry/publications'), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ submission: forged }),
    });
    expect(response.status).toBe(403);
    expect(await response.json()).toEqual({
      error: { code: 'BAD_SIGNATURE', message: "The submission is not signed with health's publishing key." },
    });
    const unknown = await fetch(stack.gatewayUrl.replace('/graphql', '/registry/publications'), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ submission: 'not-a-signature' }),
    });
    expect(unknown.status).toBe(400);
  });

  it('holds a widening change until an IG lead of health approves it; then every gateway serves it within 5 s, failing no request', async () => {
    // The agency deploys its new subgraph first (it serves the field; the gateways do not ask for it yet).
    const schemaFile = write('health.graphql', withBloodGroup);
    const policyFile = write('health.yaml', classified);
    await stack.stop('health');
    await stack.start('health', { SCHEMA_FILE: schemaFile, POLICY_FILE: policyFile });

    // A bounded load on both gateways for the whole change: every answer must be whole.
    let running = true;
    const failures: string[] = [];
    let served = 0;
    const load = Promise.all(
      [stack.gatewayUrl, second.url, stack.gatewayUrl, second.url].map(async (url) => {
        while (running) {
          const r = await ask(url, `query($n: ID!) { child(nhsNumber: $n) { health { name gpPractice { name } } } }`);
          served++;
          await new Promise((r) => setTimeout(r, 20)); // bounded: each client pauses between requests
          if (r.status !== 200 || r.errors || !r.data?.child?.health?.name)
            failures.push(JSON.stringify(r).slice(0, 300));
        }
      }),
    );

    const published = await subgraphCli(['publish', 'health', '--schema', schemaFile, '--policy', policyFile]);
    expect(published.code).toBe(0);
    expect(published.out).toMatch(/\+ HealthRecord\.bloodGroup \(becomes visible to LCPP/);
    expect(published.out).toMatch(/Published health as [0-9a-f-]{36}: PENDING an IG lead of the agency/);
    await new Promise((r) => setTimeout(r, 1_500)); // three registry polls: nothing changes while pending
    for (const url of [stack.gatewayUrl, second.url])
      expect((await ask(url, BLOOD_GROUP)).errors?.[0]?.message).toMatch(/Cannot query field "bloodGroup"/);

    const ig = headers(await stack.tokenFor('ig-health'), 'IG_AUDIT');
    const pending = await gql(
      stack.gatewayUrl,
      '{ schemaChanges { id agency status impact { field change } } }',
      {},
      ig,
    );
    expect(pending.data.schemaChanges).toHaveLength(1);
    expect(pending.data.schemaChanges[0]).toMatchObject({
      agency: 'health',
      status: 'PENDING',
      impact: [{ field: 'HealthRecord.bloodGroup', change: 'BECOMES_VISIBLE' }],
    });
    // Another agency's IG lead cannot approve it.
    const police = headers(await stack.tokenFor('ig-police'), 'IG_AUDIT');
    const approve = `mutation($id: ID!) { approveSchemaChange(id: $id, note: "Needed by the MACPT health lead for transfusion planning") { status decision { recordId } } }`;
    const id = pending.data.schemaChanges[0].id;
    expect((await gql(stack.gatewayUrl, approve, { id }, police)).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');

    const approved = await gql(second.url, approve, { id }, ig);
    expect(approved.data.approveSchemaChange.status).toBe('APPROVED');
    const at = Date.now();
    for (const url of [stack.gatewayUrl, second.url])
      await expect
        .poll(async () => (await ask(url, BLOOD_GROUP)).errors ?? [], { timeout: 5_000, interval: 100 })
        .toEqual([]);
    const within = Date.now() - at;
    running = false;
    await load;
    expect(failures).toEqual([]);
    expect(served).toBeGreaterThan(20);
    expect(within).toBeLessThan(5_000);
    console.log(`publication in force on both gateways ${within} ms after approval; ${served} requests, 0 failed`);

    const health = (await fetch(stack.gatewayUrl.replace('/graphql', '/health')).then((r) => r.json())) as {
      supergraph: { hash: string };
    };
    const other = (await fetch(second.url.replace('/graphql', '/health')).then((r) => r.json())) as {
      supergraph: { hash: string };
    };
    expect(health.supergraph.hash).toBe(other.supergraph.hash);
    // A second decision on the same change is refused.
    expect((await gql(stack.gatewayUrl, approve, { id }, ig)).errors?.[0]?.extensions?.code).toBe(
      'SCHEMA_CHANGE_CONFLICT',
    );
  });

  it('records each publication and decision in the chain, which verifies', async () => {
    const ig = headers(await stack.tokenFor('ig-health'), 'IG_AUDIT');
    const changes = [];
    for (const outcome of ['APPROVED', 'PENDING_APPROVAL']) {
      const records = await gql(
        stack.gatewayUrl,
        `query($outcome: String) { disclosures(filter: { agency: "health", outcome: $outcome }) { records { kind outcome user { id role } schemaChange { agency status impact note } } } }`,
        { outcome },
        ig,
      );
      changes.push(...records.data.disclosures.records);
    }
    expect(changes.map((r: { kind: string }) => r.kind)).toEqual(['SCHEMA_CHANGE', 'SCHEMA_CHANGE']);
    expect(changes.map((r: { outcome: string }) => r.outcome)).toEqual(['APPROVED', 'PENDING_APPROVAL']);
    expect(changes[1].user).toEqual({ id: 'publisher:health', role: 'PUBLISHER' });
    expect(changes[0].user.id).toBe('ig-health');
    expect(changes[0].schemaChange.note).toBe('Needed by the MACPT health lead for transfusion planning');
    expect(changes[1].schemaChange.impact[0]).toMatch(/^\+ HealthRecord\.bloodGroup/);
    const verify = spawn(process.execPath, [join(REPO_ROOT, 'gateway/dist/disclosure/verify-cli.js')], {
      env: { ...process.env, REDIS_URL: redis.url, DATA_DIR: stack.dataDir },
    });
    expect(await new Promise((r) => verify.on('exit', r))).toBe(0);
  });

  it('puts a narrowing change in force at once', async () => {
    const narrower = classified.replace('HealthRecord.bloodGroup: SAFEGUARDING', 'HealthRecord.bloodGroup: RESTRICTED');
    const { code, out } = await subgraphCli([
      'publish',
      'health',
      '--schema',
      join(stack.dataDir, 'health.graphql'),
      '--policy',
      write('narrower.yaml', narrower),
    ]);
    expect(code).toBe(0);
    expect(out).toMatch(/- HealthRecord\.bloodGroup \(stops being visible to/);
    expect(out).toMatch(/in force/);
    await expect
      .poll(async () => (await ask(second.url, BLOOD_GROUP)).errors?.[0]?.extensions?.rule, { timeout: 5_000 })
      .toBe('RESTRICTED_OWNER_ONLY');
  });
});
