import { MACPT_TEAMS, type Child } from '@macpt/synthetic';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  children,
  EVERY_REQUEST_ASKS,
  gql,
  gqlWithId,
  headers,
  householdOf,
  JUSTIFICATION,
  PURPOSE_FOR_STAGE,
  startTestStackBehindProxy,
} from './testkit.js';

// DESIGN §9 from outside: the chronology is a view of the same governed fields. What a persona sees on it is
// exactly what the fields themselves would show them, what they may not see leaves only the notice the field
// would give, and the disclosure record names the fields the entries came from.

let stack: Awaited<ReturnType<typeof startTestStackBehindProxy>>['stack'];
let proxy: Awaited<ReturnType<typeof startTestStackBehindProxy>>['proxy'];

beforeAll(async () => {
  ({ stack, proxy } = await startTestStackBehindProxy('police', {}, EVERY_REQUEST_ASKS));
}, 180_000);
afterAll(async () => stack?.stopAll());

const CHRONOLOGY = `query($n: ID!, $since: Date, $until: Date, $agencies: [String!], $kinds: [String!]) {
  child(nhsNumber: $n) { chronology(since: $since, until: $until, agencies: $agencies, kinds: $kinds) {
    entries { date agency kind title detail } withheld { agency kind field code rule message } } } }`;

interface Entry {
  date: string;
  agency: string;
  kind: string;
  title: string;
  detail: string | null;
}
interface Notice {
  agency: string;
  kind: string;
  field: string;
  code: string;
  rule: string | null;
  message: string;
}

const namedOf = (child: Child, role: string) =>
  MACPT_TEAMS[householdOf(child).la].find((w) => w.role === role && child.socialCare!.namedWorkers.includes(w.id))!.id;
const as = async (id: string, purpose: string, justification?: string) =>
  headers(await stack.tokenFor(id), purpose, justification);

const ask = (query: string, variables: Record<string, unknown>, h: Record<string, string>) =>
  gqlWithId(stack.gatewayUrl, query, variables, h);

/** A request's disclosure record, as the user's agency's IG lead reads it. */
async function recordOf(requestId: string | null, userId: string, agency: string) {
  const page = await gql(
    stack.gatewayUrl,
    `query($u: ID) { disclosures(first: 20, filter: { userId: $u }) { records { requestId outcome
      children { nhsNumber disclosed { agency fields } withheld { field rule agency } } } } }`,
    { u: userId },
    await as(`ig-${agency}`, 'IG_AUDIT'),
  );
  return page.data.disclosures.records.find((r: { requestId: string }) => r.requestId === requestId);
}

const chronologyOf = (result: { data?: any }) =>
  result.data.child.chronology as { entries: Entry[]; withheld: Notice[] };
const ofKind = (entries: Entry[], kind: string) => entries.filter((e) => e.kind === kind);

// Known to all four agencies, on a section 47 enquiry, with events from each.
const spanning = children.find(
  (c) =>
    c.socialCare?.stage === 'SECTION_47' &&
    c.sharingDecisions.length === 0 &&
    !householdOf(c).confidentialBy &&
    c.socialCare.namedWorkers.some((w) => w.startsWith('lcpp')) &&
    c.socialCare.referrals.length > 0 &&
    (c.police?.incidents.length ?? 0) > 0 &&
    c.health.aeAttendances.length > 0 &&
    (c.education?.dslConcerns.length ?? 0) + (c.education?.suspensions.length ?? 0) > 0,
)!;

