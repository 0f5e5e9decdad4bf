import { INTERNAL_CONTEXT_HEADER, signInternalContext } from '@macpt/contract';
import { MACPT_TEAMS, type Child } from '@macpt/synthetic';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  children,
  contextKeyOf,
  gql,
  headers,
  householdOf,
  JUSTIFICATION,
  PURPOSE_FOR_STAGE,
  startTestStackBehindProxy,
  EVERY_REQUEST_ASKS,
  type GraphQLResult,
} from './testkit.js';

// DESIGN §8 and issue 15, from outside: a decision not to share, made by the agency that holds the
// information, withholds what it covers from everyone else (rule DECISION_NOT_TO_SHARE) while the
// MACPT sees that it exists; each step is on the record; bad attempts are refused and recorded.

let stack: Awaited<ReturnType<typeof startTestStackBehindProxy>>['stack'];
let proxy: Awaited<ReturnType<typeof startTestStackBehindProxy>>['proxy'];

beforeAll(async () => {
  ({ stack, proxy } = await startTestStackBehindProxy('police', {}, EVERY_REQUEST_ASKS));
}, 180_000);
afterAll(async () => stack?.stopAll());

const today = () => new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/London' }).format(new Date());
const inDays = (n: number) => new Date(Date.parse(today()) + n * 86_400_000).toISOString().slice(0, 10);
const namedOf = (child: Child, role: string) =>
  MACPT_TEAMS[householdOf(child).la].find((w) => w.role === role && child.socialCare!.namedWorkers.includes(w.id))!.id;
const purposeOf = (child: Child) => PURPOSE_FOR_STAGE[child.socialCare!.stage!]!;
const as = async (id: string, purpose: string, justification?: string) =>
  headers(await stack.tokenFor(id), purpose, justification);

/** POSTs and returns the result with its `x-request-id`. */
async function ask(query: string, variables: Record<string, unknown>, h: Record<string, string>) {
  const response = await fetch(stack.gatewayUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...h },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as Omit<GraphQLResult<any>, 'status'>;
  return { ...body, status: response.status, requestId: response.headers.get('x-request-id') };
}

/** The record of a request, as the agency's IG lead reads it. */
async function recordOf(requestId: string | null, userId: string, agency: string) {
  const page = await gql(
    stack.gatewayUrl,
    `query($u: ID) { disclosures(first: 50, filter: { userId: $u }) { records {
      requestId kind outcome reason agencies
      children { nhsNumber disclosed { agency fields } withheld { field rule agency } }
      sharingDecision { id agency nhsNumber action fields classes reason reviewBy note }
    } } }`,
    { u: userId },
    await as(`ig-${agency}`, 'IG_AUDIT'),
  );
  return page.data.disclosures.records.find((r: { requestId: string }) => r.requestId === requestId);
}

const POLICE_VIEW = `query($n: ID!) { child(nhsNumber: $n) { police { name incidents { id } intelligence { id } missingEpisodes { id } } } }`;
const DECISIONS = `query($n: ID!) { sharingDecisions(nhsNumber: $n) {
  id agency reason reasonText decidedBy { id name role } decidedAt reviewBy overdue status fields classes history { action recordId } } }`;
const RECORD = `mutation($i: SharingDecisionInput!) { recordSharingDecision(input: $i) { id agency reason reviewBy status fields classes history { action recordId } } }`;
const REVIEW = `mutation($id: ID!, $n: ID!, $o: SharingDecisionReview!, $r: String, $note: String) {
  reviewSharingDecision(id: $id, nhsNumber: $n, outcome: $o, reviewBy: $r, note: $note) { id status reviewBy history { action recordId } } }`;

