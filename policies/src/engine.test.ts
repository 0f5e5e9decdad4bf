import { describe, expect, it } from 'vitest';
import { referenceAllows, type RefRelationship } from '../../test/reference-policy.js';
import { compileRules } from './compile.js';
import { PolicyEngine, POLICIES } from './engine.js';
import { CLASSES, PURPOSES, ROLES, type Agency, type PolicyUser } from './index.js';

const engine = new PolicyEngine();
const AGENCY_OF_ROLE: Record<string, Agency> = {
  LCPP: 'social-care',
  SOCIAL_WORKER: 'social-care',
  MACPT_POLICE: 'police',
  MACPT_HEALTH: 'health',
  MACPT_EDUCATION: 'education',
  SCHOOL_DSL: 'education',
  IG_LEAD: 'health',
  PARTNERSHIP_BOARD: 'social-care',
  FAMILY_HELP_PRACTITIONER: 'family-help',
};
const userFor = (role: string): PolicyUser => ({
  id: `u-${role}`,
  role: role as PolicyUser['role'],
  agency: AGENCY_OF_ROLE[role]!,
  la: 'LEICESTER',
  school: role === 'SCHOOL_DSL' ? '910001' : null,
});
const RELATIONSHIPS: RefRelationship[] = ['NAMED', 'TEAM', 'DSL_ON_ROLL', 'LEAD_PRACTITIONER', 'NONE'];

/** Cells the world cannot produce: no case supports EMERGENCY or IG_AUDIT; only DSLs have pupils, only lead practitioners families. */
function possible(role: string, purpose: string, rel: RefRelationship, ps: boolean): boolean {
  if (purpose === 'EMERGENCY' && ps) return false;
  if (purpose === 'IG_AUDIT' && ps) return false;
  if (role === 'SCHOOL_DSL') return rel === 'DSL_ON_ROLL' || rel === 'NONE';
  if (role === 'FAMILY_HELP_PRACTITIONER') return rel === 'LEAD_PRACTITIONER' || rel === 'NONE';
  if (role === 'IG_LEAD' || role === 'PARTNERSHIP_BOARD') return rel === 'NONE';
  return rel !== 'DSL_ON_ROLL' && rel !== 'LEAD_PRACTITIONER';
}

describe('the compiled matrix agrees with an independent reading of DESIGN section 4', () => {
  // Every role × purpose × class × owning agency × relationship × purpose support × field kind × location flag.
  const cells: [string, string, string, Agency, RefRelationship, boolean, string, string][] = [];
  for (const role of ROLES)
    for (const purpose of PURPOSES)
      for (const cls of CLASSES)
        for (const policy of POLICIES)
          for (const rel of RELATIONSHIPS)
            for (const ps of [true, false])
              for (const kind of ['plain', 'location', 'encompass'])
                for (const flag of ['', 'police', 'health', 'unanswered-police'])
                  if (possible(role, purpose, rel, ps))
                    cells.push([role, purpose, cls, policy.agency, rel, ps, kind, flag]);

  it(`decides all ${cells.length} cells as the design says`, () => {
    const wrong: string[] = [];
    for (const [role, purpose, cls, owner, relationship, purposeSupported, kind, flag] of cells) {
      const coordinate = Object.entries(POLICIES.find((p) => p.agency === owner)!.fields).find(
        ([c, r]) =>
          c !== 'Child.nhsNumber' &&
          r.class === cls &&
          (kind === 'location' ? r.location : kind === 'encompass' ? r.encompass : !r.location && !r.encompass),
      )?.[0];
      if (!coordinate) continue; // that agency publishes no field of this kind and class
      const child = {
        relationship,
        purposeSupported,
        confidentialBy: flag === 'police' || flag === 'health' ? [flag] : [],
        locationUnverifiedBy: flag === 'unanswered-police' ? ['police'] : [],
      };
      const user = userFor(role);
      const got = engine.decide(user, purpose, coordinate, child);
      const want = referenceAllows(
        user,
        purpose,
        { class: cls, owner, location: kind === 'location', encompass: kind === 'encompass' },
        child,
      );
      if (got.allowed !== want)
        wrong.push(
          `${role} ${purpose} ${coordinate} ${relationship} ps=${purposeSupported} flag=${flag}: got ${got.allowed} (${got.rule}), design says ${want}`,
        );
    }
    expect(wrong).toEqual([]);
  });
});