describe("one child's chronology, from every agency", () => {
  it('puts every event the named LCPP may see on one timeline, newest first, each naming its agency', async () => {
    expect(spanning).toBeDefined();
    const lcpp = namedOf(spanning, 'LCPP');
    const result = await ask(CHRONOLOGY, { n: spanning.nhsNumber }, await as(lcpp, 'SECTION_47_ENQUIRY'));
    const { entries, withheld } = chronologyOf(result);
    // The generator's events, kind by kind.
    const police = spanning.police!;
    expect(
      ofKind(entries, 'INCIDENT')
        .map((e) => e.date)
        .sort(),
    ).toEqual(police.incidents.map((i) => i.date).sort());
    for (const incident of police.incidents)
      expect(entries).toContainEqual({
        date: incident.date,
        agency: 'police',
        kind: 'INCIDENT',
        title: 'Police incident',
        detail: [incident.kind, incident.involvement, incident.location, incident.summary].join(' · '),
      });
    expect(ofKind(entries, 'AE_ATTENDANCE')).toHaveLength(spanning.health.aeAttendances.length);
    for (const a of spanning.health.aeAttendances)
      expect(entries).toContainEqual(
        expect.objectContaining({ date: a.date, agency: 'health', detail: `${a.hospital} · ${a.description}` }),
      );
    expect(
      ofKind(entries, 'REFERRAL')
        .map((e) => e.date)
        .sort(),
    ).toEqual(spanning.socialCare!.referrals.map((r) => r.date).sort());
    expect(ofKind(entries, 'DSL_CONCERN')).toHaveLength(spanning.education!.dslConcerns.length);
    expect(ofKind(entries, 'SUSPENSION')).toHaveLength(spanning.education!.suspensions.length);
    const dates = entries.map((e) => e.date);
    expect(dates).toEqual([...dates].sort().reverse());
    for (const agency of ['social-care', 'health', 'police', 'education'])
      expect(entries.some((e) => e.agency === agency)).toBe(true);
    // The LCPP may see everything a section 47 enquiry needs: nothing withheld except what health keeps to itself.
    expect(withheld.filter((n) => n.agency !== 'health')).toEqual([]);
  });

  it('is exactly what the fields themselves show the same persona: the same events, the same withheld notices', async () => {
    const dsl = spanning.education!.schoolUrn!;
    const template = stack.personas.find((p) => p.role === 'SCHOOL_DSL')!;
    for (const [who, h] of [
      ['the police officer named on the case', await as(namedOf(spanning, 'MACPT_POLICE'), 'SECTION_47_ENQUIRY')],
      [
        'a social worker for a strategy discussion',
        await as(namedOf(spanning, 'SOCIAL_WORKER'), 'STRATEGY_DISCUSSION'),
      ],
      [
        "the child's school DSL",
        headers(
          await stack.tokenFor(template.id, {
            claims: { sub: `dsl-${dsl}`, school: dsl, la: householdOf(spanning).la },
          }),
          'SECTION_47_ENQUIRY',
        ),
      ],
    ] as const) {
      const chronology = chronologyOf(await ask(CHRONOLOGY, { n: spanning.nhsNumber }, h));
      const fields = await ask(
        `query($n: ID!) { child(nhsNumber: $n) {
          police { incidents { date } householdOffending { date } }
          health { aeAttendances { date } camhs { referredOn } }
          socialCare { referrals { date } }
          education { dslConcerns { date } suspensions { date } } } }`,
        { n: spanning.nhsNumber },
        h,
      );
      const child = fields.data.child;
      const shown: [string, string, unknown[] | null | undefined, string][] = [
        ['INCIDENT', 'police.incidents', child.police?.incidents, 'date'],
        ['ADULT_OFFENDING', 'police.householdOffending', child.police?.householdOffending, 'date'],
        ['AE_ATTENDANCE', 'health.aeAttendances', child.health?.aeAttendances, 'date'],
        ['CAMHS_REFERRAL', 'health.camhs', child.health?.camhs, 'referredOn'],
        ['REFERRAL', 'socialCare.referrals', child.socialCare?.referrals, 'date'],
        ['DSL_CONCERN', 'education.dslConcerns', child.education?.dslConcerns, 'date'],
        ['SUSPENSION', 'education.suspensions', child.education?.suspensions, 'date'],
      ];
      for (const [kind, path, items, date] of shown) {
        expect(
          ofKind(chronology.entries, kind)
            .map((e) => e.date)
            .sort(),
          `${who}: ${kind}`,
        ).toEqual((items ?? []).map((i) => (i as Record<string, string>)[date]).sort());
        // Withheld there: the same rule on the chronology, for that kind; shown there: no notice.
        const error = fields.errors?.find((e) => path.startsWith(e.path!.slice(1).join('.')));
        const notice = chronology.withheld.find((n) => n.kind === kind);
        if (error)
          expect(notice, `${who}: ${kind}`).toMatchObject({
            code: 'FORBIDDEN_BY_POLICY',
            rule: error.extensions!.rule,
          });
        else expect(notice, `${who}: ${kind}`).toBeUndefined();
      }
    }
  });

  it('records the request as the fields the entries came from, and only those the filters asked for', async () => {
    const lcpp = namedOf(spanning, 'LCPP');
    const result = await ask(
      CHRONOLOGY,
      { n: spanning.nhsNumber, agencies: ['police', 'health'], kinds: ['INCIDENT', 'AE_ATTENDANCE'] },
      await as(lcpp, 'SECTION_47_ENQUIRY'),
    );
    const { entries } = chronologyOf(result);
    expect(new Set(entries.map((e) => e.kind))).toEqual(new Set(['INCIDENT', 'AE_ATTENDANCE']));
    const record = await recordOf(result.requestId, lcpp, 'social-care');
    const mine = record.children.find((c: { nhsNumber: string }) => c.nhsNumber === spanning.nhsNumber);
    expect(mine.disclosed).toEqual([
      {
        agency: 'health',
        fields: [
          'AeAttendance.date',
          'AeAttendance.description',
          'AeAttendance.hospital',
          'Child.health',
          'HealthRecord.aeAttendances',
        ],
      },
      {
        agency: 'police',
        fields: [
          'Child.police',
          'PoliceIncident.date',
          'PoliceIncident.involvement',
          'PoliceIncident.kind',
          'PoliceIncident.location',
          'PoliceIncident.summary',
          'PoliceRecord.incidents',
        ],
      },
    ]);
    // The IG lead's subject-access report finds the request under the child.
    const sar = await gql(
      stack.gatewayUrl,
      `query($n: ID!) { subjectAccessReport(nhsNumber: $n, first: 20) { records { requestId } } }`,
      { n: spanning.nhsNumber },
      await as('ig-social-care', 'IG_AUDIT'),
    );
    expect(sar.data.subjectAccessReport.records.map((r: { requestId: string }) => r.requestId)).toContain(
      result.requestId,
    );
  });

  it('keeps to the dates asked for, inclusive', async () => {
    const lcpp = namedOf(spanning, 'LCPP');
    const all = chronologyOf(await ask(CHRONOLOGY, { n: spanning.nhsNumber }, await as(lcpp, 'SECTION_47_ENQUIRY')));
    const middle = all.entries[Math.floor(all.entries.length / 2)]!.date;
    const until = chronologyOf(
      await ask(CHRONOLOGY, { n: spanning.nhsNumber, until: middle }, await as(lcpp, 'SECTION_47_ENQUIRY')),
    );
    expect(until.entries).toEqual(all.entries.filter((e) => e.date <= middle));
    const window = chronologyOf(
      await ask(
        CHRONOLOGY,
        { n: spanning.nhsNumber, since: middle, until: middle },
        await as(lcpp, 'SECTION_47_ENQUIRY'),
      ),
    );
    expect(window.entries).toEqual(all.entries.filter((e) => e.date === middle));
  });
});