// A child police decided about (seeded): incidents and intelligence, while an investigation runs.
const decided = children.find(
  (c) =>
    c.sharingDecisions.some((d) => d.agency === 'police') &&
    c.police!.incidents.length > 0 &&
    c.socialCare!.stage !== 'REFERRAL' &&
    c.socialCare!.namedWorkers.some((w) => w.startsWith('lcpp')),
)!;
// A child with a case and police records, and no decision yet: the one decided about during the tests.
const fresh = children.find(
  (c) =>
    c.sharingDecisions.length === 0 &&
    c.socialCare?.caseId &&
    c.socialCare.stage !== 'REFERRAL' &&
    c.police &&
    c.police.missingEpisodes.length > 0 &&
    c.socialCare.namedWorkers.some((w) => w.startsWith('lcpp')) &&
    c.socialCare.namedWorkers.some((w) => w.startsWith('police')),
)!;

describe("a standing decision not to share (seeded in police's store)", () => {
  it('withholds what it covers from the named LCPP with DECISION_NOT_TO_SHARE, and police is not asked for it', async () => {
    expect(decided).toBeDefined();
    proxy.requests.length = 0;
    const lcpp = namedOf(decided, 'LCPP');
    const result = await ask(POLICE_VIEW, { n: decided.nhsNumber }, await as(lcpp, purposeOf(decided)));
    expect(result.data.child.police.name).toBe(decided.name);
    expect(result.data.child.police.incidents).toBeNull();
    expect(result.data.child.police.intelligence).toBeNull();
    expect(result.data.child.police.missingEpisodes).not.toBeNull();
    const withheld = result.errors!.filter((e) => e.extensions?.rule === 'DECISION_NOT_TO_SHARE');
    expect(withheld.map((e) => e.path!.join('.')).sort()).toEqual([
      'child.police.incidents',
      'child.police.intelligence',
    ]);
    expect(
      withheld.every((e) => e.extensions!.code === 'FORBIDDEN_BY_POLICY' && e.extensions!.agency === 'police'),
    ).toBe(true);
    // Removed before planning: the holding agency was never asked for what it decided not to share.
    const fetched = proxy.requests.filter((r) => r.body.includes('_entities')).map((r) => r.body);
    expect(fetched.length).toBeGreaterThan(0);
    expect(fetched.some((b) => /incidents|intelligence/.test(b))).toBe(false);
    const record = await recordOf(result.requestId, lcpp, 'police');
    const mine = record.children.find((c: { nhsNumber: string }) => c.nhsNumber === decided.nhsNumber);
    expect(mine.withheld).toEqual(
      expect.arrayContaining([
        { field: 'PoliceRecord.incidents', rule: 'DECISION_NOT_TO_SHARE', agency: 'police' },
        { field: 'PoliceRecord.intelligence', rule: 'DECISION_NOT_TO_SHARE', agency: 'police' },
      ]),
    );
  });

  it("holds through a case and under break-glass, and not for police's own named officer", async () => {
    const lcpp = namedOf(decided, 'LCPP');
    const viaCase = await gql(
      stack.gatewayUrl,
      `query($id: ID!) { case(id: $id) { child { police { incidents { id } missingEpisodes { id } } } } }`,
      { id: decided.socialCare!.caseId },
      await as(lcpp, purposeOf(decided)),
    );
    expect(viaCase.data.case.child.police.incidents).toBeNull();
    expect(viaCase.errors!.map((e) => e.extensions!.rule)).toContain('DECISION_NOT_TO_SHARE');
    const glass = await gql(
      stack.gatewayUrl,
      POLICE_VIEW,
      { n: decided.nhsNumber },
      await as(lcpp, 'EMERGENCY', JUSTIFICATION),
    );
    expect(glass.data.child.police.incidents).toBeNull();
    expect(glass.errors!.filter((e) => e.path?.join('.') === 'child.police.incidents')[0]!.extensions!.rule).toBe(
      'DECISION_NOT_TO_SHARE',
    );
    const officer = namedOf(decided, 'MACPT_POLICE');
    const own = await gql(
      stack.gatewayUrl,
      POLICE_VIEW,
      { n: decided.nhsNumber },
      await as(officer, purposeOf(decided)),
    );
    expect(own.data.child.police.incidents).toHaveLength(decided.police!.incidents.length);
    expect((own.errors ?? []).map((e) => e.extensions!.rule)).not.toContain('DECISION_NOT_TO_SHARE');
  });

  it('is enforced by police itself on a hand-made _entities call whose signed context says nothing of it', async () => {
    const lcpp = namedOf(decided, 'LCPP');
    // Signed, as the gateway signs every call, for exactly the body it is sent with.
    const sent = JSON.stringify({
      query:
        'query($r: [_Any!]!) { _entities(representations: $r) { ... on Child { police { incidents { id summary } missingEpisodes { id } } } } }',
      variables: { r: [{ __typename: 'Child', nhsNumber: decided.nhsNumber }] },
    });
    const context = signInternalContext(
      contextKeyOf(stack.dataDir, 'police'),
      'police',
      {
        requestId: 'hand-made',
        user: { id: lcpp, role: 'LCPP', agency: 'social-care', la: householdOf(decided).la },
        purpose: 'STRATEGY_DISCUSSION',
        breakGlass: false,
        children: new Map([
          [
            decided.nhsNumber,
            { relationship: 'NAMED', purposeSupported: true, confidentialBy: [], locationUnverifiedBy: [] },
          ],
        ]),
      },
      sent,
    );
    const response = await fetch(stack.subgraphUrls.police!, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [INTERNAL_CONTEXT_HEADER]: context },
      body: sent,
    });
    const body = (await response.json()) as GraphQLResult<any>;
    expect(body.data._entities[0].police.incidents).toBeNull();
    expect(body.data._entities[0].police.missingEpisodes).not.toBeNull();
    expect(body.errors!.map((e) => e.extensions!.rule)).toEqual(['DECISION_NOT_TO_SHARE']);
  });

  it('shows the rest of the MACPT that a decision exists, the review date and whom to ask: never why or what it covers', async () => {
    const result = await ask(
      DECISIONS,
      { n: decided.nhsNumber },
      await as(namedOf(decided, 'LCPP'), purposeOf(decided)),
    );
    const seeded = decided.sharingDecisions.find((d) => d.agency === 'police')!;
    expect(result.data.sharingDecisions).toContainEqual({
      id: seeded.id,
      agency: 'police',
      reason: null,
      reasonText: null,
      decidedBy: seeded.decidedBy,
      decidedAt: null,
      reviewBy: seeded.reviewBy,
      overdue: seeded.reviewBy < today(),
      status: 'STANDING',
      fields: null,
      classes: null,
      history: null,
    });
    // Withheld is not absent: each field it is not told is withheld at its path, naming the rule.
    const at = result.data.sharingDecisions.findIndex((d: { id: string }) => d.id === seeded.id);
    const withheld = (result.errors ?? [])
      .filter((e) => e.path?.[1] === at)
      .map((e) => [e.path![2], e.extensions!.code, e.extensions!.rule, e.extensions!.agency]);
    expect(withheld.sort()).toEqual(
      ['classes', 'decidedAt', 'fields', 'history', 'reason', 'reasonText'].map((f) => [
        f,
        'FORBIDDEN_BY_POLICY',
        'DECISION_CONTENT_HOLDING_AGENCY_ONLY',
        'police',
      ]),
    );
    const record = await recordOf(result.requestId, namedOf(decided, 'LCPP'), 'police');
    expect(record.kind).toBe('DISCLOSURE');
    expect(record.children[0].disclosed).toContainEqual({
      agency: 'police',
      fields: [
        'SharingDecision.agency',
        'SharingDecision.decidedBy',
        'SharingDecision.id',
        'SharingDecision.nhsNumber',
        'SharingDecision.overdue',
        'SharingDecision.reviewBy',
        'SharingDecision.status',
      ],
    });
    // Police's own named officer sees all of it.
    const own = await ask(
      DECISIONS,
      { n: decided.nhsNumber },
      await as(namedOf(decided, 'MACPT_POLICE'), purposeOf(decided)),
    );
    expect(own.data.sharingDecisions).toContainEqual(
      expect.objectContaining({
        id: seeded.id,
        reason: 'PREJUDICE_TO_CRIMINAL_INVESTIGATION',
        fields: ['PoliceRecord.incidents', 'PoliceRecord.intelligence'],
        decidedAt: seeded.decidedAt,
      }),
    );
    // Someone with no relationship is told nothing, not even whether a decision exists.
    const stranger = MACPT_TEAMS.RUTLAND.find((w) => w.role === 'SOCIAL_WORKER')!.id;
    const other = householdOf(decided).la === 'RUTLAND' ? MACPT_TEAMS.LEICESTER[1]!.id : stranger;
    const refused = await gql(
      stack.gatewayUrl,
      DECISIONS,
      { n: decided.nhsNumber },
      await as(other, purposeOf(decided)),
    );
    expect(refused.data?.sharingDecisions ?? null).toBeNull();
    expect(refused.errors![0]!.extensions!.rule).toBe('NO_LEGITIMATE_RELATIONSHIP');
  });

  it("lists police's decisions past their review date to police's IG lead", async () => {
    const result = await gql(
      stack.gatewayUrl,
      `{ agencySharingDecisions(overdueOnly: true) { id nhsNumber agency reviewBy overdue reasonText } }`,
      {},
      await as('ig-police', 'IG_AUDIT'),
    );
    const overdue = children.flatMap((c) =>
      c.sharingDecisions.filter((d) => d.agency === 'police' && d.reviewBy < today()),
    );
    expect(result.data.agencySharingDecisions.map((d: { id: string }) => d.id).sort()).toEqual(
      overdue.map((d) => d.id).sort(),
    );
    expect(
      result.data.agencySharingDecisions.every(
        (d: { overdue: boolean; agency: string }) => d.overdue && d.agency === 'police',
      ),
    ).toBe(true);
    const lcpp = await gql(
      stack.gatewayUrl,
      `{ agencySharingDecisions { id } }`,
      {},
      await as(namedOf(decided, 'LCPP'), purposeOf(decided)),
    );
    expect(lcpp.errors![0]!.extensions!.code).toBe('FORBIDDEN_BY_POLICY');
  });
});

