import type { Child } from '@macpt/synthetic';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  children,
  gql,
  headers,
  householdOf,
  JUSTIFICATION,
  PURPOSE_FOR_STAGE,
  startTestStackBehindProxy,
  EVERY_REQUEST_ASKS,
  type GraphQLResult,
} from './testkit.js';

// DESIGN §4's corners, tried from outside: break-glass only for MACPT members and always reviewed,
// confidential location as the household's (and withheld while an agency that could flag it is down),
// every refused request on the record, and one class wherever a field is reached.

let stack: Awaited<ReturnType<typeof startTestStackBehindProxy>>['stack'];
let proxy: Awaited<ReturnType<typeof startTestStackBehindProxy>>['proxy'];

const RECORD = `requestId kind outcome reason caseIds breakGlass purpose user { id role } children { nhsNumber disclosed { agency fields } withheld { field rule agency } }`;
/** The disclosure record of a request, as the persona's agency's IG lead reads it. */
async function recordOf(requestId: string | null, userId: string, agency: string) {
  expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
  const ig = headers(await stack.tokenFor(`ig-${agency}`), 'IG_AUDIT');
  const page = await gql(
    stack.gatewayUrl,
    `query($u: ID) { disclosures(first: 50, filter: { userId: $u }) { records { ${RECORD} } } }`,
    { u: userId },
    ig,
  );
  return page.data.disclosures.records.find((r: { requestId: string }) => r.requestId === requestId);
}

/** POSTs and returns the result with its `x-request-id`. */
async function ask(
  query: string,
  variables: Record<string, unknown>,
  h: Record<string, string>,
): Promise<GraphQLResult<any> & { requestId: string | null }> {
  const response = await fetch(stack.gatewayUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...h },
    body: JSON.stringify({ query, variables }),
  });
  return {
    status: response.status,
    requestId: response.headers.get('x-request-id'),
    ...((await response.json()) as object),
  };
}

/** A DSL token for the school a child is on the roll of (the demo personas cover only some schools). */
async function dslOf(child: Child): Promise<{ id: string; token: string }> {
  const urn = child.education!.schoolUrn!;
  const template = stack.personas.find((p) => p.role === 'SCHOOL_DSL')!;
  const id = `dsl-${urn}`;
  return {
    id,
    token: await stack.tokenFor(template.id, { claims: { sub: id, school: urn, la: householdOf(child).la } }),
  };
}

const withheld = (result: GraphQLResult, path: (string | number)[]) =>
  result.errors?.find((e) => JSON.stringify(e.path) === JSON.stringify(path))?.extensions;

beforeAll(async () => {
  ({ stack, proxy } = await startTestStackBehindProxy('police', {}, EVERY_REQUEST_ASKS));
});
afterAll(async () => {
  await stack?.stopAll();
});