describe('a decision not to share', () => {
  const decided = { agency: 'police', fields: ['PoliceRecord.missingEpisodes'], classes: ['SENSITIVE' as const] };
  const child = {
    relationship: 'NAMED' as const,
    purposeSupported: true,
    confidentialBy: [],
    locationUnverifiedBy: [],
    notShared: [decided],
  };
  it.each([
    // [role, coordinate, allowed, rule]
    ['LCPP', 'PoliceRecord.missingEpisodes', false, 'DECISION_NOT_TO_SHARE'],
    ['LCPP', 'PoliceRecord.householdOffending', false, 'DECISION_NOT_TO_SHARE'],
    ['LCPP', 'PoliceRecord.incidents', true, 'SAFEGUARDING_NAMED_WORKER'],
    ['MACPT_HEALTH', 'PoliceRecord.missingEpisodes', false, 'DECISION_NOT_TO_SHARE'],
    // The holding agency's own staff still see what it holds.
    ['MACPT_POLICE', 'PoliceRecord.missingEpisodes', true, 'SAFEGUARDING_NAMED_WORKER'],
    ['MACPT_POLICE', 'PoliceRecord.householdOffending', true, 'SENSITIVE_NAMED_LISTED_ROLE'],
  ] as const)('%s reading %s: allowed %s (%s)', (role, coordinate, allowed, rule) => {
    expect(engine.fieldRule(coordinate)?.agency).toBe('police');
    const got = engine.decide(userFor(role), 'SECTION_47_ENQUIRY', coordinate, child);
    expect([got.allowed, got.rule]).toEqual([allowed, rule]);
  });
  it('holds under break-glass too, and does not leak into a child without the decision', () => {
    const user = userFor('SOCIAL_WORKER');
    expect(
      engine.decide(user, 'EMERGENCY', 'PoliceRecord.missingEpisodes', {
        ...child,
        relationship: 'NONE',
        purposeSupported: false,
      }).rule,
    ).toBe('DECISION_NOT_TO_SHARE');
    const { notShared: _none, ...plain } = child;
    expect(engine.decide(userFor('LCPP'), 'SECTION_47_ENQUIRY', 'PoliceRecord.missingEpisodes', plain).allowed).toBe(
      true,
    );
  });
  it('names the fields it covers for removal before planning', () => {
    const fields = engine.coveredFields([decided]);
    expect(fields).toContain('PoliceRecord.missingEpisodes');
    expect(fields).toContain('PoliceRecord.householdOffending');
    expect(fields.every((f) => engine.fieldRule(f)?.agency === 'police')).toBe(true);
  });
});

describe('rules a user gets', () => {
  it.each([
    [
      'MACPT_HEALTH',
      'SECTION_47_ENQUIRY',
      ['IDENTITY_WITH_RELATIONSHIP', 'OWN_AGENCY', 'SAFEGUARDING_NAMED_WORKER', 'SENSITIVE_NAMED_LISTED_ROLE'],
    ],
    ['MACPT_HEALTH', 'MASH_TRIAGE', ['IDENTITY_WITH_RELATIONSHIP', 'OWN_AGENCY']],
    ['MACPT_POLICE', 'EMERGENCY', ['IDENTITY_WITH_RELATIONSHIP', 'OWN_AGENCY', 'BREAK_GLASS']],
    ['SCHOOL_DSL', 'CP_PLAN_REVIEW', ['IDENTITY_WITH_RELATIONSHIP', 'OWN_AGENCY', 'DSL_OPERATION_ENCOMPASS']],
    ['SCHOOL_DSL', 'EMERGENCY', []],
    ['LCPP', 'IG_AUDIT', []],
    ['IG_LEAD', 'IG_AUDIT', []],
  ])('%s for %s is granted %j', (role, purpose, grants) => {
    const rules = compileRules(userFor(role), purpose as never, POLICIES);
    expect(rules.filter((r) => !r.inverted).map((r) => r.reason)).toEqual(grants);
  });

  it('lets only LCPPs and the roles an agency lists see its SENSITIVE data', () => {
    const sensitive = (role: string) =>
      compileRules(userFor(role), 'SECTION_47_ENQUIRY', POLICIES).find(
        (r) => r.reason === 'SENSITIVE_NAMED_LISTED_ROLE',
      )?.conditions;
    expect(sensitive('LCPP')).toMatchObject({
      owner: { $in: ['social-care', 'health', 'police', 'education', 'family-help'] },
    });
    expect(sensitive('MACPT_HEALTH')).toMatchObject({ owner: { $in: ['social-care', 'health'] } });
    expect(sensitive('SOCIAL_WORKER')).toMatchObject({
      owner: { $in: ['social-care', 'police', 'education', 'family-help'] },
    });
  });

  it('compiles once per role, agency and purpose', () => {
    const a = engine.policyFor(userFor('LCPP'), 'STRATEGY_DISCUSSION');
    const b = engine.policyFor({ ...userFor('LCPP'), id: 'someone-else' }, 'STRATEGY_DISCUSSION');
    expect(a).toBe(b);
  });
});

