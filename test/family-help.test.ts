import { FAMILY_HELP_TEAMS, MACPT_TEAMS } from '@macpt/synthetic';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { children, gql, gqlWithId, headers, householdOf, recordEvent, startTestStack } from './testkit.js';

// DESIGN §10 from outside: Family Help, a fifth partner, joins by its own subgraph and policy file. The
// gateway and the console were not changed for it; its fields are decided by its own classes, recorded with
// its own lawful basis, put on the chronology by its own declaration, and its subgraph refuses unsigned calls.

let stack: Awaited<ReturnType<typeof startTestStack>>;
beforeAll(async () => {
  stack = await startTestStack();
}, 180_000);
afterAll(async () => stack?.stopAll());

// A child on a section 47 enquiry whose family Family Help stepped up to social care.
const stepped = children.find(
  (c) =>
    c.socialCare?.stage === 'SECTION_47' &&
    c.sharingDecisions.length === 0 &&
    c.familyHelp?.transitions.some((t) => t.direction === 'STEP_UP') &&
    c.socialCare.namedWorkers.some((w) => w.startsWith('lcpp')) &&
    c.socialCare.namedWorkers.some((w) => w.startsWith('police')),
)!;
const named = (role: string) =>
  MACPT_TEAMS[householdOf(stepped).la].find((w) => w.role === role && stepped.socialCare!.namedWorkers.includes(w.id))!
    .id;
const as = async (id: string, purpose: string) => headers(await stack.tokenFor(id), purpose);

const RECORD = `query($n: ID!) { child(nhsNumber: $n) { familyHelp {
  name leadPractitioner { name team } plan { startDate status goals } assessments { date outcome }
  transitions { date direction reason } teamAroundTheFamily { role agency } } } }`;