describe('break-glass is for MACPT members only, and always reviewed', () => {
  const pupil = children.find(
    (c) => c.education?.schoolUrn && !c.socialCare?.caseId && c.education.attendanceRate !== null,
  )!;
  const Q = `query($n: ID!) { child(nhsNumber: $n) { education { attendance { rate } childMissingEducation senStatus pastoralNotes } } }`;

  it("refuses a school DSL's EMERGENCY outright (403), records the attempt and shows it to IG as an anomaly", async () => {
    const dsl = await dslOf(pupil);
    const normal = await ask(Q, { n: pupil.nhsNumber }, headers(dsl.token, 'STRATEGY_DISCUSSION'));
    expect(withheld(normal, ['child', 'education', 'attendance'])).toMatchObject({ code: 'FORBIDDEN_BY_POLICY' });
    const glass = await ask(Q, { n: pupil.nhsNumber }, headers(dsl.token, 'EMERGENCY', JUSTIFICATION));
    expect(glass.status).toBe(403);
    expect(glass.data).toBeUndefined();
    expect(glass.errors).toEqual([
      expect.objectContaining({ extensions: expect.objectContaining({ code: 'BREAK_GLASS_NOT_PERMITTED' }) }),
    ]);
    expect(glass.errors![0]!.message).toMatch(/MACPT members only/);
    const record = await recordOf(glass.requestId, dsl.id, 'education');
    expect(record).toMatchObject({
      kind: 'REFUSAL',
      outcome: 'BREAK_GLASS_REFUSED',
      reason: 'BREAK_GLASS_NOT_PERMITTED',
      purpose: 'EMERGENCY',
      user: { id: dsl.id, role: 'SCHOOL_DSL' },
    });
    const anomalies = await gql(
      stack.gatewayUrl,
      `{ anomalies { requestId outcome } }`,
      {},
      headers(await stack.tokenFor('ig-education'), 'IG_AUDIT'),
    );
    expect(anomalies.data.anomalies).toContainEqual({ requestId: glass.requestId, outcome: 'BREAK_GLASS_REFUSED' });
  });

  it('refuses an IG lead who states EMERGENCY', async () => {
    const result = await ask(
      Q,
      { n: pupil.nhsNumber },
      headers(await stack.tokenFor('ig-health'), 'EMERGENCY', JUSTIFICATION),
    );
    expect([result.status, result.errors![0]!.extensions!.code]).toEqual([403, 'BREAK_GLASS_NOT_PERMITTED']);
  });

  it("gives a MACPT member IDENTITY and SAFEGUARDING only: never their own agency's SENSITIVE or RESTRICTED", async () => {
    const kase = children.find(
      (c) =>
        householdOf(c).la === 'LEICESTER' &&
        c.socialCare?.caseId &&
        c.socialCare.caseNotes.length > 0 &&
        !c.socialCare.namedWorkers.includes('lcpp-leicester'),
    )!;
    const result = await ask(
      `query($n: ID!) { child(nhsNumber: $n) { socialCare { name cpPlan { category } caseNotes { id } adoptionDetails } } }`,
      { n: kase.nhsNumber },
      headers(await stack.tokenFor('lcpp-leicester'), 'EMERGENCY', JUSTIFICATION),
    );
    expect(result.data.child.socialCare).toMatchObject({ name: kase.name, caseNotes: null, adoptionDetails: null });
    expect(withheld(result, ['child', 'socialCare', 'caseNotes'])).toEqual({
      code: 'FORBIDDEN_BY_POLICY',
      rule: 'BREAK_GLASS_IDENTITY_SAFEGUARDING_ONLY',
      agency: 'social-care',
      class: 'SENSITIVE',
    });
    const officer = children.find(
      (c) => c.police?.intelligence.some((i) => i.handlingCode !== 'P') && c.socialCare?.caseId,
    )!;
    const named = officer.socialCare!.namedWorkers.find((w) => w.startsWith('police-'))!;
    const police = await ask(
      `query($n: ID!) { child(nhsNumber: $n) { police { incidents { id } restrictedIntelligence { id } intelligence { id } } } }`,
      { n: officer.nhsNumber },
      headers(await stack.tokenFor(named), 'EMERGENCY', JUSTIFICATION),
    );
    expect(police.data.child.police).toMatchObject({ restrictedIntelligence: null, intelligence: null });
    expect(withheld(police, ['child', 'police', 'restrictedIntelligence'])).toMatchObject({
      rule: 'BREAK_GLASS_IDENTITY_SAFEGUARDING_ONLY',
    });
  });

  it('puts every EMERGENCY request in the review queue, even one that disclosed nothing', async () => {
    const result = await ask(
      `{ child(nhsNumber: "9999999999") { nhsNumber } }`,
      {},
      headers(await stack.tokenFor('health-rutland-1'), 'EMERGENCY', JUSTIFICATION),
    );
    expect(result.errors![0]!.extensions!.code).toBe('NOT_FOUND');
    const record = await recordOf(result.requestId, 'health-rutland-1', 'health');
    expect(record).toMatchObject({
      breakGlass: true,
      outcome: 'NOT_FOUND',
      children: [{ nhsNumber: '9999999999', disclosed: [], withheld: [{ field: 'Query.child', rule: 'NOT_FOUND' }] }],
    });
    const pending = await gql(
      stack.gatewayUrl,
      `{ breakGlassReviews(status: PENDING) { record { requestId } } }`,
      {},
      headers(await stack.tokenFor('ig-health'), 'IG_AUDIT'),
    );
    expect(pending.data.breakGlassReviews.map((r: { record: { requestId: string } }) => r.record.requestId)).toContain(
      result.requestId,
    );
  });
});