describe('recording, keeping and withdrawing a decision', () => {
  let id: string;

  it("is done by police's named officer: on the record first, then withheld from the LCPP", async () => {
    expect(fresh).toBeDefined();
    const officer = namedOf(fresh, 'MACPT_POLICE');
    const input = {
      nhsNumber: fresh.nhsNumber,
      fields: ['PoliceRecord.missingEpisodes'],
      reason: 'OTHER',
      reasonText: 'A linked missing-person investigation is at a sensitive stage this week.',
      reviewBy: inDays(14),
    };
    const made = await ask(RECORD, { i: input }, await as(officer, purposeOf(fresh)));
    expect(made.errors).toBeUndefined();
    const decision = made.data.recordSharingDecision;
    id = decision.id;
    expect(decision).toMatchObject({
      agency: 'police',
      reason: 'OTHER',
      status: 'STANDING',
      fields: ['PoliceRecord.missingEpisodes'],
    });
    const record = await recordOf(made.requestId, officer, 'police');
    expect(record).toMatchObject({ kind: 'SHARING_DECISION', outcome: 'RECORDED', agencies: ['police'] });
    expect(record.sharingDecision).toMatchObject({
      id,
      action: 'RECORD',
      nhsNumber: fresh.nhsNumber,
      reviewBy: inDays(14),
    });
    expect(decision.history).toEqual([{ action: 'RECORDED', recordId: expect.any(String) }]);

    const lcpp = namedOf(fresh, 'LCPP');
    const seen = await gql(stack.gatewayUrl, POLICE_VIEW, { n: fresh.nhsNumber }, await as(lcpp, purposeOf(fresh)));
    expect(seen.data.child.police.missingEpisodes).toBeNull();
    expect(seen.errors!.find((e) => e.path?.join('.') === 'child.police.missingEpisodes')!.extensions!.rule).toBe(
      'DECISION_NOT_TO_SHARE',
    );
    // Why, and what it covers, stay with police: the LCPP is told that it exists and whom to ask.
    const listed = await gql(stack.gatewayUrl, DECISIONS, { n: fresh.nhsNumber }, await as(lcpp, purposeOf(fresh)));
    expect(listed.data.sharingDecisions).toMatchObject([
      { id, reason: null, reasonText: null, fields: null, decidedBy: { id: officer } },
    ]);
    const own = await gql(stack.gatewayUrl, DECISIONS, { n: fresh.nhsNumber }, await as(officer, purposeOf(fresh)));
    expect(own.data.sharingDecisions[0].reasonText).toBe(input.reasonText);
  });

  it('is kept to a new review date, then withdrawn: each step on the record, and the LCPP sees the data again', async () => {
    const officer = namedOf(fresh, 'MACPT_POLICE');
    const h = await as(officer, purposeOf(fresh));
    const kept = await ask(REVIEW, { id, n: fresh.nhsNumber, o: 'KEEP', r: inDays(30), note: 'Still live.' }, h);
    expect(kept.data.reviewSharingDecision).toMatchObject({ status: 'STANDING', reviewBy: inDays(30) });
    expect((await recordOf(kept.requestId, officer, 'police')).outcome).toBe('KEPT');
    const gone = await ask(REVIEW, { id, n: fresh.nhsNumber, o: 'WITHDRAW', note: 'Investigation closed.' }, h);
    expect(gone.data.reviewSharingDecision.status).toBe('WITHDRAWN');
    expect(gone.data.reviewSharingDecision.history.map((s: { action: string }) => s.action)).toEqual([
      'RECORDED',
      'KEPT',
      'WITHDRAWN',
    ]);
    expect((await recordOf(gone.requestId, officer, 'police')).outcome).toBe('WITHDRAWN');
    const seen = await gql(
      stack.gatewayUrl,
      POLICE_VIEW,
      { n: fresh.nhsNumber },
      await as(namedOf(fresh, 'LCPP'), purposeOf(fresh)),
    );
    expect(seen.data.child.police.missingEpisodes).toHaveLength(fresh.police!.missingEpisodes.length);
    // A withdrawn decision cannot be reviewed again.
    const again = await gql(stack.gatewayUrl, REVIEW, { id, n: fresh.nhsNumber, o: 'WITHDRAW' }, h);
    expect(again.errors![0]!.extensions!.code).toBe('NOT_FOUND');
  });
});

