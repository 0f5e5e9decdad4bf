import { GP_PRACTICES, SCHOOLS } from '@macpt/synthetic';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { children, gql, headers, householdOf, households, JUSTIFICATION, startTestStack } from './testkit.js';

type TestStack = Awaited<ReturnType<typeof startTestStack>>;
let stack: TestStack;
/** The LCPP named on the spanning child's section 47 enquiry, and a MACPT officer using break-glass. */
let lcpp: Record<string, string>;
let emergency: Record<string, string>;

// A child on an open section 47 enquiry whom every agency knows: the view the MACPT exists for.
const spanning = children.find(
  (c) => c.socialCare?.stage === 'SECTION_47' && c.police && c.police.incidents.length > 0 && c.education?.schoolUrn,
)!;

beforeAll(async () => {
  stack = await startTestStack();
  const lcppId = spanning.socialCare!.namedWorkers.find((w) => w.startsWith('lcpp-'))!;
  lcpp = headers(await stack.tokenFor(lcppId), 'SECTION_47_ENQUIRY');
  emergency = headers(await stack.tokenFor('police-leicester-1'), 'EMERGENCY', JUSTIFICATION);
});
afterAll(async () => {
  await stack?.stopAll();
});

const CHILD_VIEW = /* GraphQL */ `
  query ChildView($nhs: ID!) {
    child(nhsNumber: $nhs) {
      nhsNumber
      socialCare { name localAuthority currentCase { id stage } cpPlan { category startDate } referrals { id } }
      health { name gpPractice { odsCode name } aeAttendances { id injuryCode } immunisations { vaccine status } }
      police { name incidents { id kind involvement } }
      operationEncompass { id schoolUrn }
      education { name school { urn name } attendance { rate persistentAbsence } }
    }
  }
`;

