import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from '@macpt/dev';
import { startRedisServer, type RedisServer } from '@macpt/kit/redis-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { children, gql, headers, householdOf, JUSTIFICATION, startTestStack } from './testkit.js';

// The disclosure log seen by its users: practitioners (fail-closed), IG leads (the review API) and
// auditors (the verifier). The same suite runs against the embedded file and a real redis-server.

const run = promisify(execFile);
const target = children.find((c) => c.socialCare?.stage === 'SECTION_47' && c.police && c.education)!;
const lcppId = target.socialCare!.namedWorkers.find((w) => w.startsWith('lcpp-'))!;
const VIEW = `query ChildView($n: ID!) { child(nhsNumber: $n) { health { name aeAttendances { id } camhs { id } confidentialSexualHealth { id } } police { incidents { id } } } }`;

describe.each(['file', 'redis'] as const)('the disclosure log (%s store)', (kind) => {
  let redis: RedisServer | null = null;
  let stack: Awaited<ReturnType<typeof startTestStack>>;
  let ig: Record<string, string>;
  const igQuery = async (query: string, variables: Record<string, unknown> = {}, as = ig) =>
    gql(stack.gatewayUrl, query, variables, as);

  beforeAll(async () => {
    if (kind === 'redis') redis = await startRedisServer();
    stack = await startTestStack(redis ? { REDIS_URL: redis.url } : {});
    ig = headers(await stack.tokenFor('ig-health'), 'IG_AUDIT');
  });
  afterAll(async () => {
    await stack?.stopAll();
    await redis?.destroy();
  });

  const RECORDS = `query($f: DisclosureFilter, $first: Int, $after: String) { disclosures(filter: $f, first: $first, after: $after) {
    records { id seq kind requestId user { id role agency la } purpose justification breakGlass operationName operationHash clientName outcome reason agencies
      children { nhsNumber disclosed { agency fields } withheld { field agency rule class } lawfulBasis { agency basis } } }
    endCursor hasNextPage } }`;

  it('records who saw which fields of which child, from which agency, why, and on what lawful basis — never values', async () => {
    const response = await fetch(stack.gatewayUrl, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'apollographql-client-name': 'macpt-dashboard',
        ...headers(await stack.tokenFor(lcppId), 'SECTION_47_ENQUIRY'),
      },
      body: JSON.stringify({ query: VIEW, variables: { n: target.nhsNumber }, operationName: 'ChildView' }),
    });
    expect(response.status).toBe(200);
    const requestId = response.headers.get('x-request-id');
    const page = await igQuery(RECORDS, { f: { nhsNumber: target.nhsNumber }, first: 5 });
    const record = page.data.disclosures.records.find((r: { requestId: string }) => r.requestId === requestId);
    expect(record).toMatchObject({
      kind: 'DISCLOSURE',
      user: { id: lcppId, role: 'LCPP', agency: 'social-care' },
      purpose: 'SECTION_47_ENQUIRY',
      breakGlass: false,
      operationName: 'ChildView',
      operationHash: expect.stringMatching(/^[0-9a-f]{64}$/),
      clientName: 'macpt-dashboard',
      outcome: 'PARTIAL',
      agencies: ['health', 'police'],
    });
    const child = record.children.find((c: { nhsNumber: string }) => c.nhsNumber === target.nhsNumber);
    expect(child.disclosed).toContainEqual({
      agency: 'health',
      fields: ['Child.health', 'HealthRecord.aeAttendances', 'HealthRecord.camhs', 'HealthRecord.name'],
    });
    expect(child.withheld).toContainEqual({
      field: 'HealthRecord.confidentialSexualHealth',
      agency: 'health',
      rule: 'RESTRICTED_OWNER_ONLY',
      class: 'RESTRICTED',
    });
    expect(child.lawfulBasis).toContainEqual({ agency: 'police', basis: expect.stringMatching(/^DPA 2018 Part 3/) });
    expect(JSON.stringify(record)).not.toContain(target.name);
  });

  it('records refused requests: 401, 400 and a child the user has no relationship with', async () => {
    const unauthenticated = await gql(
      stack.gatewayUrl,
      VIEW,
      { n: target.nhsNumber },
      { 'x-purpose-of-use': 'SECTION_47_ENQUIRY' },
    );
    expect(unauthenticated.status).toBe(401);
    await gql(
      stack.gatewayUrl,
      VIEW,
      { n: target.nhsNumber },
      { authorization: `Bearer ${await stack.tokenFor(lcppId)}` },
    );
    const stranger = children.find((c) => !c.socialCare && householdOf(c).la === 'LEICESTER')!;
    await gql(
      stack.gatewayUrl,
      VIEW,
      { n: stranger.nhsNumber },
      headers(await stack.tokenFor('police-leicester-2'), 'STRATEGY_DISCUSSION'),
    );
    const refusals = (await igQuery(RECORDS, { f: { outcome: 'UNAUTHENTICATED' }, first: 1 })).data.disclosures.records;
    expect(refusals[0]).toMatchObject({ kind: 'REFUSAL', reason: 'UNAUTHENTICATED', user: null });
    // A refusal of a social-care user's request is for social care's IG lead.
    const socialCareIg = headers(await stack.tokenFor('ig-social-care'), 'IG_AUDIT');
    const bad = (await igQuery(RECORDS, { f: { userId: lcppId, outcome: 'BAD_REQUEST' }, first: 1 }, socialCareIg)).data
      .disclosures.records;
    expect(bad[0]).toMatchObject({ kind: 'REFUSAL', reason: 'PURPOSE_OF_USE_REQUIRED' });
    const withheld = (
      await igQuery(
        RECORDS,
        { f: { nhsNumber: stranger.nhsNumber }, first: 1 },
        headers(await stack.tokenFor('ig-police'), 'IG_AUDIT'),
      )
    ).data.disclosures.records;
    expect(withheld[0]).toMatchObject({
      outcome: 'WITHHELD',
      children: [
        { nhsNumber: stranger.nhsNumber, withheld: [{ field: 'Query.child', rule: 'NO_LEGITIMATE_RELATIONSHIP' }] },
      ],
    });
  });

  it('pages newest first with a cursor, and filters by user, agency, purpose, break-glass and time', async () => {
    const officer = headers(await stack.tokenFor('police-leicester-1'), 'EMERGENCY', JUSTIFICATION);
    const since = new Date().toISOString();
    for (const c of children.slice(0, 5)) await gql(stack.gatewayUrl, VIEW, { n: c.nhsNumber }, officer);
    const first = await igQuery(RECORDS, {
      f: { userId: 'police-leicester-1', breakGlass: true, from: since },
      first: 3,
    });
    expect(first.data.disclosures.records).toHaveLength(3);
    expect(first.data.disclosures.hasNextPage).toBe(true);
    const second = await igQuery(RECORDS, {
      f: { userId: 'police-leicester-1', breakGlass: true, from: since },
      first: 3,
      after: first.data.disclosures.endCursor,
    });
    const seqs = [...first.data.disclosures.records, ...second.data.disclosures.records].map(
      (r: { seq: number }) => r.seq,
    );
    expect(seqs).toHaveLength(5);
    expect([...seqs].sort((a, b) => b - a)).toEqual(seqs);
    expect(
      second.data.disclosures.records.every(
        (r: { justification: string; purpose: string }) =>
          r.justification === JUSTIFICATION && r.purpose === 'EMERGENCY',
      ),
    ).toBe(true);
    expect((await igQuery(RECORDS, { f: { purpose: 'MASH_TRIAGE', from: since } })).data.disclosures.records).toEqual(
      [],
    );
  });

  it("shows an agency's IG lead only the records that concern its data or staff, and refuses practitioners", async () => {
    const education = headers(await stack.tokenFor('ig-education'), 'IG_AUDIT');
    const records = (await igQuery(RECORDS, { first: 200 }, education)).data.disclosures.records;
    expect(records.length).toBeGreaterThan(0);
    for (const r of records)
      expect(r.agencies.includes('education') || r.user === null || r.user.agency === 'education').toBe(true);
    const practitioner = await igQuery(RECORDS, {}, headers(await stack.tokenFor(lcppId), 'IG_AUDIT'));
    expect(practitioner.errors![0]!.extensions).toMatchObject({ code: 'FORBIDDEN_BY_POLICY', rule: 'IG_LEADS_ONLY' });
  });

  it("gives a subject-access report only the subject's own entries, even from a caseload's record naming other children", async () => {
    const others = children
      .filter(
        (c) =>
          c !== target &&
          c.socialCare?.caseId &&
          c.socialCare.stage !== 'REFERRAL' &&
          c.socialCare.namedWorkers.includes(lcppId),
      )
      .slice(0, 3);
    expect(others.length).toBeGreaterThan(0);
    const caseload = await gql(
      stack.gatewayUrl,
      `query Caseload($n: [ID!]!) { children(nhsNumbers: $n) { health { name } } }`,
      { n: [target.nhsNumber, ...others.map((c) => c.nhsNumber)] },
      headers(await stack.tokenFor(lcppId), 'STRATEGY_DISCUSSION'),
    );
    expect(caseload.data.children.filter(Boolean).length).toBeGreaterThan(1);
    const sar = (
      await igQuery(
        `query($n: ID!) { subjectAccessReport(nhsNumber: $n) { records { operationName children { nhsNumber } } } }`,
        { n: target.nhsNumber },
      )
    ).data.subjectAccessReport;
    expect(sar.records.some((r: { operationName: string }) => r.operationName === 'Caseload')).toBe(true);
    for (const r of sar.records)
      expect(r.children.map((c: { nhsNumber: string }) => c.nhsNumber)).toEqual([target.nhsNumber]);
    // The full record, with every child on the caseload, stays available to the IG lead's review.
    const full = (await igQuery(RECORDS, { f: { nhsNumber: others[0]!.nhsNumber }, first: 5 })).data.disclosures
      .records;
    expect(full.length).toBeGreaterThan(0);

    // Paged, the same report in the same order, each page about its subject alone; a bad cursor is refused.
    const PAGE = `query($n: ID!, $after: String) { subjectAccessReport(nhsNumber: $n, first: 1, after: $after) { count hasNextPage endCursor records { id children { nhsNumber } } } }`;
    const whole = (
      await igQuery(`query($n: ID!) { subjectAccessReport(nhsNumber: $n) { count records { id } } }`, {
        n: target.nhsNumber,
      })
    ).data.subjectAccessReport;
    expect(whole.count).toBeGreaterThan(1);
    const ids: string[] = [];
    let after: string | null = null;
    for (let pages = 0; pages < whole.count; pages++) {
      const page: { count: number; hasNextPage: boolean; endCursor: string; records: any[] } = (
        await igQuery(PAGE, { n: target.nhsNumber, after })
      ).data.subjectAccessReport;
      expect(page.count).toBe(whole.count);
      expect(page.records).toHaveLength(1);
      expect(page.records[0].children).toEqual([{ nhsNumber: target.nhsNumber }]);
      ids.push(page.records[0].id);
      after = page.endCursor;
      if (!page.hasNextPage) break;
    }
    expect(ids).toEqual(whole.records.map((r: { id: string }) => r.id));
    const bad = await igQuery(PAGE, { n: target.nhsNumber, after: 'not-a-cursor' });
    expect(bad.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
  });

  it('reports every disclosure of a child as JSON, CSV and FHIR AuditEvents, and logs the IG query itself', async () => {
    const report = await igQuery(
      `query($n: ID!) { subjectAccessReport(nhsNumber: $n) { count csvUrl fhirUrl records { id outcome } } }`,
      { n: target.nhsNumber },
    );
    const sar = report.data.subjectAccessReport;
    expect(sar.count).toBeGreaterThan(0);
    const csv = await fetch(sar.csvUrl.replace(/^http:\/\/[^/]+/, stack.gatewayUrl.replace('/graphql', '')), {
      headers: ig,
    });
    expect(csv.headers.get('content-type')).toMatch(/text\/csv/);
    const lines = (await csv.text()).trim().split('\n');
    expect(lines[0]).toBe(
      'time,record_id,user_id,role,agency,la,purpose,break_glass,justification,outcome,operation,client,disclosed,withheld,lawful_basis',
    );
    expect(lines).toHaveLength(sar.count + 1);
    const fhir = (await (
      await fetch(sar.fhirUrl.replace(/^http:\/\/[^/]+/, stack.gatewayUrl.replace('/graphql', '')), { headers: ig })
    ).json()) as { entry: { resource: Record<string, any> }[] };
    const event = fhir.entry[0]!.resource;
    expect(event).toMatchObject({
      resourceType: 'AuditEvent',
      action: 'R',
      agent: expect.arrayContaining([expect.objectContaining({ requestor: true, purposeOfUse: expect.any(Array) })]),
    });
    expect(event.entity).toContainEqual(
      expect.objectContaining({
        what: { identifier: { system: 'https://fhir.nhs.uk/Id/nhs-number', value: target.nhsNumber } },
        role: expect.objectContaining({ code: '1' }),
      }),
    );
    const logged = (await igQuery(RECORDS, { f: { userId: 'ig-health' }, first: 5 })).data.disclosures.records;
    expect(logged.map((r: { kind: string }) => r.kind)).toContain('IG_QUERY');
    const anonymous = await fetch(sar.csvUrl.replace(/^http:\/\/[^/]+/, stack.gatewayUrl.replace('/graphql', '')));
    expect(anonymous.status).toBe(401);
  });

  it('lists break-glass uses for review and records the review in the chain', async () => {
    await gql(
      stack.gatewayUrl,
      VIEW,
      { n: children[7]!.nhsNumber },
      headers(await stack.tokenFor('health-rutland-1'), 'EMERGENCY', JUSTIFICATION),
    );
    const pending = (
      await igQuery(
        `{ breakGlassReviews(status: PENDING) { status record { id breakGlass justification user { id } } } }`,
      )
    ).data.breakGlassReviews;
    expect(pending.length).toBeGreaterThan(0);
    const id = pending[0].record.id;
    const reviewed = await igQuery(
      `mutation($id: ID!) { reviewBreakGlass(id: $id, outcome: APPROPRIATE, note: "Officer attended a child alone at night; use justified.") { status review { kind review { recordId outcome note } user { id } } } }`,
      { id },
    );
    expect(reviewed.errors, JSON.stringify(reviewed.errors)).toBeUndefined();
    expect(reviewed.data.reviewBreakGlass).toMatchObject({
      status: 'REVIEWED',
      review: {
        kind: 'BREAK_GLASS_REVIEW',
        review: { recordId: id, outcome: 'APPROPRIATE' },
        user: { id: 'ig-health' },
      },
    });
    const still = (await igQuery(`{ breakGlassReviews(status: PENDING) { record { id } } }`)).data.breakGlassReviews;
    expect(still.map((r: { record: { id: string } }) => r.record.id)).not.toContain(id);
  });

  it('verifies through the API and with npm run audit:verify, and the verifier names a tampered record', async () => {
    const integrity = (await igQuery(`{ disclosureLogIntegrity { ok count problem store durability } }`)).data
      .disclosureLogIntegrity;
    expect(integrity).toMatchObject({ ok: true, problem: null, store: kind });
    expect(integrity.durability).toMatch(kind === 'file' ? /fsync/ : /appendfsync always/);
    const env = { ...process.env, DATA_DIR: stack.dataDir, ...(redis ? { REDIS_URL: redis.url } : {}) };
    const ok = await run('node', [join(REPO_ROOT, 'gateway/dist/disclosure/verify-cli.js')], { env });
    expect(ok.stdout.trim()).toMatch(/^OK \d+\b/);
    if (kind === 'file') {
      const file = join(stack.dataDir, 'disclosure-log.jsonl');
      const lines = readFileSync(file, 'utf8').trim().split('\n');
      const second = JSON.parse(lines[1]!);
      lines[1] = JSON.stringify({ ...second, purpose: 'CP_PLAN_REVIEW' });
      writeFileSync(file, lines.join('\n') + '\n');
      const broken = await run('node', [join(REPO_ROOT, 'gateway/dist/disclosure/verify-cli.js')], { env }).catch(
        (e: { code: number; stdout: string }) => e,
      );
      expect((broken as { code: number }).code).toBe(1);
      expect((broken as { stdout: string }).stdout).toContain(`record seq ${second.seq} (${second.id}) was altered`);
      lines[1] = JSON.stringify(second);
      writeFileSync(file, lines.join('\n') + '\n');
    }
  });

  it.runIf(kind === 'file')(
    'will not let a restart hide records cut off the end: not ready until an explicit, recorded recovery',
    async () => {
      const env = { ...process.env, DATA_DIR: stack.dataDir };
      const verify = () =>
        run('node', [join(REPO_ROOT, 'gateway/dist/disclosure/verify-cli.js')], { env }).then(
          (r) => r.stdout.trim(),
          (e: { stdout: string }) => e.stdout.trim(),
        );
      const file = join(stack.dataDir, 'disclosure-log.jsonl');
      await stack.stop('gateway');
      const lines = readFileSync(file, 'utf8').trim().split('\n');
      expect(lines.length).toBeGreaterThan(6);
      const kept = lines.slice(0, -5);
      writeFileSync(file, kept.join('\n') + '\n');
      expect(await verify()).toMatch(/^BROKEN .*5 records were cut off the end|^BROKEN .*cut off the end/);
      await stack.start('gateway').catch(() => undefined); // health answers; readiness must not
      const ready = await fetch(stack.gatewayUrl.replace('/graphql', '/health/ready'));
      expect(ready.status).toBe(503);
      expect(((await ready.json()) as { problem: string }).problem).toMatch(/5 records were cut off the end/);
      const refused = await gql(
        stack.gatewayUrl,
        VIEW,
        { n: target.nhsNumber },
        headers(await stack.tokenFor(lcppId), 'SECTION_47_ENQUIRY'),
      );
      expect(refused.status).toBe(503);
      expect(refused.data).toBeUndefined();
      expect(await verify()).toMatch(/^BROKEN/); // the request above appended nothing
      expect(readFileSync(file, 'utf8').trim().split('\n')).toEqual(kept);

      await stack.stop('gateway');
      const recovered = await run(
        'node',
        [
          join(REPO_ROOT, 'gateway/dist/disclosure/recover-cli.js'),
          '--reason',
          'Five records lost in a disk fault on 2 Dec; IG lead informed.',
        ],
        { env },
      );
      expect(recovered.stdout).toMatch(/^RECOVERED: .*5 records were cut off the end\. Recorded as seq \d+/);
      expect(await verify()).toMatch(/^OK \d+\b/);
      await stack.start('gateway');
      expect((await fetch(stack.gatewayUrl.replace('/graphql', '/health/ready'))).status).toBe(200);
      const recovery = (await igQuery(`{ disclosures(first: 1) { records { kind outcome reason justification } } }`))
        .data.disclosures.records[0];
      expect(recovery).toMatchObject({
        kind: 'LOG_RECOVERY',
        outcome: 'RECOVERED',
        justification: 'Five records lost in a disk fault on 2 Dec; IG lead informed.',
      });
    },
  );
});