describe('a confidential location is the household’s', () => {
  const ADDRESS = `query($n: ID!) { child(nhsNumber: $n) { health { name address postcode } education { name homeAddress } } }`;
  const unmet = (flagger: string, knows: (c: Child) => boolean) =>
    children.find(
      (c) =>
        householdOf(c).confidentialBy === flagger &&
        !knows(c) &&
        c.education?.schoolUrn &&
        householdOf(c).children.some(knows),
    );

  // Police know every child of a household with domestic abuse, so in this world only social care flags
  // households with children it never met (an adoptive placement's siblings); police are tried down below.
  it('withholds the address of a sibling that social care, which flagged the household, never met', async () => {
    const sibling = unmet('social-care', (c) => c.socialCare !== null);
    expect(sibling, 'a sibling unknown to social care in a household it flagged').toBeDefined();
    const dsl = await dslOf(sibling!);
    const result = await ask(ADDRESS, { n: sibling!.nhsNumber }, headers(dsl.token, 'STRATEGY_DISCUSSION'));
    expect(result.data.child).toEqual({
      health: { name: sibling!.name, address: null, postcode: null },
      education: { name: sibling!.name, homeAddress: null },
    });
    for (const path of [
      ['child', 'health', 'address'],
      ['child', 'health', 'postcode'],
      ['child', 'education', 'homeAddress'],
    ]) {
      expect(withheld(result, path)).toMatchObject({ code: 'FORBIDDEN_BY_POLICY', rule: 'CONFIDENTIAL_LOCATION' });
    }
  });

  it('shows an unflagged household’s address to the same kind of user', async () => {
    const plain = children.find((c) => !householdOf(c).confidentialBy && c.education?.schoolUrn)!;
    const dsl = await dslOf(plain);
    const result = await ask(ADDRESS, { n: plain.nhsNumber }, headers(dsl.token, 'STRATEGY_DISCUSSION'));
    expect(result.data.child.education.homeAddress).toBe(householdOf(plain).address);
    expect(result.errors).toBeUndefined();
  });

  it('withholds location while police, who can flag a refuge, do not answer, and the record says so', async () => {
    const refuge = children.find(
      (c) =>
        householdOf(c).confidentialBy === 'police' &&
        c.socialCare?.caseId &&
        c.socialCare.stage !== 'REFERRAL' &&
        c.education,
    )!;
    const lcpp = refuge.socialCare!.namedWorkers.find((w) => w.startsWith('lcpp-'))!;
    const h = headers(await stack.tokenFor(lcpp), PURPOSE_FOR_STAGE[refuge.socialCare!.stage!]!);
    const up = await ask(ADDRESS, { n: refuge.nhsNumber }, h);
    expect(withheld(up, ['child', 'health', 'address'])).toMatchObject({ rule: 'CONFIDENTIAL_LOCATION' });
    proxy.setMode({ kind: 'reset' });
    try {
      const down = await ask(ADDRESS, { n: refuge.nhsNumber }, h);
      expect(down.data.child.health).toMatchObject({ name: refuge.name, address: null, postcode: null });
      expect(down.data.child.education.homeAddress).toBeNull();
      expect(withheld(down, ['child', 'health', 'address'])).toMatchObject({
        code: 'FORBIDDEN_BY_POLICY',
        rule: 'LOCATION_FLAG_UNVERIFIED',
      });
      expect(down.errors!.find((e) => e.extensions?.rule === 'LOCATION_FLAG_UNVERIFIED')!.message).toMatch(
        /did not answer/,
      );
      const record = await recordOf(down.requestId, lcpp, 'social-care');
      expect(record.outcome).toBe('PARTIAL');
      expect(record.children[0].withheld).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ field: 'HealthRecord.address', rule: 'LOCATION_FLAG_UNVERIFIED' }),
          expect.objectContaining({ field: 'EducationRecord.homeAddress', rule: 'LOCATION_FLAG_UNVERIFIED' }),
        ]),
      );
    } finally {
      proxy.setMode({ kind: 'pass' });
    }
  });

  it('withholds every address while health, which holds S-flags, is stopped', async () => {
    const plain = children.find((c) => !householdOf(c).confidentialBy && c.education?.schoolUrn)!;
    const dsl = await dslOf(plain);
    await stack.stop('health');
    try {
      const down = await ask(
        `query($n: ID!) { child(nhsNumber: $n) { education { name homeAddress } } }`,
        { n: plain.nhsNumber },
        headers(dsl.token, 'STRATEGY_DISCUSSION'),
      );
      expect(down.data.child.education).toEqual({ name: plain.name, homeAddress: null });
      expect(withheld(down, ['child', 'education', 'homeAddress'])).toMatchObject({
        rule: 'LOCATION_FLAG_UNVERIFIED',
        agency: 'education',
      });
    } finally {
      await stack.start('health');
    }
  });
});