describe('what the chronology withholds leaves only the field’s own notice', () => {
  it('keeps a refuge’s location out of police entries, naming the rule once', async () => {
    const refuge = children.find(
      (c) =>
        householdOf(c).confidentialBy === 'police' &&
        c.sharingDecisions.length === 0 &&
        c.socialCare?.caseId &&
        c.socialCare.stage !== 'REFERRAL' &&
        c.socialCare.namedWorkers.some((w) => w.startsWith('lcpp')) &&
        (householdOf(c).police.domesticAbuse.length > 0 || (c.police?.incidents.length ?? 0) > 0),
    )!;
    expect(refuge).toBeDefined();
    const lcpp = namedOf(refuge, 'LCPP');
    const result = await ask(
      CHRONOLOGY,
      { n: refuge.nhsNumber, agencies: ['police'] },
      await as(lcpp, PURPOSE_FOR_STAGE[refuge.socialCare!.stage!]!),
    );
    const { entries, withheld } = chronologyOf(result);
    const places = [
      ...householdOf(refuge).police.domesticAbuse.map((d) => d.location),
      ...(refuge.police?.incidents.map((i) => i.location) ?? []),
      householdOf(refuge).address,
    ];
    expect(entries.length).toBe(
      householdOf(refuge).police.domesticAbuse.length +
        (refuge.police?.incidents.length ?? 0) +
        (refuge.police?.missingEpisodes.length ?? 0) +
        (refuge.police?.policeProtection.length ?? 0) +
        householdOf(refuge).police.adultOffending.length,
    );
    for (const place of places) expect(JSON.stringify(entries)).not.toContain(place);
    const location = withheld.filter((n) => n.rule === 'CONFIDENTIAL_LOCATION');
    expect(location.length).toBeGreaterThan(0);
    expect(new Set(location.map((n) => `${n.kind} ${n.field}`)).size).toBe(location.length);
    expect(location.every((n) => /^(PoliceIncident|DomesticAbuseIncident)\.location$/.test(n.field))).toBe(true);
    expect(JSON.stringify(result)).not.toContain(householdOf(refuge).address);
  });

  it('withholds what a decision not to share covers, as the field would, and police are not asked for it', async () => {
    const decided = children.find(
      (c) =>
        c.sharingDecisions.some((d) => d.agency === 'police' && d.fields.includes('PoliceRecord.incidents')) &&
        c.police!.incidents.length > 0 &&
        c.socialCare!.stage !== 'REFERRAL' &&
        c.socialCare!.namedWorkers.some((w) => w.startsWith('lcpp')),
    )!;
    expect(decided).toBeDefined();
    proxy.requests.length = 0;
    const lcpp = namedOf(decided, 'LCPP');
    const result = await ask(
      CHRONOLOGY,
      { n: decided.nhsNumber, agencies: ['police'] },
      await as(lcpp, PURPOSE_FOR_STAGE[decided.socialCare!.stage!]!),
    );
    const { entries, withheld } = chronologyOf(result);
    expect(ofKind(entries, 'INCIDENT')).toEqual([]);
    expect(withheld).toContainEqual(
      expect.objectContaining({ kind: 'INCIDENT', field: 'PoliceRecord.incidents', rule: 'DECISION_NOT_TO_SHARE' }),
    );
    expect(proxy.requests.some((r) => r.body.includes('incidents'))).toBe(false);
  });

  it('says which agency did not answer rather than showing a shorter timeline', async () => {
    const lcpp = namedOf(spanning, 'LCPP');
    proxy.setMode({ kind: 'reset' });
    try {
      const result = await ask(CHRONOLOGY, { n: spanning.nhsNumber }, await as(lcpp, 'SECTION_47_ENQUIRY'));
      const { entries, withheld } = chronologyOf(result);
      expect(entries.some((e) => e.agency === 'police')).toBe(false);
      expect(entries.some((e) => e.agency === 'social-care')).toBe(true);
      const silent = withheld.filter((n) => n.agency === 'police');
      expect(silent.map((n) => n.kind).sort()).toEqual(
        ['ADULT_OFFENDING', 'DOMESTIC_ABUSE', 'INCIDENT', 'MISSING_EPISODE', 'POLICE_PROTECTION'].sort(),
      );
      expect(silent.every((n) => n.code === 'AGENCY_UNAVAILABLE' && /not empty/.test(n.message))).toBe(true);
    } finally {
      proxy.setMode({ kind: 'pass' });
    }
  });

  it('is one child’s under break-glass, and refused for a caseload', async () => {
    const emergency = await as('police-leicester-1', 'EMERGENCY', JUSTIFICATION);
    const one = await ask(CHRONOLOGY, { n: spanning.nhsNumber, agencies: ['health'] }, emergency);
    expect(chronologyOf(one).entries.length).toBeGreaterThan(0);
    const other = children.find((c) => c.nhsNumber !== spanning.nhsNumber && c.police)!;
    const many = await ask(
      `query($n: [ID!]!) { children(nhsNumbers: $n) { chronology { entries { date } } } }`,
      { n: [spanning.nhsNumber, other.nhsNumber] },
      emergency,
    );
    expect(many.status).toBe(403);
    expect(many.data ?? null).toBeNull();
    expect(many.errors![0]!.extensions!.code).toBe('BREAK_GLASS_ONE_CHILD');
  });
});