describe('one child view drawn live from four agencies', () => {
  it("returns each agency's records for a child known to all four, as the generator made them", async () => {
    expect(spanning).toBeDefined();
    const result = await gql(stack.gatewayUrl, CHILD_VIEW, { nhs: spanning.nhsNumber }, lcpp);
    expect(result.errors).toBeUndefined();
    const child = result.data.child;
    const sc = spanning.socialCare!;
    expect(child.socialCare).toEqual({
      name: spanning.name,
      localAuthority: householdOf(spanning).la,
      currentCase: { id: sc.caseId, stage: sc.stage },
      cpPlan: sc.cpPlan,
      referrals: expect.arrayContaining(sc.referrals.map((r) => ({ id: r.id }))),
    });
    expect(child.health.gpPractice).toEqual({
      odsCode: spanning.health.gpPractice,
      name: GP_PRACTICES.find((p) => p.odsCode === spanning.health.gpPractice)!.name,
    });
    expect(child.health.aeAttendances.map((a: { id: string }) => a.id).sort()).toEqual(
      spanning.health.aeAttendances.map((a) => a.id).sort(),
    );
    expect(child.health.immunisations).toHaveLength(spanning.health.immunisations.length);
    expect(child.police.incidents.map((i: { id: string }) => i.id).sort()).toEqual(
      spanning.police!.incidents.map((i) => i.id).sort(),
    );
    expect(child.operationEncompass).toHaveLength(spanning.police!.encompass.length);
    expect(child.education.school).toEqual({
      urn: spanning.education!.schoolUrn,
      name: SCHOOLS.find((s) => s.urn === spanning.education!.schoolUrn)!.name,
    });
    expect(child.education.attendance.rate).toBeCloseTo(spanning.education!.attendanceRate!, 3);
  });

  it('shapes every answer by its own query and variables, when many requests of one shape arrive at once', async () => {
    // One operation name, two selections; one of them with a section its variables include or leave out.
    const withFlag = /* GraphQL */ `
      query ChildView($nhs: ID!, $police: Boolean!) {
        child(nhsNumber: $nhs) { nhsNumber police @include(if: $police) { name } health { name } }
      }
    `;
    const schoolOnly = /* GraphQL */ `
      query ChildView($nhs: ID!) { child(nhsNumber: $nhs) { education { school { urn } } } }
    `;
    const asked = Array.from({ length: 12 }, (_, i) =>
      i % 3 === 2
        ? gql(stack.gatewayUrl, schoolOnly, { nhs: spanning.nhsNumber }, lcpp)
        : gql(stack.gatewayUrl, withFlag, { nhs: spanning.nhsNumber, police: i % 3 === 0 }, lcpp),
    );
    const answers = await Promise.all(asked);
    answers.forEach((answer, i) => {
      expect(answer.errors).toBeUndefined();
      if (i % 3 === 2)
        expect(answer.data.child).toEqual({ education: { school: { urn: spanning.education!.schoolUrn } } });
      else
        expect(answer.data.child).toEqual({
          nhsNumber: spanning.nhsNumber,
          ...(i % 3 === 0 ? { police: { name: spanning.name } } : {}),
          health: { name: spanning.name },
        });
    });
  });

  it('returns null sections, not errors, for agencies that hold nothing about a known child', async () => {
    const healthOnly = children.find((c) => !c.socialCare && !c.police && !c.education)!;
    const result = await gql(stack.gatewayUrl, CHILD_VIEW, { nhs: healthOnly.nhsNumber }, emergency);
    expect(result.errors).toBeUndefined();
    expect(result.data.child).toMatchObject({
      socialCare: null,
      police: null,
      education: null,
      health: { name: healthOnly.name },
    });
  });

  it("lists an LA's open MACPT cases with their named workers", async () => {
    const result = await gql(
      stack.gatewayUrl,
      `{ cases(la: RUTLAND) { id localAuthority child { nhsNumber } namedWorkers { userId role agency } } }`,
      {},
      headers(await stack.tokenFor('lcpp-rutland'), 'STRATEGY_DISCUSSION'),
    );
    expect(result.errors).toBeUndefined();
    const expected = households
      .filter((h) => h.la === 'RUTLAND')
      .flatMap((h) => h.children)
      .filter((c) => c.socialCare?.caseId);
    expect(result.data.cases.map((c: { id: string }) => c.id).sort()).toEqual(
      expected.map((c) => c.socialCare!.caseId).sort(),
    );
    const first = result.data.cases[0];
    const truth = expected.find((c) => c.socialCare!.caseId === first.id)!;
    expect(first.child.nhsNumber).toBe(truth.nhsNumber);
    expect(first.namedWorkers.map((w: { userId: string }) => w.userId).sort()).toEqual(
      [...truth.socialCare!.namedWorkers].sort(),
    );
    expect(new Set(first.namedWorkers.map((w: { agency: string }) => w.agency))).toEqual(
      new Set(['social-care', 'police', 'health', 'education']),
    );
  });

  it("resolves a whole LA's caseload at or past strategy discussion in one request from the other agencies", async () => {
    // Break-glass opens one child at a time; a MACPT member of the LA sees its caseload for a purpose it supports.
    const stages = ['STRATEGY_DISCUSSION', 'SECTION_47', 'CONFERENCE', 'CP_PLAN'];
    const batch = children
      .filter((c) => householdOf(c).la === 'LEICESTER' && stages.includes(c.socialCare?.stage ?? ''))
      .map((c) => c.nhsNumber);
    expect(batch.length).toBeGreaterThan(50);
    const team = headers(await stack.tokenFor('police-leicester-1'), 'STRATEGY_DISCUSSION');
    const result = await gql(
      stack.gatewayUrl,
      // (Social care's record is SAFEGUARDING, for the workers named on the case, not the wider team.)
      `query($n: [ID!]!) { children(nhsNumbers: $n) { nhsNumber health { name } education { name } police { name } } }`,
      { n: batch },
      team,
    );
    expect(result.errors).toBeUndefined();
    expect(result.data.children.map((c: { nhsNumber: string }) => c.nhsNumber)).toEqual(batch);
    expect(result.data.children.every((c: { health: unknown }) => c.health !== null)).toBe(true);
  });
});