describe('rule names', () => {
  const named = {
    relationship: 'NAMED' as const,
    purposeSupported: true,
    confidentialBy: [],
    locationUnverifiedBy: [],
  };
  it.each([
    ['MACPT_POLICE', 'STRATEGY_DISCUSSION', 'HealthRecord.camhs', named, 'SENSITIVE_PURPOSE'],
    ['MACPT_POLICE', 'SECTION_47_ENQUIRY', 'HealthRecord.camhs', named, 'SENSITIVE_ROLE_NOT_LISTED'],
    ['MACPT_HEALTH', 'SECTION_47_ENQUIRY', 'PoliceRecord.restrictedIntelligence', named, 'RESTRICTED_OWNER_ONLY'],
    [
      'MACPT_HEALTH',
      'SECTION_47_ENQUIRY',
      'PoliceRecord.incidents',
      { ...named, relationship: 'TEAM' as const },
      'SAFEGUARDING_NAMED_WORKERS_ONLY',
    ],
    [
      'MACPT_HEALTH',
      'SECTION_47_ENQUIRY',
      'PoliceRecord.incidents',
      { ...named, purposeSupported: false },
      'PURPOSE_NOT_SUPPORTED',
    ],
    ['MACPT_HEALTH', 'MASH_TRIAGE', 'PoliceRecord.incidents', named, 'MASH_TRIAGE_IDENTITY_ONLY'],
    [
      'MACPT_HEALTH',
      'SECTION_47_ENQUIRY',
      'HealthRecord.name',
      { ...named, relationship: 'NONE' as const },
      'NO_LEGITIMATE_RELATIONSHIP',
    ],
    [
      'MACPT_POLICE',
      'SECTION_47_ENQUIRY',
      'HealthRecord.address',
      { ...named, confidentialBy: ['health'] },
      'CONFIDENTIAL_LOCATION',
    ],
    [
      'MACPT_HEALTH',
      'SECTION_47_ENQUIRY',
      'HealthRecord.address',
      { ...named, confidentialBy: ['health'] },
      'OWN_AGENCY',
    ],
    [
      'SCHOOL_DSL',
      'CP_PLAN_REVIEW',
      'PoliceRecord.incidents',
      { ...named, relationship: 'DSL_ON_ROLL' as const },
      'DSL_OPERATION_ENCOMPASS_ONLY',
    ],
    [
      'SCHOOL_DSL',
      'CP_PLAN_REVIEW',
      'EncompassNotification.sentAt',
      { ...named, relationship: 'DSL_ON_ROLL' as const },
      'DSL_OPERATION_ENCOMPASS',
    ],
    [
      'MACPT_POLICE',
      'EMERGENCY',
      'HealthRecord.aeAttendances',
      { ...named, relationship: 'NONE' as const },
      'BREAK_GLASS',
    ],
    [
      'MACPT_POLICE',
      'EMERGENCY',
      'HealthRecord.confidentialSexualHealth',
      { ...named, relationship: 'NONE' as const },
      'RESTRICTED_OWNER_ONLY',
    ],
    [
      'MACPT_POLICE',
      'EMERGENCY',
      'PoliceRecord.restrictedIntelligence',
      { ...named, purposeSupported: false },
      'BREAK_GLASS_IDENTITY_SAFEGUARDING_ONLY',
    ],
    [
      'MACPT_HEALTH',
      'EMERGENCY',
      'HealthRecord.camhs',
      { ...named, purposeSupported: false },
      'BREAK_GLASS_IDENTITY_SAFEGUARDING_ONLY',
    ],
    [
      'MACPT_POLICE',
      'SECTION_47_ENQUIRY',
      'HealthRecord.address',
      { ...named, locationUnverifiedBy: ['social-care'] },
      'LOCATION_FLAG_UNVERIFIED',
    ],
    [
      'MACPT_POLICE',
      'SECTION_47_ENQUIRY',
      'EducationRecord.homeAddress',
      { ...named, confidentialBy: ['police', 'health'] },
      'CONFIDENTIAL_LOCATION',
    ],
    ['IG_LEAD', 'IG_AUDIT', 'HealthRecord.name', named, 'IG_LEAD_NO_CHILD_RECORDS'],
    ['LCPP', 'STRATEGY_DISCUSSION', 'HealthRecord.noSuchField', named, 'UNCLASSIFIED'],
  ])('%s / %s / %s → %s', (role, purpose, coordinate, child, rule) => {
    expect(engine.decide(userFor(role), purpose as never, coordinate, child).rule).toBe(rule);
  });
});

