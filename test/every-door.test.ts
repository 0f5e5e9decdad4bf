import { MACPT_TEAMS, type Child } from '@macpt/synthetic';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  children,
  gql,
  headers,
  householdOf,
  JUSTIFICATION,
  PURPOSE_FOR_STAGE,
  startTestStackBehindProxy,
  type GraphQLResult,
} from './testkit.js';

// Issue 25, from outside: every door by which something about a child leaves goes through the one policy
// engine and is recorded — a batch, two users at once, break-glass, an explanation, decisions not to
// share, overdue lists — and each fact is taken only from the agency that owns it.

let stack: Awaited<ReturnType<typeof startTestStackBehindProxy>>['stack'];
let proxy: Awaited<ReturnType<typeof startTestStackBehindProxy>>['proxy'];

beforeAll(async () => {
  ({ stack, proxy } = await startTestStackBehindProxy(
    'police',
    {},
    { RATE_LIMIT_REQUESTS_PER_MINUTE: '100000', RATE_LIMIT_CHILDREN_PER_HOUR: '100000' },
  ));
}, 180_000);
afterAll(async () => stack?.stopAll());

type Answer = GraphQLResult<any> & { requestId: string | null };

async function ask(query: string, variables: Record<string, unknown>, h: Record<string, string>): Promise<Answer> {
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

const as = async (persona: string, purpose: string, justification?: string) =>
  headers(await stack.tokenFor(persona), purpose, justification);

/** A DSL of the school a child is on the roll of (the demo personas cover only some schools). */
async function dslOf(child: Child, purpose = 'STRATEGY_DISCUSSION') {
  const urn = child.education!.schoolUrn!;
  const template = stack.personas.find((p) => p.role === 'SCHOOL_DSL')!;
  const token = await stack.tokenFor(template.id, {
    claims: { sub: `dsl-${urn}`, school: urn, la: householdOf(child).la },
  });
  return headers(token, purpose);
}

const namedOf = (child: Child, role: string) =>
  MACPT_TEAMS[householdOf(child).la].find((w) => w.role === role && child.socialCare!.namedWorkers.includes(w.id))!.id;
const teamOf = (child: Child, role: string) =>
  MACPT_TEAMS[householdOf(child).la].find((w) => w.role === role && !child.socialCare!.namedWorkers.includes(w.id))!.id;
const purposeOf = (child: Child) => PURPOSE_FOR_STAGE[child.socialCare!.stage!]!;

let readers = 0;
/** The record a request id names, as an IG lead of `agency` finds it. */
async function recordOf(requestId: string | null, agency: string) {
  expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
  const ig = headers(
    await stack.tokenFor(`ig-${agency}`, { claims: { sub: `ig-${agency}-door-${++readers}` } }),
    'IG_AUDIT',
  );
  const page = await gql(
    stack.gatewayUrl,
    `{ disclosures(first: 200) { records { requestId kind outcome reason breakGlass
        children { nhsNumber disclosed { agency fields } withheld { field rule agency } } } } }`,
    {},
    ig,
  );
  return page.data.disclosures.records.find((r: { requestId: string }) => r.requestId === requestId) ?? null;
}

const errorAt = (result: GraphQLResult, path: (string | number)[]) =>
  result.errors?.find((e) => JSON.stringify(e.path) === JSON.stringify(path))?.extensions;

describe("a child's facts are its own, whoever else is asked about in the same batch or at the same moment", () => {
  // An adoptive placement social care flagged, and a sibling social care never met, on a school roll.
  const sibling = children.find(
    (c) =>
      householdOf(c).confidentialBy === 'social-care' &&
      c.socialCare === null &&
      c.education?.schoolUrn &&
      householdOf(c).children.some((o) => o.socialCare !== null),
  )!;
  const known = householdOf(sibling).children.find((o) => o.socialCare !== null)!;
  const ADDRESSES = `nhsNumber health { address postcode } education { homeAddress }`;
  const expectWithheld = (result: GraphQLResult, at: (string | number)[]) => {
    for (const path of [
      [...at, 'health', 'address'],
      [...at, 'health', 'postcode'],
      [...at, 'education', 'homeAddress'],
    ])
      expect(errorAt(result, path), path.join('.')).toMatchObject({
        code: 'FORBIDDEN_BY_POLICY',
        rule: 'CONFIDENTIAL_LOCATION',
      });
  };

  it("withholds the sibling's address asked in one batch with the flagged child, and alone just after", async () => {
    expect(sibling, 'a sibling social care never met, in a household it flagged').toBeDefined();
    const dsl = await dslOf(sibling);
    const batch = await ask(
      `query($n: [ID!]!) { children(nhsNumbers: $n) { ${ADDRESSES} } }`,
      { n: [known.nhsNumber, sibling.nhsNumber] },
      dsl,
    );
    expect(batch.data.children[1]).toEqual({
      nhsNumber: sibling.nhsNumber,
      health: { address: null, postcode: null },
      education: { homeAddress: null },
    });
    expectWithheld(batch, ['children', 1]);
    const record = await recordOf(batch.requestId, 'health');
    expect(
      record.children.find((c: { nhsNumber: string }) => c.nhsNumber === sibling.nhsNumber).withheld,
    ).toContainEqual({ field: 'HealthRecord.address', rule: 'CONFIDENTIAL_LOCATION', agency: 'health' });

    // The facts the gateway keeps for a few seconds were decided from the sibling's own household too.
    const alone = await ask(`query($n: ID!) { child(nhsNumber: $n) { ${ADDRESSES} } }`, { n: sibling.nhsNumber }, dsl);
    expect(alone.data.child.health).toEqual({ address: null, postcode: null });
    expectWithheld(alone, ['child']);
  });

  it('withholds it when another user asks about the flagged child at the same moment', async () => {
    const dsl = await dslOf(sibling);
    const other = await as(`lcpp-${householdOf(known).la.toLowerCase()}`, 'STRATEGY_DISCUSSION');
    for (let round = 0; round < 5; round++) {
      const [, mine] = await Promise.all([
        ask(`query($n: ID!) { child(nhsNumber: $n) { ${ADDRESSES} } }`, { n: known.nhsNumber }, other),
        ask(`query($n: ID!) { child(nhsNumber: $n) { ${ADDRESSES} } }`, { n: sibling.nhsNumber }, dsl),
      ]);
      expect(mine.data.child.education).toEqual({ homeAddress: null });
      expectWithheld(mine, ['child']);
    }
  });
});

describe('break-glass is for one child', () => {
  const onCase = children.find((c) => c.socialCare?.caseId && c.police)!;
  const another = children.find((c) => c.police && c.nhsNumber !== onCase.nhsNumber)!;

  it.each([
    ['a caseload', `{ cases(la: LEICESTER) { child { police { incidents { date } } } } }`, {}],
    [
      'a list of children',
      `query($n: [ID!]!) { children(nhsNumbers: $n) { police { incidents { date } } } }`,
      { n: [onCase.nhsNumber, another.nhsNumber] },
    ],
    [
      'two children under aliases',
      `query($a: ID!, $b: ID!) { a: child(nhsNumber: $a) { nhsNumber } b: child(nhsNumber: $b) { nhsNumber } }`,
      { a: onCase.nhsNumber, b: another.nhsNumber },
    ],
  ])('refuses %s whole, on the record and in the review queue', async (_, query, variables) => {
    const result = await ask(query, variables, await as('health-leicester-2', 'EMERGENCY', JUSTIFICATION));
    expect(result.status).toBe(403);
    expect(result.data ?? null).toBeNull();
    expect(result.errors![0]!.extensions!.code).toBe('BREAK_GLASS_ONE_CHILD');
    expect(await recordOf(result.requestId, 'health')).toMatchObject({
      kind: 'REFUSAL',
      outcome: 'BREAK_GLASS_REFUSED',
      reason: 'BREAK_GLASS_ONE_CHILD',
      breakGlass: true,
    });
    const ig = headers(await stack.tokenFor('ig-health', { claims: { sub: 'ig-health-queue' } }), 'IG_AUDIT');
    const queue = await gql(
      stack.gatewayUrl,
      `{ breakGlassReviews(status: ALL, first: 200) { record { requestId } } }`,
      {},
      ig,
    );
    expect(queue.data.breakGlassReviews.map((e: { record: { requestId: string } }) => e.record.requestId)).toContain(
      result.requestId,
    );
  });

  it('still opens one child', async () => {
    const result = await ask(
      `query($n: ID!) { child(nhsNumber: $n) { police { name } } }`,
      { n: onCase.nhsNumber },
      await as('health-leicester-2', 'EMERGENCY', JUSTIFICATION),
    );
    expect(result.status).toBe(200);
    expect(result.data.child.police.name).toBe(onCase.name);
  });
});

describe('an explanation says something about the child: decided, counted and recorded', () => {
  const EXPLAIN = `query($n: ID!) { accessExplanation(nhsNumber: $n) { relationship purposeSupported entries { agency class allowed rule } } }`;
  const onCase = children.find((c) => c.socialCare?.stage === 'SECTION_47' && c.police)!;

  it('tells a named worker whether the case supports the purpose, and a team member only that they are in the team', async () => {
    const named = await ask(
      EXPLAIN,
      { n: onCase.nhsNumber },
      await as(namedOf(onCase, 'MACPT_POLICE'), 'SECTION_47_ENQUIRY'),
    );
    expect(named.data.accessExplanation).toMatchObject({ relationship: 'NAMED', purposeSupported: true });
    const team = await ask(
      EXPLAIN,
      { n: onCase.nhsNumber },
      await as(teamOf(onCase, 'MACPT_HEALTH'), 'SECTION_47_ENQUIRY'),
    );
    expect(team.data.accessExplanation).toMatchObject({ relationship: 'TEAM', purposeSupported: null });
    // The rules it names for other agencies' data are the same whether or not the case supports the purpose.
    const unsupported = await ask(
      EXPLAIN,
      { n: onCase.nhsNumber },
      await as(teamOf(onCase, 'MACPT_HEALTH'), 'CP_PLAN_REVIEW'),
    );
    const others = (r: Answer) =>
      r.data.accessExplanation.entries.filter((e: { agency: string }) => e.agency !== 'health');
    expect(others(unsupported)).toEqual(others(team));
    const record = await recordOf(team.requestId, 'health');
    expect(record).toMatchObject({ kind: 'DISCLOSURE' });
    expect(record.children).toEqual([
      expect.objectContaining({
        nhsNumber: onCase.nhsNumber,
        disclosed: [{ agency: 'gateway', fields: ['AccessExplanation.entries', 'AccessExplanation.relationship'] }],
      }),
    ]);
  });

  it('answers a child with no relationship exactly as an unknown one, on the record', async () => {
    const stranger = MACPT_TEAMS[householdOf(onCase).la === 'RUTLAND' ? 'LEICESTER' : 'RUTLAND'].find(
      (w) => w.role === 'MACPT_HEALTH',
    )!.id;
    const result = await ask(EXPLAIN, { n: onCase.nhsNumber }, await as(stranger, 'SECTION_47_ENQUIRY'));
    expect(result.data.accessExplanation).toBeNull();
    expect(result.errors![0]!.extensions).toMatchObject({
      code: 'FORBIDDEN_BY_POLICY',
      rule: 'NO_LEGITIMATE_RELATIONSHIP',
    });
    const unknown = await ask(EXPLAIN, { n: '9999999999' }, await as(stranger, 'SECTION_47_ENQUIRY'));
    expect(unknown.errors![0]!.extensions!.rule ?? unknown.errors![0]!.extensions!.code).toMatch(
      /NO_LEGITIMATE_RELATIONSHIP|BAD_USER_INPUT/,
    );
    const record = await recordOf(result.requestId, 'health');
    expect(record?.children?.[0]?.withheld ?? []).toContainEqual(
      expect.objectContaining({ rule: 'NO_LEGITIMATE_RELATIONSHIP' }),
    );
  });
});

describe('decisions not to share, as the MACPT and a school see them', () => {
  // Police decided (seeded) about a pupil on a case: incidents and intelligence.
  const decided = children.find(
    (c) =>
      c.socialCare?.caseId &&
      c.education?.schoolUrn &&
      c.sharingDecisions.some((d) => d.agency === 'police') &&
      MACPT_TEAMS[householdOf(c).la].some(
        (w) => w.role === 'MACPT_HEALTH' && !c.socialCare!.namedWorkers.includes(w.id),
      ),
  )!;
  const POLICE = `query($n: ID!) { child(nhsNumber: $n) { police { incidents { id } } } }`;
  const DECISIONS = `query($n: ID!) { sharingDecisions(nhsNumber: $n) { agency reason fields reviewBy decidedBy { name } } }`;

  it("tells a school's DSL nothing of them, and names the rule that withholds a field anyway", async () => {
    const dsl = await dslOf(decided, purposeOf(decided));
    const listed = await ask(DECISIONS, { n: decided.nhsNumber }, dsl);
    expect(listed.errors).toBeUndefined();
    expect(listed.data.sharingDecisions.filter((d: { agency: string }) => d.agency === 'police')).toEqual([]);
    expect(JSON.stringify(listed)).not.toMatch(/PREJUDICE|PoliceRecord|incidents/);
    const view = await ask(POLICE, { n: decided.nhsNumber }, dsl);
    expect(errorAt(view, ['child', 'police', 'incidents'])?.rule ?? errorAt(view, ['child', 'police'])?.rule).not.toBe(
      'DECISION_NOT_TO_SHARE',
    );
  });

  it('tells a team member from another agency that one exists, never why or what, and no decision in a rule name', async () => {
    const team = await as(teamOf(decided, 'MACPT_HEALTH'), purposeOf(decided));
    const view = await ask(POLICE, { n: decided.nhsNumber }, team);
    expect(errorAt(view, ['child', 'police'])).toMatchObject({ rule: 'SAFEGUARDING_NAMED_WORKERS_ONLY' });
    const listed = await ask(DECISIONS, { n: decided.nhsNumber }, team);
    const police = listed.data.sharingDecisions.find((d: { agency: string }) => d.agency === 'police');
    expect(police).toMatchObject({ reason: null, fields: null, decidedBy: { name: expect.any(String) } });
    expect(police.reviewBy).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  it('covers a household record through every child of the household', async () => {
    // Two children of one household on open cases, both known to police; B far enough on for SENSITIVE.
    const household = householdOf(
      children.find(
        (c) =>
          c.socialCare?.caseId &&
          c.police &&
          !householdOf(c).confidentialBy &&
          householdOf(c).children.some(
            (b) =>
              b !== c && b.socialCare?.caseId && b.police && ['CONFERENCE', 'CP_PLAN'].includes(b.socialCare.stage!),
          ),
      )!,
    );
    const b = household.children.find(
      (x) => x.socialCare?.caseId && ['CONFERENCE', 'CP_PLAN'].includes(x.socialCare.stage!),
    )!;
    const a = household.children.find((x) => x !== b && x.socialCare?.caseId && x.police)!;
    const HOUSEHOLD = `query($n: ID!) { child(nhsNumber: $n) { police { householdOffending { offence } } } }`;
    const lcpp = await as(namedOf(b, 'LCPP'), 'CHILD_PROTECTION_CONFERENCE');
    const before = await ask(HOUSEHOLD, { n: b.nhsNumber }, lcpp);
    expect(errorAt(before, ['child', 'police', 'householdOffending'])).toBeUndefined();

    const made = await ask(
      `mutation($i: SharingDecisionInput!) { recordSharingDecision(input: $i) { id } }`,
      {
        i: {
          nhsNumber: a.nhsNumber,
          fields: ['PoliceRecord.householdOffending'],
          reason: 'PREJUDICE_TO_CRIMINAL_INVESTIGATION',
          reviewBy: new Date(Date.now() + 20 * 86_400_000).toISOString().slice(0, 10),
        },
      },
      await as(namedOf(a, 'MACPT_POLICE'), purposeOf(a)),
    );
    expect(made.errors).toBeUndefined();

    const after = await ask(HOUSEHOLD, { n: b.nhsNumber }, lcpp);
    expect(errorAt(after, ['child', 'police', 'householdOffending'])).toMatchObject({
      code: 'FORBIDDEN_BY_POLICY',
      rule: 'DECISION_NOT_TO_SHARE',
      agency: 'police',
    });
    // That it exists is told on B too, once the gateway asks police again (it keeps facts for a few seconds).
    await expect
      .poll(
        async () =>
          (await ask(`query($n: ID!) { sharingDecisions(nhsNumber: $n) { id agency } }`, { n: b.nhsNumber }, lcpp)).data
            ?.sharingDecisions,
        { timeout: 10_000 },
      )
      .toContainEqual({ id: made.data.recordSharingDecision.id, agency: 'police' });
  });
});

describe('an overdue list is for the LCPP, working on children', () => {
  it.each([
    ['the LCPP under IG_AUDIT', 'lcpp-leicester', 'IG_AUDIT', 'IG_AUDIT_NO_CHILD_RECORDS'],
    ['a social worker', 'sw-leicester-1', 'STRATEGY_DISCUSSION', 'OVERDUE_LIST_LCPP_ONLY'],
  ])('refuses %s, on the record', async (_, persona, purpose, rule) => {
    const result = await ask(`{ overdueNotifications { id nhsNumber } }`, {}, await as(persona, purpose));
    expect(result.errors![0]!.extensions).toMatchObject({ code: 'FORBIDDEN_BY_POLICY', rule });
    expect(result.requestId).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('each fact only from the agency that owns it', () => {
  const child = children.find(
    (c) => c.police && !c.socialCare?.caseId && !householdOf(c).confidentialBy && householdOf(c).la === 'LEICESTER',
  )!;
  // Children no other test here asks about first (the gateway keeps facts for a few seconds).
  const onCase = children.filter(
    (c) => c.socialCare?.stage === 'CP_PLAN' && c.police && !householdOf(c).confidentialBy && c.health,
  )[7]!;

  it("opens nothing on police's word that a child has a case naming an officer, or is on a school's roll", async () => {
    proxy.setMode({
      kind: 'rewrite',
      path: '/facts',
      answer: (body) => ({
        ...body,
        facts: body.facts.map((f: Record<string, unknown>) => ({
          ...f,
          openCase: { id: 'FAKE', la: 'LEICESTER', stage: 'CP_PLAN', namedWorkers: ['police-leicester-1'] },
          schoolUrn: child.education?.schoolUrn ?? '100000',
        })),
      }),
    });
    try {
      const result = await ask(
        `query($n: ID!) { child(nhsNumber: $n) { health { name aeAttendances { date } } } }`,
        { n: child.nhsNumber },
        await as('police-leicester-1', 'CP_PLAN_REVIEW'),
      );
      expect(result.data.child).toBeNull();
      expect(result.errors![0]!.extensions).toMatchObject({ rule: 'NO_LEGITIMATE_RELATIONSHIP' });
    } finally {
      proxy.setMode({ kind: 'pass' });
    }
  });

  it('counts a flagging agency that does not say whether it flagged the household as not ruling it out', async () => {
    proxy.setMode({
      kind: 'rewrite',
      path: '/facts',
      answer: (body) => ({
        ...body,
        facts: body.facts.map(({ confidentialLocation: _, ...f }: Record<string, unknown>) => f),
      }),
    });
    try {
      const result = await ask(
        `query($n: ID!) { child(nhsNumber: $n) { health { name address } } }`,
        { n: onCase.nhsNumber },
        await as(namedOf(onCase, 'LCPP'), 'CP_PLAN_REVIEW'),
      );
      expect(result.data.child.health.name).toBe(onCase.name);
      expect(errorAt(result, ['child', 'health', 'address'])).toMatchObject({ rule: 'LOCATION_FLAG_UNVERIFIED' });
    } finally {
      proxy.setMode({ kind: 'pass' });
    }
  });
});