describe('a chronology asked for wrongly gets a clear error and asks no agency', () => {
  it.each([
    [{ since: '2026-13-01' }, /since must be a date, YYYY-MM-DD \(got "2026-13-01"\)/],
    [{ since: '2026-02-01', until: '2026-01-01' }, /since \(2026-02-01\) is after until \(2026-01-01\)/],
    [{ agencies: ['probation'] }, /no agency "probation".*education, family-help, health, police, social-care/],
    [{ kinds: ['ARREST'] }, /no kind "ARREST"/],
  ])('%j', async (variables, message) => {
    proxy.requests.length = 0;
    const result = await ask(
      CHRONOLOGY,
      { n: spanning.nhsNumber, ...variables },
      await as(namedOf(spanning, 'LCPP'), 'SECTION_47_ENQUIRY'),
    );
    expect(result.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' } });
    expect(result.errors![0]!.message).toMatch(message);
    expect(result.data ?? null).toBeNull();
    expect(proxy.requests.filter((r) => r.body.includes('_entities'))).toEqual([]);
  });

  it('refuses the gateway’s own hidden aliases', async () => {
    const result = await ask(
      `query($n: ID!) { child(nhsNumber: $n) { _macptChron0_0: police { name } chronology { entries { date } } } }`,
      { n: spanning.nhsNumber },
      await as(namedOf(spanning, 'LCPP'), 'SECTION_47_ENQUIRY'),
    );
    expect(result.errors?.[0]).toMatchObject({
      message: 'Aliases starting with "_macpt" are reserved by the gateway.',
      extensions: { code: 'BAD_USER_INPUT' },
    });
  });
});