describe('fields a role and purpose can never see', () => {
  it('are RESTRICTED data of other agencies, and everything for an IG lead', () => {
    expect(
      engine.neverVisible(userFor('MACPT_HEALTH'), 'SECTION_47_ENQUIRY', 'PoliceRecord.restrictedIntelligence'),
    ).toBe(true);
    expect(
      engine.neverVisible(userFor('MACPT_POLICE'), 'SECTION_47_ENQUIRY', 'PoliceRecord.restrictedIntelligence'),
    ).toBe(false);
    expect(engine.neverVisible(userFor('MACPT_POLICE'), 'STRATEGY_DISCUSSION', 'HealthRecord.camhs')).toBe(true);
    expect(engine.neverVisible(userFor('MACPT_POLICE'), 'SECTION_47_ENQUIRY', 'HealthRecord.aeAttendances')).toBe(
      false,
    );
    expect(engine.neverVisible(userFor('IG_LEAD'), 'IG_AUDIT', 'HealthRecord.name')).toBe(true);
  });
});

describe('a policy file change', () => {
  it('changes what a persona sees with no code change: reclassifying A&E attendances as SENSITIVE', () => {
    const named = {
      relationship: 'NAMED' as const,
      purposeSupported: true,
      confidentialBy: [],
      locationUnverifiedBy: [],
    };
    const reclassified = POLICIES.map((p) =>
      p.agency === 'health'
        ? { ...p, fields: { ...p.fields, 'HealthRecord.aeAttendances': { class: 'SENSITIVE' as const } } }
        : p,
    );
    const before = new PolicyEngine(POLICIES).decide(
      userFor('MACPT_POLICE'),
      'STRATEGY_DISCUSSION',
      'HealthRecord.aeAttendances',
      named,
    );
    const after = new PolicyEngine(reclassified).decide(
      userFor('MACPT_POLICE'),
      'STRATEGY_DISCUSSION',
      'HealthRecord.aeAttendances',
      named,
    );
    expect([before.allowed, after.allowed, after.rule]).toEqual([true, false, 'SENSITIVE_PURPOSE']);
  });
});

describe('field masks (decisions once per shape)', () => {
  const flags = [[], ['social-care'], ['police']] as const;
  const shapes = RELATIONSHIPS.flatMap((relationship) =>
    [true, false].flatMap((purposeSupported) =>
      flags.flatMap((confidentialBy) =>
        flags.map((locationUnverifiedBy) => ({ relationship, purposeSupported, confidentialBy, locationUnverifiedBy })),
      ),
    ),
  );
  const coordinates = POLICIES.flatMap((p) => Object.keys(p.fields));

  it('decide every field exactly as the engine does, for every role and shape of child', () => {
    let compared = 0;
    for (const role of ROLES)
      for (const child of shapes) {
        const user = userFor(role);
        const mask = engine.mask(user, 'SECTION_47_ENQUIRY', child);
        for (const coordinate of coordinates) {
          expect(mask.decide(coordinate)).toEqual(engine.decide(user, 'SECTION_47_ENQUIRY', coordinate, child));
          compared++;
        }
      }
    expect(compared).toBeGreaterThan(10_000);
  });

  it('are shared by children of one shape and users of one role, never across what a decision depends on', () => {
    const child = {
      relationship: 'NAMED' as const,
      purposeSupported: true,
      confidentialBy: [],
      locationUnverifiedBy: [],
    };
    const officer = userFor('MACPT_POLICE');
    const mask = engine.mask(officer, 'SECTION_47_ENQUIRY', child);
    expect(engine.mask({ ...officer, id: 'another-officer' }, 'SECTION_47_ENQUIRY', { ...child })).toBe(mask);
    expect(engine.mask(officer, 'EMERGENCY', child)).not.toBe(mask);
    expect(engine.mask(userFor('MACPT_HEALTH'), 'SECTION_47_ENQUIRY', child)).not.toBe(mask);
    expect(engine.mask(officer, 'SECTION_47_ENQUIRY', { ...child, confidentialBy: ['social-care'] })).not.toBe(mask);
    // The user's own agency's flag does not bind its own staff: the same decisions as no flag at all.
    expect(engine.mask(officer, 'SECTION_47_ENQUIRY', { ...child, confidentialBy: ['police'] })).toBe(mask);
    const decided = { agency: 'health', fields: ['HealthRecord.camhs'], classes: [] };
    const notShared = engine.mask(officer, 'SECTION_47_ENQUIRY', { ...child, notShared: [decided] });
    expect(notShared).not.toBe(engine.mask(officer, 'SECTION_47_ENQUIRY', { ...child, notShared: [decided] }));
  });

  it('are dropped with the policies they were made under', () => {
    const own = new PolicyEngine();
    const child = {
      relationship: 'NAMED' as const,
      purposeSupported: true,
      confidentialBy: [],
      locationUnverifiedBy: [],
    };
    const before = own.mask(userFor('LCPP'), 'SECTION_47_ENQUIRY', child);
    own.replace(POLICIES);
    expect(own.mask(userFor('LCPP'), 'SECTION_47_ENQUIRY', child)).not.toBe(before);
  });
});
