import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from '@macpt/dev';
import Database from 'better-sqlite3';
import {
  canonical,
  headerOf,
  leafHash,
  recordLeaf,
  verifyConsistency,
  verifyInclusion,
} from '@macpt/gateway/disclosure';
import { startRedisServer, type RedisServer } from '@macpt/kit/redis-server';
import { compactVerify, importJWK } from 'jose';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { children, gql, headers, householdOf, startTestStack } from './testkit.js';

// The log that lasts, from outside: a running system on Redis whose mover seals segments of 20 records,
// keeps 60 in Redis and refuses appends past 100 while the archive takes nothing.
type TestStack = Awaited<ReturnType<typeof startTestStack>>;
let stack: TestStack;
let redis: RedisServer;
let raw: Redis;
let ig: Record<string, string>;
let officer: Record<string, string>;
const stages = ['STRATEGY_DISCUSSION', 'SECTION_47', 'CONFERENCE', 'CP_PLAN'];
const caseload = children
  .filter((c) => householdOf(c).la === 'LEICESTER' && stages.includes(c.socialCare?.stage ?? ''))
  .map((c) => c.nhsNumber);
const VIEW = `query($n: ID!) { child(nhsNumber: $n) { health { name } police { name } } }`;

beforeAll(async () => {
  redis = await startRedisServer();
  raw = new Redis(redis.url);
  stack = await startTestStack(
    { REDIS_URL: redis.url },
    {
      RATE_LIMIT_REQUESTS_PER_MINUTE: '100000',
      RATE_LIMIT_CHILDREN_PER_HOUR: '100000',
      DISCLOSURE_LOG_SEGMENT_RECORDS: '20',
      DISCLOSURE_LOG_SEAL_MS: '300',
      DISCLOSURE_LOG_MOVE_MS: '100',
      DISCLOSURE_LOG_HOT_RECORDS: '60',
      DISCLOSURE_LOG_HOT_MAX: '100',
    },
  );
  ig = headers(await stack.tokenFor('ig-police'), 'IG_AUDIT');
  officer = headers(await stack.tokenFor('police-leicester-1'), 'STRATEGY_DISCUSSION');
});
afterAll(async () => {
  raw?.disconnect();
  await stack?.stopAll();
  await redis?.destroy();
});