describe('Family Help, a fifth partner', () => {
  it('serves its record of the family to the named LCPP, as its store holds it', async () => {
    expect(stepped).toBeDefined();
    const result = await gql(
      stack.gatewayUrl,
      RECORD,
      { n: stepped.nhsNumber },
      await as(named('LCPP'), 'SECTION_47_ENQUIRY'),
    );
    expect(result.errors).toBeUndefined();
    const fh = stepped.familyHelp!;
    expect(result.data.child.familyHelp).toEqual({
      name: stepped.name,
      leadPractitioner: { name: fh.leadPractitioner.name, team: fh.leadPractitioner.team },
      plan: { startDate: fh.plan.startDate, status: fh.plan.status, goals: fh.plan.goals },
      assessments: [...fh.assessments]
        .sort((a, b) => b.date.localeCompare(a.date))
        .map(({ date, outcome }) => ({ date, outcome })),
      transitions: fh.transitions.map(({ date, direction, reason }) => ({ date, direction, reason })),
      teamAroundTheFamily: fh.teamAroundTheFamily.map(({ role, agency }) => ({ role, agency })),
    });
  });

  it('withholds what the family told it in confidence (SENSITIVE) from the police officer, and records why', async () => {
    const officer = named('MACPT_POLICE');
    const result = await gqlWithId(
      stack.gatewayUrl,
      RECORD,
      { n: stepped.nhsNumber },
      await as(officer, 'SECTION_47_ENQUIRY'),
    );
    const fh = result.data.child.familyHelp;
    expect(fh.plan).toMatchObject({ startDate: stepped.familyHelp!.plan.startDate, goals: null });
    expect(fh.assessments.every((a: { outcome: unknown }) => a.outcome === null)).toBe(true);
    expect(fh.transitions).toHaveLength(stepped.familyHelp!.transitions.length);
    const goals = result.errors!.find((e) => e.path?.join('.') === 'child.familyHelp.plan.goals');
    expect(goals?.extensions).toMatchObject({ code: 'FORBIDDEN_BY_POLICY', agency: 'family-help', class: 'SENSITIVE' });
    const page = await gql(
      stack.gatewayUrl,
      `query($u: ID) { disclosures(first: 10, filter: { userId: $u }) { records { requestId
        children { nhsNumber disclosed { agency fields } withheld { field agency } lawfulBasis { agency basis } } } } }`,
      { u: officer },
      await as('ig-family-help', 'IG_AUDIT'),
    );
    const record = page.data.disclosures.records.find((r: { requestId: string }) => r.requestId === result.requestId);
    const child = record.children[0];
    expect(child.disclosed).toContainEqual(
      expect.objectContaining({ agency: 'family-help', fields: expect.arrayContaining(['CaseTransition.direction']) }),
    );
    expect(child.withheld).toContainEqual({ field: 'FamilyHelpPlan.goals', agency: 'family-help' });
    expect(child.lawfulBasis).toContainEqual({
      agency: 'family-help',
      basis: expect.stringMatching(/^Children Act 1989 s\.17/),
    });
  });

  it('puts its step-up on the chronology by its own declaration', async () => {
    const result = await gql(
      stack.gatewayUrl,
      `query($n: ID!) { child(nhsNumber: $n) { chronology(agencies: ["family-help"]) { entries { date agency kind detail } } } }`,
      { n: stepped.nhsNumber },
      await as(named('LCPP'), 'SECTION_47_ENQUIRY'),
    );
    const up = stepped.familyHelp!.transitions.find((t) => t.direction === 'STEP_UP')!;
    expect(result.data.child.chronology.entries).toContainEqual({
      date: up.date,
      agency: 'family-help',
      kind: 'STEP_UP_OR_DOWN',
      detail: `STEP_UP · ${up.reason}`,
    });
    const kinds = await gql(
      stack.gatewayUrl,
      '{ chronologyKinds { agency kind } }',
      {},
      await as(named('LCPP'), 'SECTION_47_ENQUIRY'),
    );
    expect(kinds.data.chronologyKinds.filter((k: { agency: string }) => k.agency === 'family-help')).toHaveLength(3);
  });

  it("tells the LCPP when it steps a family up, by the partnership's rule, with only the rule's fields", async () => {
    const run = recordEvent(stack.dataDir, 'family-help', 'step-up', stepped.nhsNumber);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const lcpp = `lcpp-${householdOf(stepped).la.toLowerCase()}`;
    const inbox = async () =>
      (
        await gql(
          stack.gatewayUrl,
          `{ notifications { items { rule event nhsNumber fields { name value } } } }`,
          {},
          await as(lcpp, 'CP_PLAN_REVIEW'),
        )
      ).data.notifications.items.filter(
        (i: { rule: string; nhsNumber: string }) =>
          i.rule === 'FAMILY_HELP_STEP_UP' && i.nhsNumber === stepped.nhsNumber,
      );
    await expect.poll(inbox, { timeout: 15_000 }).toHaveLength(1);
    const [item] = await inbox();
    expect(item.event).toBe('step-up');
    expect(item.fields.map((f: { name: string }) => f.name).sort()).toEqual(['date', 'direction']);
    expect(item.fields).toContainEqual({ name: 'direction', value: 'STEP_UP' });
  });

  it("puts its own counts in the LA's partnership figures, titled by itself, suppressed like the others", async () => {
    const la = householdOf(stepped).la;
    const to = new Date().toISOString().slice(0, 10);
    const from = new Date(Date.now() - 300 * 86_400_000).toISOString().slice(0, 10);
    const result = await gql(
      stack.gatewayUrl,
      `query($la: String!, $from: String!, $to: String!) { partnershipFigures(la: $la, from: $from, to: $to) {
        unavailable periods { start end } tables { name title source rows { key total periods } } } }`,
      { la, from, to },
      await as(`lcpp-${la.toLowerCase()}`, 'IG_AUDIT'),
    );
    expect(result.errors).toBeUndefined();
    const figures = result.data.partnershipFigures;
    expect(figures.unavailable).toEqual([]);
    const steps = figures.tables.find((t: { name: string }) => t.name === 'familyHelpSteps');
    expect(steps).toMatchObject({
      source: 'family help',
      title: expect.stringMatching(/^Family Help: families stepped up/),
    });
    // The truth: steps of this LA's Family Help families within the periods, each family once per step.
    const { start } = figures.periods[0];
    const { end } = figures.periods.at(-1);
    const families = new Map(
      children
        .filter((c) => c.familyHelp && householdOf(c).la === la)
        .map((c) => [c.familyHelp!.familyId, c.familyHelp!]),
    );
    const ups = [...families.values()]
      .flatMap((f) => f.transitions)
      .filter((t) => t.direction === 'STEP_UP' && t.date >= start && t.date <= end);
    const row = steps.rows.find((r: { key: string }) => r.key === 'STEP_UP');
    // Each period's cell is the count, or "<5" (1 to 4), or suppressed alongside one: never a count of 1 to 4.
    for (const cell of row.periods) expect(cell).not.toMatch(/^[1-4]$/);
    expect(row.total).toBeLessThanOrEqual(ups.length);
    expect(ups.length).toBeGreaterThan(0);
  });

  it('refuses a call that does not come from the gateway, as every agency does', async () => {
    const direct = await fetch(stack.subgraphUrls['family-help']!, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        query: `{ _entities(representations: [{ __typename: "Child", nhsNumber: "${stepped.nhsNumber}" }]) { ... on Child { familyHelp { name } } } }`,
      }),
    });
    expect(direct.status).toBe(401);
    expect(await direct.text()).not.toContain(stepped.name);
  });
});

