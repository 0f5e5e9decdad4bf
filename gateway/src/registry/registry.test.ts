import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ensureKeyPair } from '@macpt/kit';
import { policyFileOf } from '@macpt/policies';
import { checkPublication } from './checks.js';
import { deploymentSubgraphs } from './open.js';
import { SchemaRegistry } from './service.js';
import { signSubmission, SubmissionRefused, verifySubmission } from './signature.js';
import { FileRegistryStore, RegistryConflict, type Publication } from './store.js';

const dir = mkdtempSync(join(tmpdir(), 'macpt-registry-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const deployment = deploymentSubgraphs();
const health = deployment.bundled.find((a) => a.agency === 'health')!;
const healthPolicy = readFileSync(policyFileOf('health'), 'utf8');

const check = (sdl: string, policyText = healthPolicy) =>
  checkPublication({
    agency: 'health',
    url: health.url,
    sdl,
    policyText,
    published: deployment.bundled,
    own: deployment.own,
    operations: deployment.operations,
    hashes: { schemaHash: 's', policyHash: 'p' },
  });

describe('the publication checks', () => {
  it('pass the bundled subgraph unchanged, with no impact', () => {
    const report = check(health.sdl);
    expect(report.problems).toEqual([]);
    expect(report.impact).toEqual([]);
    expect(report.widens).toBe(false);
  });

  it('name the line and column of a schema that does not parse', () => {
    const broken = health.sdl.replace('type HealthRecord', 'type HealthRecord {{');
    const line = broken.split('\n').findIndex((l) => l.includes('type HealthRecord {{')) + 1;
    expect(check(broken).problems).toEqual([
      {
        kind: 'SCHEMA_SYNTAX',
        message: expect.stringMatching(new RegExp(`^schema\\.graphql:${line}:\\d+: Expected Name`)),
      },
    ]);
  });

  it('name a class for a field the schema no longer publishes, and composition failures', () => {
    const stale = check(health.sdl, `${healthPolicy}  HealthRecord.shoeSize: IDENTITY\n`);
    expect(stale.problems).toEqual([
      {
        kind: 'STALE_CLASSIFICATION',
        message: 'the policy file classifies HealthRecord.shoeSize, which the schema does not publish',
      },
    ]);
    // Child.nhsNumber is the shared key: an agency that makes it a number cannot compose with the others.
    const clash = check(health.sdl.replace(/nhsNumber: ID!/, 'nhsNumber: Int!'));
    expect(clash.problems.some((p) => p.kind === 'COMPOSITION')).toBe(true);
  });

  it('name a chronology source that does not lead to fields the agency publishes', () => {
    const wrong = healthPolicy.replace(
      'path: health.aeAttendances, date: date,',
      'path: health.aeAttendances, date: seenOn,',
    );
    expect(wrong).not.toBe(healthPolicy);
    expect(check(health.sdl, wrong).problems).toEqual([
      {
        kind: 'CHRONOLOGY_SOURCE',
        message:
          'health: health.yaml chronology AE_ATTENDANCE: AeAttendance.seenOn is not a field this agency publishes and classifies',
      },
    ]);
  });

  it('say a narrowing change stops a field being visible and does not widen', () => {
    const narrower = healthPolicy.replace(
      'HealthRecord.immunisations: SAFEGUARDING',
      'HealthRecord.immunisations: SENSITIVE',
    );
    const report = check(health.sdl, narrower);
    expect(report.widens).toBe(false);
    expect(report.impact.map((i) => [i.field, i.change])).toEqual([
      ['HealthRecord.immunisations', 'STOPS_BEING_VISIBLE'],
    ]);
    expect(report.impact[0]!.to).toContainEqual({
      role: 'MACPT_POLICE',
      agency: 'police',
      purpose: 'SECTION_47_ENQUIRY',
    });
    expect(report.impact[0]!.to).not.toContainEqual(expect.objectContaining({ role: 'MACPT_HEALTH' }));
  });
});

describe('signed submissions', () => {
  const keys = join(dir, 'keys');
  const submission = { agency: 'health', url: health.url, sdl: health.sdl, policy: healthPolicy };

  it("accept the agency's own key, refuse another agency's, an unknown agency and a stale one", async () => {
    const own = await ensureKeyPair(keys, 'publish-health');
    const police = await ensureKeyPair(keys, 'publish-police');
    expect((await verifySubmission(await signSubmission(submission, own.privateJwk), keys)).agency).toBe('health');
    const refusal = (p: Promise<unknown>) =>
      p.then(
        () => null,
        (e: SubmissionRefused) => [e.status, e.code, e.message],
      );
    expect(await refusal(verifySubmission(await signSubmission(submission, police.privateJwk), keys))).toEqual([
      403,
      'BAD_SIGNATURE',
      "The submission is not signed with health's publishing key.",
    ]);
    expect(
      await refusal(
        verifySubmission(await signSubmission({ ...submission, agency: 'probation' }, own.privateJwk), keys),
      ),
    ).toEqual([403, 'UNKNOWN_AGENCY', expect.stringContaining('"probation" is not an agency')]);
    const later = new Date(Date.now() + 6 * 60_000);
    expect((await refusal(verifySubmission(await signSubmission(submission, own.privateJwk), keys, later)))?.[1]).toBe(
      'BAD_SIGNATURE',
    );
  });
});

describe('the registry store', () => {
  it('appends only onto the history it was checked against, and ignores a publication its agency did not sign', async () => {
    const store = new FileRegistryStore(join(dir, 'registry', 'events.jsonl'));
    const forged: Publication = {
      id: 'forged',
      agency: 'health',
      url: health.url,
      sdl: health.sdl,
      policyText: healthPolicy.replace('HealthRecord.camhs: SENSITIVE', 'HealthRecord.camhs: IDENTITY'),
      schemaHash: 's',
      policyHash: 'p',
      signature: 'not.a.signature',
      impact: [],
      status: 'ACTIVE',
      base: null,
      publishedAt: new Date().toISOString(),
      recordId: 'r',
    };
    await store.append({ type: 'PUBLISHED', publication: forged }, 0);
    await expect(store.append({ type: 'PUBLISHED', publication: forged }, 0)).rejects.toBeInstanceOf(RegistryConflict);
    const told: string[] = [];
    const registry = new SchemaRegistry({
      store,
      ...deployment,
      composer: null as never, // state() composes nothing
      keysDir: join(dir, 'keys'),
      record: async () => undefined,
      draft: () => null as never,
      onForged: (p) => told.push(p.id),
    });
    const state = await registry.state();
    expect(state.length).toBe(1);
    expect(state.active.size).toBe(0); // the bundled subgraph stays in force
    expect(told).toEqual(['forged']);
  });
});

describe('the registry watcher', () => {
  it('never replaces the running supergraph with one that does not compose, and says why', async () => {
    const { watchRegistry } = await import('./watch.js');
    const { PolicyEngine } = await import('@macpt/policies');
    const engine = new PolicyEngine();
    const served = { supergraphHash: 'running', loadedAt: 'then', registryLength: 1 };
    const updates: string[] = [];
    const errors: unknown[] = [];
    const watcher = watchRegistry({
      registry: {
        state: async () => ({ length: 2, active: new Map(), publications: [], decisions: new Map() }),
        composeInForce: async () => ({ errors: ['[health] Child.nhsNumber: type Int! does not match ID!'] }),
        inForce: () => [],
      } as unknown as SchemaRegistry,
      store: { length: async () => 2 } as unknown as FileRegistryStore,
      engine,
      served,
      update: () => (sdl: string) => void updates.push(sdl),
      intervalMs: 60_000,
      logger: { error: (o: unknown) => errors.push(o), info: () => undefined, warn: () => undefined } as never,
    });
    const generation = engine.generation;
    await watcher.poll();
    watcher.stop();
    expect(updates).toEqual([]);
    expect(served).toEqual({ supergraphHash: 'running', loadedAt: 'then', registryLength: 1 });
    expect(engine.generation).toBe(generation); // the policies in force stay too
    expect(JSON.stringify(errors)).toContain('does not match');
  });
});

describe('a publication the store refuses after it was recorded', () => {
  it('gets a second record saying it was not made, and a clear 409', async () => {
    const keysDir = join(dir, 'keys');
    const own = await ensureKeyPair(keysDir, 'publish-health');
    const outcomes: string[] = [];
    const racing = {
      kind: 'file' as const,
      events: async () => [],
      length: async () => 0,
      append: async () => {
        throw new RegistryConflict('another publication landed first');
      },
      close: async () => undefined,
    };
    const registry = new SchemaRegistry({
      store: racing,
      ...deployment,
      composer: { check: async () => ({ ...check(health.sdl), supergraphSdl: 'sdl' }) } as never,
      keysDir,
      record: async (d) => void outcomes.push(`${d.outcome}${d.reason ? ` ${d.reason}` : ''}`),
      draft: (outcome, extra, user) =>
        ({
          id: String(outcomes.length),
          time: new Date().toISOString(),
          outcome,
          user,
          reason: null,
          ...extra,
        }) as never,
    });
    const token = await signSubmission(
      { agency: 'health', url: health.url, sdl: health.sdl, policy: healthPolicy },
      own.privateJwk,
    );
    await expect(registry.publish(token)).rejects.toMatchObject({ status: 409, code: 'REGISTRY_CONFLICT' });
    expect(outcomes).toEqual(['PUBLISHED', 'NOT_STORED REGISTRY_CONFLICT']);
  });
});