describe('bad attempts are refused with a clear error, and recorded as refused', () => {
  const attempt = async (who: string, input: Record<string, unknown>, purpose = purposeOf(fresh)) => {
    const result = await ask(
      RECORD,
      { i: { nhsNumber: fresh.nhsNumber, reason: 'MORE_DETRIMENTAL_TO_CHILD', reviewBy: inDays(10), ...input } },
      await as(who, purpose),
    );
    const agency = stack.personas.find((p) => p.id === who)!.agency;
    const record = await recordOf(result.requestId, who, agency);
    return { result, record };
  };

  it.each([
    [
      'the LCPP deciding about police fields',
      () => namedOf(fresh, 'LCPP'),
      { fields: ['PoliceRecord.missingEpisodes'] },
      'BAD_USER_INPUT',
      /social-care's own published fields only/,
    ],
    [
      'an officer with no relationship with the child',
      () =>
        MACPT_TEAMS[householdOf(fresh).la === 'RUTLAND' ? 'LEICESTER' : 'RUTLAND'].find(
          (w) => w.role === 'MACPT_POLICE',
        )!.id,
      { fields: ['PoliceRecord.missingEpisodes'] },
      'FORBIDDEN_BY_POLICY',
      /no legitimate relationship/,
    ],
    ['a decision covering nothing', () => namedOf(fresh, 'MACPT_POLICE'), {}, 'BAD_USER_INPUT', /name at least one/],
    [
      'a reason of OTHER with no reason given',
      () => namedOf(fresh, 'MACPT_POLICE'),
      { classes: ['SENSITIVE'], reason: 'OTHER' },
      'BAD_USER_INPUT',
      /needs reasonText/,
    ],
    [
      'a review date in the past',
      () => namedOf(fresh, 'MACPT_POLICE'),
      { classes: ['SENSITIVE'], reviewBy: inDays(-3) },
      'BAD_USER_INPUT',
      /must be after today/,
    ],
    [
      'a malformed NHS number',
      () => namedOf(fresh, 'MACPT_POLICE'),
      { classes: ['SENSITIVE'], nhsNumber: '1234567890' },
      'BAD_USER_INPUT',
      /Invalid NHS number/,
    ],
  ] as const)('%s', async (_, who, input, code, message) => {
    const { result, record } = await attempt(who(), input);
    expect(result.data).toBeNull();
    expect(result.errors![0]!.extensions!.code).toBe(code);
    expect(result.errors![0]!.message).toMatch(message);
    expect(record).toMatchObject({ kind: 'SHARING_DECISION', outcome: 'REFUSED' });
    // Nothing was stored: the child has no decision.
    const listed = await gql(
      stack.gatewayUrl,
      DECISIONS,
      { n: fresh.nhsNumber },
      await as(namedOf(fresh, 'LCPP'), purposeOf(fresh)),
    );
    expect(listed.data.sharingDecisions.filter((d: { status: string }) => d.status === 'STANDING')).toEqual([]);
  });

  it('an IG lead, and break-glass, may not decide', async () => {
    const { result } = await attempt(namedOf(fresh, 'MACPT_POLICE'), { classes: ['SENSITIVE'] }, 'EMERGENCY');
    // EMERGENCY without a justification is refused before anything runs; with one, the decision is refused.
    expect(result.errors![0]!.extensions!.code).toMatch(/JUSTIFICATION_REQUIRED|FORBIDDEN_BY_POLICY/);
    const ig = await ask(
      RECORD,
      {
        i: {
          nhsNumber: fresh.nhsNumber,
          classes: ['SENSITIVE'],
          reason: 'MORE_DETRIMENTAL_TO_CHILD',
          reviewBy: inDays(10),
        },
      },
      await as('ig-police', 'IG_AUDIT'),
    );
    expect(ig.errors![0]!.extensions).toMatchObject({ code: 'FORBIDDEN_BY_POLICY', rule: 'DECIDER_NOT_PERMITTED' });
    expect((await recordOf(ig.requestId, 'ig-police', 'police')).outcome).toBe('REFUSED');
  });
});

describe('while police does not answer', () => {
  it('no decision is recorded and none is said not to exist', async () => {
    proxy.setMode({ kind: 'reset' });
    try {
      const officer = namedOf(fresh, 'MACPT_POLICE');
      const made = await ask(
        RECORD,
        {
          i: {
            nhsNumber: fresh.nhsNumber,
            classes: ['SENSITIVE'],
            reason: 'MORE_DETRIMENTAL_TO_CHILD',
            reviewBy: inDays(10),
          },
        },
        await as(officer, purposeOf(fresh)),
      );
      expect(made.errors![0]!.extensions!.code).toBe('AGENCY_UNAVAILABLE');
      expect((await recordOf(made.requestId, officer, 'police')).outcome).toBe('REFUSED');
      const listed = await gql(
        stack.gatewayUrl,
        DECISIONS,
        { n: decided.nhsNumber },
        await as(namedOf(decided, 'LCPP'), purposeOf(decided)),
      );
      expect(listed.data?.sharingDecisions ?? null).toBeNull();
      expect(listed.errors![0]!.extensions!.code).toBe('AGENCY_UNAVAILABLE');
    } finally {
      proxy.setMode({ kind: 'pass' });
    }
  });
});