describe("Family Help's own lead practitioners (DESIGN §10)", () => {
  // Children of families under an active plan, known to health and to police, by their lead practitioner.
  const led = children.filter(
    (c) => c.familyHelp?.plan.status === 'ACTIVE' && c.health && c.police && c.sharingDecisions.length === 0,
  );
  const [mine, second] = led;
  const lead = mine!.familyHelp!.leadPractitioner.userId;
  const another = led.find((c) => c.familyHelp!.leadPractitioner.userId !== lead)!;
  const theirs = led.find((c) => c !== mine && c.familyHelp!.leadPractitioner.userId === lead) ?? second!;
  const VIEW = `query($n: ID!) { child(nhsNumber: $n) { nhsNumber
    familyHelp { name plan { status goals } leadPractitioner { userId } }
    health { name aeAttendances { date } } police { incidents { date } } } }`;

  it('is a persona of its own LA, holding the role Family Help staff hold', () => {
    const persona = stack.personas.find((p) => p.id === lead)!;
    expect(persona).toMatchObject({ role: 'FAMILY_HELP_PRACTITIONER', agency: 'family-help' });
    expect(FAMILY_HELP_TEAMS[householdOf(mine!).la].map((w) => w.id)).toContain(lead);
  });

  it("sees the family's Family Help record and other agencies' identity, and nothing else, on the record", async () => {
    const result = await gqlWithId(
      stack.gatewayUrl,
      VIEW,
      { n: mine!.nhsNumber },
      await as(lead, 'FAMILY_HELP_SUPPORT'),
    );
    const child = result.data.child;
    expect(child.familyHelp).toEqual({
      name: mine!.name,
      plan: { status: 'ACTIVE', goals: mine!.familyHelp!.plan.goals },
      leadPractitioner: { userId: lead },
    });
    expect(child.health).toEqual({ name: mine!.name, aeAttendances: null });
    expect(child.police).toBeNull();
    const rules = Object.fromEntries(
      result.errors!.map((e) => [e.path!.join('.'), (e.extensions as { rule: string }).rule]),
    );
    expect(rules).toMatchObject({
      'child.health.aeAttendances': 'FAMILY_HELP_IDENTITY_ONLY',
      'child.police': 'FAMILY_HELP_IDENTITY_ONLY',
    });
    const page = await gql(
      stack.gatewayUrl,
      `query($u: ID) { disclosures(first: 5, filter: { userId: $u }) { records { requestId purpose
        user { role agency } children { nhsNumber disclosed { agency } withheld { field rule } } } } }`,
      { u: lead },
      await as('ig-family-help', 'IG_AUDIT'),
    );
    const record = page.data.disclosures.records.find((r: { requestId: string }) => r.requestId === result.requestId);
    expect(record).toMatchObject({
      purpose: 'FAMILY_HELP_SUPPORT',
      user: { role: 'FAMILY_HELP_PRACTITIONER', agency: 'family-help' },
    });
    expect(record.children[0].withheld).toContainEqual({ field: 'Child.police', rule: 'FAMILY_HELP_IDENTITY_ONLY' });
  });

  it("is refused another practitioner's family as if the child were unknown, and the MACPT's purposes", async () => {
    const other = await gql(stack.gatewayUrl, VIEW, { n: another.nhsNumber }, await as(lead, 'FAMILY_HELP_SUPPORT'));
    expect(other.data?.child ?? null).toBeNull();
    expect(other.errors![0]!.extensions).toMatchObject({
      code: 'FORBIDDEN_BY_POLICY',
      rule: 'NO_LEGITIMATE_RELATIONSHIP',
    });
    expect(JSON.stringify(other)).not.toContain(another.name);
    const s47 = await gql(stack.gatewayUrl, VIEW, { n: mine!.nhsNumber }, await as(lead, 'SECTION_47_ENQUIRY'));
    expect(s47.errors![0]!.extensions).toMatchObject({ rule: 'FAMILY_HELP_SUPPORT_ONLY' });
    expect(JSON.stringify(s47)).not.toContain(mine!.name);
    const lcpp = `lcpp-${householdOf(mine!).la.toLowerCase()}`;
    const theirPurpose = await gql(
      stack.gatewayUrl,
      VIEW,
      { n: mine!.nhsNumber },
      await as(lcpp, 'FAMILY_HELP_SUPPORT'),
    );
    expect(theirPurpose.errors![0]!.extensions).toMatchObject({ rule: 'FAMILY_HELP_SUPPORT_LEAD_PRACTITIONERS_ONLY' });
  });

  it('has no relationship at all while Family Help, which owns the fact, does not answer (fail closed)', async () => {
    await stack.stop('family-help');
    try {
      const result = await gql(stack.gatewayUrl, VIEW, { n: theirs.nhsNumber }, await as(lead, 'FAMILY_HELP_SUPPORT'));
      expect(result.data?.child ?? null).toBeNull();
      expect(JSON.stringify(result)).not.toContain(theirs.name);
    } finally {
      await stack.start('family-help');
    }
  });
});