describe('every refused request is on the record', () => {
  const caseChild = children.find((c) => c.socialCare?.caseId && c.socialCare.stage === 'SECTION_47')!;
  const lcpp = () => caseChild.socialCare!.namedWorkers.find((w) => w.startsWith('lcpp-'))!;
  const Q = `query($n: ID!) { child(nhsNumber: $n) { health { name } } }`;

  it.each([
    [
      'a practitioner asking for a child under IG_AUDIT',
      async () => [
        lcpp(),
        'social-care',
        await ask(Q, { n: caseChild.nhsNumber }, headers(await stack.tokenFor(lcpp()), 'IG_AUDIT')),
      ],
      'WITHHELD',
      'IG_AUDIT_NO_CHILD_RECORDS',
    ],
    [
      'an IG lead asking for a child',
      async () => [
        'ig-police',
        'police',
        await ask(Q, { n: caseChild.nhsNumber }, headers(await stack.tokenFor('ig-police'), 'IG_AUDIT')),
      ],
      'WITHHELD',
      'IG_LEAD_NO_CHILD_RECORDS',
    ],
    [
      'a malformed NHS number',
      async () => [
        lcpp(),
        'social-care',
        await ask(
          `{ child(nhsNumber: "12345") { nhsNumber } }`,
          {},
          headers(await stack.tokenFor(lcpp()), 'SECTION_47_ENQUIRY'),
        ),
      ],
      'BAD_REQUEST',
      'BAD_USER_INPUT',
    ],
  ] as const)('%s', async (_, run, outcome, rule) => {
    const [user, agency, result] = (await run()) as [string, string, Awaited<ReturnType<typeof ask>>];
    expect(result.data?.child ?? null).toBeNull();
    const record = await recordOf(result.requestId, user, agency);
    expect(record).toMatchObject({ outcome, children: [{ withheld: [{ field: 'Query.child', rule }] }] });
  });

  it('an unknown case id', async () => {
    const result = await ask(
      `{ case(id: "NO-SUCH-CASE-1") { id } }`,
      {},
      headers(await stack.tokenFor(lcpp()), 'SECTION_47_ENQUIRY'),
    );
    expect(result.data).toEqual({ case: null });
    expect(result.errors![0]!.extensions!.code).toBe('NOT_FOUND');
    expect(await recordOf(result.requestId, lcpp(), 'social-care')).toMatchObject({
      kind: 'REFUSAL',
      outcome: 'NOT_FOUND',
      reason: 'NOT_FOUND',
      caseIds: ['NO-SUCH-CASE-1'],
    });
  });

  it('a request refused before execution carries the request id of its record', async () => {
    const result = await ask(
      Q,
      { n: caseChild.nhsNumber },
      { authorization: `Bearer ${await stack.tokenFor(lcpp())}` },
    );
    expect(result.status).toBe(400);
    expect(await recordOf(result.requestId, lcpp(), 'social-care')).toMatchObject({
      kind: 'REFUSAL',
      reason: 'PURPOSE_OF_USE_REQUIRED',
    });
  });
});

describe('one class wherever a field is reached', () => {
  it('gives a DSL the same IDENTITY fields of a pupil through case(id) as through child()', async () => {
    const pupil = children.find(
      (c) => c.socialCare?.caseId && c.education?.schoolUrn && !householdOf(c).confidentialBy,
    )!;
    const dsl = await dslOf(pupil);
    const h = headers(dsl.token, 'STRATEGY_DISCUSSION');
    const SEL = `nhsNumber health { name gpPractice { name } } education { name school { name } attendance { rate } }`;
    const viaChild = await ask(`query($n: ID!) { child(nhsNumber: $n) { ${SEL} } }`, { n: pupil.nhsNumber }, h);
    const viaCase = await ask(
      `query($id: ID!) { case(id: $id) { id status namedWorkers { userId } child { ${SEL} } } }`,
      { id: pupil.socialCare!.caseId },
      h,
    );
    expect(viaCase.data.case.child).toEqual(viaChild.data.child);
    expect(viaCase.data.case).toMatchObject({ id: pupil.socialCare!.caseId, status: 'OPEN' });
    expect(viaCase.data.case.namedWorkers.map((w: { userId: string }) => w.userId).sort()).toEqual(
      [...pupil.socialCare!.namedWorkers].sort(),
    );
    const strip = (r: GraphQLResult) => (r.errors ?? []).map((e) => [e.path!.slice(-2).join('.'), e.extensions!.rule]);
    expect(strip(viaCase)).toEqual(strip(viaChild));
  });

  it("keeps an LA's case list to that LA's MACPT", async () => {
    const result = await ask(
      `{ cases(la: LEICESTER) { id } }`,
      {},
      headers(await stack.tokenFor('lcpp-rutland'), 'STRATEGY_DISCUSSION'),
    );
    expect(result.data).toEqual({ cases: null });
    expect(result.errors![0]!.extensions).toMatchObject({
      code: 'FORBIDDEN_BY_POLICY',
      rule: 'CASELOAD_OWN_LA_MACPT_ONLY',
    });
  });
});