describe('bad input gets a clear error and nothing crashes', () => {
  it('refuses an NHS number that is not 10 digits, saying why', async () => {
    const result = await gql(stack.gatewayUrl, CHILD_VIEW, { nhs: '12345' }, lcpp);
    expect(result.data).toEqual({ child: null });
    expect(result.errors).toEqual([
      expect.objectContaining({ path: ['child'], extensions: expect.objectContaining({ code: 'BAD_USER_INPUT' }) }),
    ]);
    expect(result.errors![0]!.message).toMatch(/exactly 10 digits/);
  });

  it('refuses an NHS number whose check digit is wrong, naming the right one', async () => {
    const good = spanning.nhsNumber;
    const bad = good.slice(0, 9) + String((Number(good[9]) + 1) % 10);
    const result = await gql(stack.gatewayUrl, CHILD_VIEW, { nhs: bad }, lcpp);
    expect(result.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
    expect(result.errors![0]!.message).toContain(`the last digit should be ${good[9]}`);
  });

  it('answers an unknown child with null and NOT_FOUND under break-glass', async () => {
    const result = await gql(stack.gatewayUrl, CHILD_VIEW, { nhs: '9999999999' }, emergency);
    expect(result.data).toEqual({ child: null });
    expect(result.errors).toEqual([
      expect.objectContaining({
        message: 'No agency holds a record for NHS number 9999999999.',
        extensions: expect.objectContaining({ code: 'NOT_FOUND' }),
      }),
    ]);
  });

  it('answers an unknown child exactly as a known child the user has no relationship with', async () => {
    const unrelated = children.find((c) => !c.socialCare)!;
    const unknown = await gql(
      stack.gatewayUrl,
      `query($n: ID!) { child(nhsNumber: $n) { health { name } } }`,
      { n: '9999999999' },
      lcpp,
    );
    const known = await gql(
      stack.gatewayUrl,
      `query($n: ID!) { child(nhsNumber: $n) { health { name } } }`,
      { n: unrelated.nhsNumber },
      lcpp,
    );
    expect(known).toEqual(unknown);
    expect(unknown.errors![0]!.extensions).toEqual({
      code: 'FORBIDDEN_BY_POLICY',
      rule: 'NO_LEGITIMATE_RELATIONSHIP',
      agency: 'gateway',
      class: 'IDENTITY',
    });
  });

  it('serves the valid children of a list and marks each bad one at its index', async () => {
    const result = await gql(
      stack.gatewayUrl,
      `{ children(nhsNumbers: ["${spanning.nhsNumber}", "nonsense", "9999999999"]) { nhsNumber } }`,
      {},
      lcpp,
    );
    expect(result.data).toEqual({ children: [{ nhsNumber: spanning.nhsNumber }, null, null] });
    expect(result.errors!.map((e) => [e.path, e.extensions!.code])).toEqual(
      expect.arrayContaining([
        [['children', 1], 'BAD_USER_INPUT'],
        // Unknown, answered as a child the user has no relationship with (so it says nothing of who exists).
        [['children', 2], 'FORBIDDEN_BY_POLICY'],
      ]),
    );
  });

  it('answers an unknown case id with null and NOT_FOUND', async () => {
    const result = await gql(stack.gatewayUrl, `{ case(id: "CASE-0000000000") { id } }`, {}, lcpp);
    expect(result.data).toEqual({ case: null });
    expect(result.errors![0]!.extensions!.code).toBe('NOT_FOUND');
  });

  it('refuses a body that is not JSON with 400', async () => {
    const response = await fetch(stack.gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...lcpp },
      body: '{"query": ',
    });
    expect(response.status).toBe(400);
  });
});

describe('an agency that is down', () => {
  it('leaves the other three served and names the missing agency; service returns when it does', async () => {
    await stack.stop('police');
    try {
      const result = await gql(stack.gatewayUrl, CHILD_VIEW, { nhs: spanning.nhsNumber }, lcpp);
      expect(result.data.child.health.name).toBe(spanning.name);
      expect(result.data.child.education.name).toBe(spanning.name);
      expect(result.data.child.socialCare.name).toBe(spanning.name);
      expect(result.data.child.police).toBeNull();
      const police = result.errors!.find((e) => e.extensions!.code === 'AGENCY_UNAVAILABLE');
      expect(police).toMatchObject({ extensions: { code: 'AGENCY_UNAVAILABLE', agency: 'police' } });
      expect(police!.message).toMatch(/police agency's service did not answer \(connection refused\)/);
    } finally {
      await stack.start('police');
    }
    const again = await gql(stack.gatewayUrl, CHILD_VIEW, { nhs: spanning.nhsNumber }, lcpp);
    expect(again.errors).toBeUndefined();
    expect(again.data.child.police.name).toBe(spanning.name);
  });

  it('lets the gateway start and answer while no agency is up', async () => {
    await stack.stop();
    try {
      await stack.start('gateway');
      const result = await gql(stack.gatewayUrl, CHILD_VIEW, { nhs: spanning.nhsNumber }, lcpp);
      expect(result.status).toBe(200);
      expect(result.data).toEqual({ child: null });
      expect(result.errors![0]!.extensions!.code).toBe('AGENCY_UNAVAILABLE');
      expect(result.errors![0]!.message).toContain(
        `cannot be established while ${Object.keys(stack.subgraphUrls).sort().join(', ')} cannot be asked`,
      );
    } finally {
      await Promise.all(Object.keys(stack.subgraphUrls).map((n) => stack.start(n)));
    }
  });
});