/** `npm run -s audit:verify` on the running system's stores, with its own anchor file: its output and exit code. */
async function auditVerify(extra: Record<string, string>): Promise<{ code: number; out: string }> {
  const scratch = mkdtempSync(join(tmpdir(), 'macpt-verify-'));
  const env = {
    ...process.env,
    DATA_DIR: stack.dataDir,
    REDIS_URL: redis.url,
    DISCLOSURE_LOG_ANCHOR: join(scratch, 'anchor.json'),
    ...extra,
  };
  try {
    const { stdout } = await promisify(execFile)('node', [join(REPO_ROOT, 'gateway/dist/disclosure/verify-cli.js')], {
      env,
    });
    return { code: 0, out: stdout.trim() };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, out: `${e.stdout}${e.stderr}`.trim() };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

async function views(count: number, from = 0): Promise<number[]> {
  const statuses: number[] = [];
  for (let i = 0; i < count; i++)
    statuses.push((await gql(stack.gatewayUrl, VIEW, { n: caseload[(from + i) % caseload.length] }, officer)).status);
  return statuses;
}
const held = () => raw.xlen('macpt:dlog:stream');

describe('the log that lasts', () => {
  it('keeps Redis at its size while the archive takes sealed segments, and reports across both tiers', async () => {
    const child = caseload[3]!;
    expect(new Set(await views(150))).toEqual(new Set([200]));
    await expect.poll(held, { timeout: 10_000 }).toBeLessThanOrEqual(60);
    // Every view of the child is in its subject-access report, however many left Redis.
    const report = (
      await gql(
        stack.gatewayUrl,
        `query($n: ID!) { subjectAccessReport(nhsNumber: $n) { count records { seq } } }`,
        { n: child },
        ig,
      )
    ).data.subjectAccessReport;
    const asked = Array.from({ length: 150 }, (_, i) => caseload[i % caseload.length]).filter(
      (n) => n === child,
    ).length;
    expect(report.count).toBe(asked);
    expect(Math.min(...report.records.map((r: { seq: number }) => r.seq))).toBeLessThan(
      Number((await raw.hget('macpt:dlog:trimmed', 'seq')) ?? 0),
    );
    const integrity = (await gql(stack.gatewayUrl, `{ disclosureLogIntegrity { ok count segments problem } }`, {}, ig))
      .data.disclosureLogIntegrity;
    expect(integrity).toMatchObject({ ok: true, problem: null });
    expect(integrity.segments).toBeGreaterThanOrEqual(7);
  });

  it('audit:verify re-hashes the archived segments side by side in threads, and names a record altered in one of them', async () => {
    const whole = await auditVerify({ AUDIT_VERIFY_THREADS: '3' });
    expect(whole.code).toBe(0);
    expect(whole.out).toMatch(/^OK \d+ records: \d+ sealed segments/);
    // A record in a middle segment altered in the archive file: named, whichever thread re-hashed it, and
    // every record before its segment counted good, as a one-by-one check would.
    const archive = new Database(join(stack.dataDir, 'disclosure-archive.sqlite'));
    archive.pragma('busy_timeout = 5000');
    const { first_seq: first, n } = archive
      .prepare('SELECT first_seq, n FROM segments WHERE first_seq <= 47 AND last_seq >= 47')
      .get() as { first_seq: number; n: number };
    expect(n).toBeGreaterThan(1);
    const row = archive.prepare('SELECT json FROM records WHERE seq = 47').get() as { json: string };
    const { id } = JSON.parse(row.json) as { id: string };
    archive
      .prepare('UPDATE records SET json = ? WHERE seq = 47')
      .run(row.json.replace(/"time":"[^"]+"/, '"time":"2020-01-01T00:00:00.000Z"'));
    try {
      for (const threads of ['1', '3']) {
        const broken = await auditVerify({ AUDIT_VERIFY_THREADS: threads });
        expect(broken.code).toBe(1);
        expect(broken.out).toBe(
          `BROKEN after ${first - 1} good records: record seq 47 (${id}) was altered: its content does not match its hash`,
        );
      }
    } finally {
      archive.prepare('UPDATE records SET json = ? WHERE seq = 47').run(row.json);
      archive.close();
    }
    expect(await auditVerify({ AUDIT_VERIFY_THREADS: 'many' })).toEqual({
      code: 2,
      out: 'AUDIT_VERIFY_THREADS must be a whole number from 1 to 64, not "many"',
    });
  });

  it("gives an auditor a proof that a trimmed record is in the signed log, checkable with the log's public key alone", async () => {
    // The officer's oldest record: long gone from Redis.
    let after: string | null = null;
    let oldest = { id: '', hash: '' };
    for (;;) {
      const page: { data?: any } = await gql(
        stack.gatewayUrl,
        `query($a: String) { disclosures(first: 200, after: $a, filter: { userId: "police-leicester-1" }) { records { id hash } endCursor hasNextPage } }`,
        { a: after },
        ig,
      );
      const records = page.data.disclosures.records;
      oldest = records[records.length - 1];
      if (!page.data.disclosures.hasNextPage) break;
      after = page.data.disclosures.endCursor;
    }
    const fields =
      'n firstSeq lastSeq count firstTime lastTime root prevRoot head lastHash prevHash sealedAt kid signature';
    const proof = (
      await gql(
        stack.gatewayUrl,
        `query($id: ID!) { disclosureProof(id: $id) { seq leafIndex auditPath headPath segment { ${fields} } latest { ${fields} } } }`,
        { id: oldest.id },
        ig,
      )
    ).data.disclosureProof;
    expect(proof.seq).toBeLessThanOrEqual(Number(await raw.hget('macpt:dlog:trimmed', 'seq')));
    // Both headers are the log key's: checked with its public half alone.
    const publicJwk = JSON.parse(readFileSync(join(stack.dataDir, 'keys', 'disclosure-log.public.json'), 'utf8'));
    const key = await importJWK(publicJwk, 'ES256');
    for (const s of [proof.segment, proof.latest]) {
      const { payload } = await compactVerify(s.signature, key);
      expect(new TextDecoder().decode(payload)).toBe(canonical(headerOf(s)));
    }
    const path = (p: string[]) => p.map((h) => Buffer.from(h, 'hex'));
    const root = Buffer.from(proof.segment.root, 'hex');
    expect(
      verifyInclusion(recordLeaf(oldest.hash), proof.leafIndex, proof.segment.count, path(proof.auditPath), root),
    ).toBe(true);
    // A record altered by one character is not in it.
    const forged = `${oldest.hash.slice(0, -1)}${oldest.hash.endsWith('0') ? '1' : '0'}`;
    expect(verifyInclusion(recordLeaf(forged), proof.leafIndex, proof.segment.count, path(proof.auditPath), root)).toBe(
      false,
    );
    const inHead = verifyInclusion(
      leafHash(root),
      proof.segment.n - 1,
      proof.latest.n,
      path(proof.headPath),
      Buffer.from(proof.latest.head, 'hex'),
    );
    expect(inHead).toBe(true);
    // And the latest head extends the first: nothing sealed was rewritten.
    const c = (
      await gql(
        stack.gatewayUrl,
        `query($t: Int!) { disclosureLogConsistency(from: 1, to: $t) { proof from { head } to { head } } }`,
        { t: proof.latest.n },
        ig,
      )
    ).data.disclosureLogConsistency;
    expect(
      verifyConsistency(
        1,
        proof.latest.n,
        Buffer.from(c.from.head, 'hex'),
        Buffer.from(c.to.head, 'hex'),
        path(c.proof),
      ),
    ).toBe(true);
  });

  it('refuses with 503 at the hard cap while the archive is locked, serves nothing unrecorded, and drains the backlog after', async () => {
    // Another process holds the archive's write lock: every segment the mover puts waits, then fails.
    const archive = new Database(join(stack.dataDir, 'disclosure-archive.sqlite'));
    archive.pragma('busy_timeout = 0');
    archive.exec('BEGIN IMMEDIATE');
    try {
      const statuses = await views(80, 7);
      expect(statuses).toContain(503);
      expect(statuses.filter((s) => s === 200).length).toBeGreaterThan(0);
      expect(await held()).toBeLessThanOrEqual(100);
      const refused = await gql(stack.gatewayUrl, VIEW, { n: caseload[0] }, officer);
      expect(refused.status).toBe(503);
      expect(refused.errors![0]!.extensions!.code).toBe('DISCLOSURE_LOG_UNAVAILABLE');
      expect(refused.data?.child ?? null).toBeNull();
    } finally {
      archive.exec('ROLLBACK');
      archive.close();
    }
    // The lock is gone: the backlog drains to the archive and requests are served again.
    await expect.poll(held, { timeout: 20_000 }).toBeLessThanOrEqual(60);
    expect(new Set(await views(10))).toEqual(new Set([200]));
    const integrity = (await gql(stack.gatewayUrl, `{ disclosureLogIntegrity { ok problem count } }`, {}, ig)).data
      .disclosureLogIntegrity;
    expect(integrity).toMatchObject({ ok: true, problem: null });
  });

  it('leaves no gap and nothing twice when the gateway is killed again and again while it moves segments', async () => {
    // A backlog of sealed segments: the archive locked while requests are served (below the hard cap).
    const archive = new Database(join(stack.dataDir, 'disclosure-archive.sqlite'));
    archive.pragma('busy_timeout = 0');
    archive.exec('BEGIN IMMEDIATE');
    const before = await held();
    const served = await views(Math.max(0, 95 - before), 13);
    archive.exec('ROLLBACK');
    expect(new Set(served)).toEqual(new Set([200]));
    // The mover starts on the backlog as soon as the lock is gone: kill its process at varied moments, restart.
    const gateway = () => stack.processes.get('gateway')!.child;
    for (const ms of [0, 15, 40, 80, 5, 120, 25]) {
      await new Promise((r) => setTimeout(r, ms));
      gateway().kill('SIGKILL');
      await new Promise((r) => gateway().once('exit', r));
      await stack.start('gateway');
    }
    await expect.poll(held, { timeout: 20_000 }).toBeLessThanOrEqual(60);
    // Every sequence number from the first archived to the last in Redis, once each.
    const stored = archive
      .prepare('SELECT COUNT(*) AS n, COUNT(DISTINCT seq) AS d, MIN(seq) AS lo, MAX(seq) AS hi FROM records')
      .get() as {
      n: number;
      d: number;
      lo: number;
      hi: number;
    };
    archive.close();
    expect(stored.n).toBe(stored.d);
    expect(stored.hi - stored.lo + 1).toBe(stored.n);
    const trimmed = Number(await raw.hget('macpt:dlog:trimmed', 'seq'));
    expect(trimmed).toBeLessThanOrEqual(stored.hi);
    const integrity = (await gql(stack.gatewayUrl, `{ disclosureLogIntegrity { ok problem count } }`, {}, ig)).data
      .disclosureLogIntegrity;
    expect(integrity).toMatchObject({ ok: true, problem: null });
    expect(new Set(await views(5))).toEqual(new Set([200]));
  });

  it('places and lifts a legal hold on the record, refusing a malformed request', async () => {
    const child = caseload[5]!;
    const bad = await gql(
      stack.gatewayUrl,
      `mutation { placeLegalHold(nhsNumber: "123", reason: "x") { nhsNumber } }`,
      {},
      ig,
    );
    expect(bad.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
    const placed = await gql(
      stack.gatewayUrl,
      `mutation($n: ID!) { placeLegalHold(nhsNumber: $n, reason: "Serious case review 2026/14") { nhsNumber by } }`,
      { n: child },
      ig,
    );
    expect(placed.data.placeLegalHold).toEqual({ nhsNumber: child, by: 'ig-police' });
    expect((await gql(stack.gatewayUrl, `{ legalHolds { nhsNumber reason } }`, {}, ig)).data.legalHolds).toEqual([
      { nhsNumber: child, reason: 'Serious case review 2026/14' },
    ]);
    // Placing it is on the record, filed under the child (an IG action, not a disclosure to the subject).
    const onRecord = (
      await gql(
        stack.gatewayUrl,
        `query($n: ID!) { disclosures(first: 5, filter: { nhsNumber: $n }) { records { kind user { id } } } }`,
        { n: child },
        ig,
      )
    ).data.disclosures.records;
    expect(onRecord[0]).toEqual({ kind: 'IG_QUERY', user: { id: 'ig-police' } });
    const lifted = await gql(
      stack.gatewayUrl,
      `mutation($n: ID!) { liftLegalHold(nhsNumber: $n, reason: "Review concluded, hold released") }`,
      { n: child },
      ig,
    );
    expect(lifted.data.liftLegalHold).toBe(true);
    const again = await gql(
      stack.gatewayUrl,
      `mutation($n: ID!) { liftLegalHold(nhsNumber: $n, reason: "Review concluded, hold released") }`,
      { n: child },
      ig,
    );
    expect(again.errors![0]!.extensions!.code).toBe('NOT_FOUND');

    // A log that cannot take the record of placing a hold places none: on the record first, then done.
    await raw.call('CLIENT', 'PAUSE', '2500', 'WRITE');
    const unrecorded = await gql(
      stack.gatewayUrl,
      `mutation($n: ID!) { placeLegalHold(nhsNumber: $n, reason: "Placed while the log was paused") { nhsNumber } }`,
      { n: child },
      ig,
    );
    expect([unrecorded.status, unrecorded.errors?.[0]?.extensions?.code]).toEqual([503, 'DISCLOSURE_LOG_UNAVAILABLE']);
    await new Promise((r) => setTimeout(r, 2_600));
    expect((await gql(stack.gatewayUrl, `{ legalHolds { nhsNumber } }`, {}, ig)).data.legalHolds).toEqual([]);
  });
});
