import { describe, expect, it } from 'vitest';
import { PolicyEngine } from './engine.js';
import { loadNotificationRules, recipientUser } from './notification-rules.js';
import {
  admissionRefusal,
  deciderRefusal,
  decisionView,
  holdingAgencyRefusal,
  igSeesRecord,
  mayLearnChildUnknown,
  overdueListRefusal,
  type ChildAttributes,
  type PolicyUser,
} from './relationship.js';
import { AGENCIES_OF_ROLE, type Purpose, type Relationship, type Role } from './vocabulary.js';

// Issue 25: everything the system tells about a child beyond its fields — that it may be let in at all,
// what a decision not to share shows, who records one, who sees an overdue list, what a notification
// carries — is a rule here, written out by hand, one decision a row.

const engine = new PolicyEngine();
const user = (role: Role): PolicyUser => {
  const agencies = AGENCIES_OF_ROLE[role];
  return {
    id: `u-${role}`,
    role,
    agency: agencies === 'ANY' ? 'health' : agencies[0]!,
    la: role === 'IG_LEAD' ? null : 'LEICESTER',
    school: role === 'SCHOOL_DSL' ? '910001' : null,
  };
};
const child = (relationship: Relationship, purposeSupported = true, more: Partial<ChildAttributes> = {}) => ({
  relationship,
  purposeSupported,
  confidentialBy: [],
  locationUnverifiedBy: [],
  ...more,
});

describe('who is let in to a child', () => {
  it.each([
    // [role, purpose, relationship, more than one child, rule or null]
    ['MACPT_HEALTH', 'SECTION_47_ENQUIRY', 'TEAM', false, null],
    ['MACPT_HEALTH', 'SECTION_47_ENQUIRY', 'NONE', false, 'NO_LEGITIMATE_RELATIONSHIP'],
    ['MACPT_HEALTH', 'EMERGENCY', 'NONE', false, null],
    ['MACPT_HEALTH', 'EMERGENCY', 'NAMED', true, 'BREAK_GLASS_ONE_CHILD'],
    ['LCPP', 'STRATEGY_DISCUSSION', 'NAMED', true, null],
    ['SCHOOL_DSL', 'EMERGENCY', 'DSL_ON_ROLL', false, 'BREAK_GLASS_NOT_PERMITTED'],
    ['IG_LEAD', 'IG_AUDIT', 'NONE', false, 'IG_LEAD_NO_CHILD_RECORDS'],
    ['LCPP', 'IG_AUDIT', 'NAMED', false, 'IG_AUDIT_NO_CHILD_RECORDS'],
    ['FAMILY_HELP_PRACTITIONER', 'FAMILY_HELP_SUPPORT', 'LEAD_PRACTITIONER', false, null],
    ['FAMILY_HELP_PRACTITIONER', 'FAMILY_HELP_SUPPORT', 'LEAD_PRACTITIONER', true, null],
    ['FAMILY_HELP_PRACTITIONER', 'FAMILY_HELP_SUPPORT', 'NONE', false, 'NO_LEGITIMATE_RELATIONSHIP'],
    ['FAMILY_HELP_PRACTITIONER', 'SECTION_47_ENQUIRY', 'LEAD_PRACTITIONER', false, 'FAMILY_HELP_SUPPORT_ONLY'],
    ['FAMILY_HELP_PRACTITIONER', 'EMERGENCY', 'NONE', false, 'BREAK_GLASS_NOT_PERMITTED'],
    ['LCPP', 'FAMILY_HELP_SUPPORT', 'NAMED', false, 'FAMILY_HELP_SUPPORT_LEAD_PRACTITIONERS_ONLY'],
  ] as const)('%s for %s, %s, several children %s → %s', (role, purpose, relationship, many, rule) => {
    expect(admissionRefusal(user(role), purpose, { relationship, moreThanOneChild: many })).toBe(rule);
  });
});

describe('who learns that no agency knows a child', () => {
  it.each([
    // [role, break-glass, told "not found" rather than the unrelated child's answer]
    ['MACPT_HEALTH', true, true],
    ['MACPT_HEALTH', false, false],
    ['LCPP', false, false],
    ['SCHOOL_DSL', true, false],
    ['IG_LEAD', true, false],
  ] as const)('%s, break-glass %s → %s', (role, breakGlass, told) => {
    expect(mayLearnChildUnknown(user(role), breakGlass)).toBe(told);
  });
});

describe('who asks an agency about its decisions not to share', () => {
  it.each([
    ['health', 'health', null],
    ['police', 'health', 'NOT_HOLDING_AGENCY'],
    ['education', 'social-care', 'NOT_HOLDING_AGENCY'],
  ] as const)('staff of %s asking %s → %s', (own, agency, rule) => {
    expect(holdingAgencyRefusal({ agency: own }, agency)).toBe(rule);
  });
});

describe("what of the disclosure log an agency's IG lead sees", () => {
  it.each([
    // [IG lead's agency, agencies whose data the record names, the asker's agency (null: unknown caller), sees]
    ['health', ['health', 'police'], 'police', true],
    ['health', ['police'], 'health', true],
    ['health', ['police', 'education'], 'police', false],
    ['health', [], null, true],
    ['education', [], 'social-care', false],
  ] as const)('IG lead of %s, a record of %o asked by %s → %s', (agency, agencies, asker, sees) => {
    expect(igSeesRecord({ agency }, { agencies, user: asker === null ? null : { agency: asker } })).toBe(sees);
  });
});

describe('what a decision not to share shows', () => {
  it.each([
    // [role, purpose, relationship, of the holding agency, view]
    ['MACPT_POLICE', 'SECTION_47_ENQUIRY', 'NAMED', true, 'ALL'],
    ['MACPT_POLICE', 'SECTION_47_ENQUIRY', 'TEAM', true, 'ALL'],
    ['LCPP', 'SECTION_47_ENQUIRY', 'NAMED', false, 'EXISTS'],
    ['MACPT_HEALTH', 'STRATEGY_DISCUSSION', 'TEAM', false, 'EXISTS'],
    ['MACPT_HEALTH', 'EMERGENCY', 'NONE', false, 'EXISTS'],
    ['MACPT_POLICE', 'EMERGENCY', 'NAMED', true, 'EXISTS'],
    ['SCHOOL_DSL', 'STRATEGY_DISCUSSION', 'DSL_ON_ROLL', false, null],
    ['SCHOOL_DSL', 'STRATEGY_DISCUSSION', 'DSL_ON_ROLL', true, 'ALL'],
    ['MACPT_HEALTH', 'SECTION_47_ENQUIRY', 'NONE', false, null],
    ['IG_LEAD', 'IG_AUDIT', 'NONE', true, 'ALL'],
    ['IG_LEAD', 'IG_AUDIT', 'NONE', false, null],
    ['PARTNERSHIP_BOARD', 'STRATEGY_DISCUSSION', 'NONE', false, null],
    ['FAMILY_HELP_PRACTITIONER', 'FAMILY_HELP_SUPPORT', 'LEAD_PRACTITIONER', true, 'ALL'],
    ['FAMILY_HELP_PRACTITIONER', 'FAMILY_HELP_SUPPORT', 'LEAD_PRACTITIONER', false, null],
  ] as const)('%s for %s, %s, holding agency %s → %s', (role, purpose, relationship, own, view) => {
    expect(decisionView(user(role), purpose, { relationship, ownAgency: own })).toBe(view);
  });

  it('names itself in a withheld field only to those told decisions exist, and only where the field would show', () => {
    const notShared = [{ agency: 'police', fields: ['PoliceRecord.incidents'], classes: [] }];
    const decide = (
      role: Role,
      relationship: Relationship,
      coordinate: string,
      purpose: Purpose = 'SECTION_47_ENQUIRY',
    ) => engine.decide(user(role), purpose, coordinate, child(relationship, true, { notShared })).rule;
    expect(decide('LCPP', 'NAMED', 'PoliceRecord.incidents')).toBe('DECISION_NOT_TO_SHARE');
    // A team member could not see it anyway: the rule that says so, not the decision.
    expect(decide('MACPT_HEALTH', 'TEAM', 'PoliceRecord.incidents')).toBe('SAFEGUARDING_NAMED_WORKERS_ONLY');
    expect(decide('SCHOOL_DSL', 'DSL_ON_ROLL', 'PoliceRecord.incidents')).toBe('DSL_OPERATION_ENCOMPASS_ONLY');
    // A DSL who could see the field is not told of a decision either.
    const encompass = [{ agency: 'police', fields: [], classes: ['SAFEGUARDING' as const] }];
    const dsl = engine.decide(
      user('SCHOOL_DSL'),
      'STRATEGY_DISCUSSION',
      'EncompassNotification.sentAt',
      child('DSL_ON_ROLL', true, { notShared: encompass }),
    );
    expect(dsl).toMatchObject({ allowed: false, rule: 'WITHHELD_BY_HOLDING_AGENCY' });
  });

  it('reaches the household records of every child of the household', () => {
    expect(engine.householdReach('police', { fields: [], classes: ['SENSITIVE'] })).toEqual([
      'PoliceRecord.householdOffending',
    ]);
    expect(engine.householdReach('police', { fields: ['PoliceRecord.incidents'], classes: [] })).toEqual([]);
    expect(engine.householdReach('health', { fields: [], classes: ['SENSITIVE'] })).toEqual([
      'HealthRecord.householdMaternityConcerns',
    ]);
  });
});

describe('who records a decision not to share', () => {
  it.each([
    ['MACPT_POLICE', 'SECTION_47_ENQUIRY', 'NAMED', true, null],
    ['MACPT_POLICE', 'MASH_TRIAGE', 'TEAM', true, null],
    ['MACPT_POLICE', 'SECTION_47_ENQUIRY', 'NONE', true, 'NO_LEGITIMATE_RELATIONSHIP'],
    ['MACPT_POLICE', 'SECTION_47_ENQUIRY', 'NAMED', false, 'NOT_HOLDING_AGENCY'],
    ['MACPT_POLICE', 'EMERGENCY', 'NAMED', true, 'DECIDER_NOT_PERMITTED'],
    ['IG_LEAD', 'IG_AUDIT', 'NONE', true, 'DECIDER_NOT_PERMITTED'],
    ['FAMILY_HELP_PRACTITIONER', 'FAMILY_HELP_SUPPORT', 'LEAD_PRACTITIONER', true, null],
    ['FAMILY_HELP_PRACTITIONER', 'FAMILY_HELP_SUPPORT', 'NONE', true, 'NO_LEGITIMATE_RELATIONSHIP'],
    ['FAMILY_HELP_PRACTITIONER', 'STRATEGY_DISCUSSION', 'LEAD_PRACTITIONER', true, 'FAMILY_HELP_SUPPORT_ONLY'],
    ['SOCIAL_WORKER', 'FAMILY_HELP_SUPPORT', 'NAMED', true, 'FAMILY_HELP_SUPPORT_LEAD_PRACTITIONERS_ONLY'],
  ] as const)('%s for %s, %s, holding a record %s → %s', (role, purpose, relationship, holds, rule) => {
    expect(deciderRefusal(user(role), purpose, { relationship, holdsRecord: holds })).toBe(rule);
  });
});

describe("who sees an LA's overdue notifications", () => {
  it.each([
    ['LCPP', 'CP_PLAN_REVIEW', null],
    ['LCPP', 'IG_AUDIT', 'IG_AUDIT_NO_CHILD_RECORDS'],
    ['SOCIAL_WORKER', 'CP_PLAN_REVIEW', 'OVERDUE_LIST_LCPP_ONLY'],
    ['IG_LEAD', 'IG_AUDIT', 'OVERDUE_LIST_LCPP_ONLY'],
  ] as const)('%s for %s → %s', (role, purpose, rule) => {
    expect(overdueListRefusal(user(role), purpose)).toBe(rule);
  });
});

describe('a case stage is told only to those who may read it', () => {
  it.each([
    ['LCPP', 'NAMED', true],
    ['MACPT_HEALTH', 'NAMED', true],
    ['MACPT_HEALTH', 'TEAM', false],
    ['SCHOOL_DSL', 'DSL_ON_ROLL', false],
  ] as const)('%s, %s → %s', (role, relationship, told) => {
    expect(engine.mayKnowCaseStage(user(role), 'STRATEGY_DISCUSSION', child(relationship))).toBe(told);
  });

  it("never tells a team member, by a rule's name, whether the case supports the purpose", () => {
    const ruleOf = (coordinate: string, supported: boolean) =>
      engine.decide(user('MACPT_HEALTH'), 'STRATEGY_DISCUSSION', coordinate, child('TEAM', supported)).rule;
    for (const coordinate of ['PoliceRecord.incidents', 'PoliceRecord.intelligence', 'EducationRecord.attendance'])
      expect(ruleOf(coordinate, false), coordinate).toBe(ruleOf(coordinate, true));
  });
});

describe('what a notification tells whom (decided as a query, under NOTIFICATION)', () => {
  const rules = loadNotificationRules();
  const rule = (id: string) => rules.find((r) => r.id === id)!;
  const openCase = {
    la: 'LEICESTER',
    namedWorkerRoles: { 'health-leicester-1': 'MACPT_HEALTH', 'lcpp-leicester': 'LCPP' },
  };

  it.each([
    // [rule, event, address, relationship the facts give, told, fields]
    [
      'CP_PLAN_CHANGE',
      'cp-plan-started',
      { kind: 'user', id: 'health-leicester-1' },
      'NAMED',
      true,
      ['category', 'date'],
    ],
    ['CP_PLAN_CHANGE', 'cp-plan-started', { kind: 'role', role: 'MACPT_HEALTH', la: 'LEICESTER' }, 'TEAM', false, []],
    [
      'CP_IS_UNSCHEDULED_CARE',
      'ae-attendance',
      { kind: 'user', id: 'lcpp-leicester' },
      'NAMED',
      true,
      ['date', 'hospital', 'injuryCode'],
    ],
    ['CP_IS_UNSCHEDULED_CARE', 'ae-attendance', { kind: 'role', role: 'LCPP', la: 'LEICESTER' }, 'TEAM', false, []],
    [
      'OPERATION_ENCOMPASS',
      'domestic-abuse-incident',
      { kind: 'role', role: 'SCHOOL_DSL', school: '910001' },
      'DSL_ON_ROLL',
      true,
      ['date', 'riskLevel'],
    ],
    ['OPERATION_ENCOMPASS', 'domestic-abuse-incident', { kind: 'user', id: 'unknown-worker' }, 'NAMED', false, []],
  ] as const)('%s (%s) to %o, %s → told %s %o', (id, event, to, relationship, told, fields) => {
    const recipient = recipientUser(to, openCase);
    const got = recipient
      ? engine.notification(recipient, rule(id), event, child(relationship, relationship !== 'DSL_ON_ROLL'))
      : { told: false, fields: [] };
    expect([got.told, [...got.fields].sort()]).toEqual([told, fields]);
  });

  it.each([
    ['a rule for every event', 'always', null, {}, true],
    ['a rule for children on a plan, the child on one', 'child-on-cp-plan', 'CP_PLAN', {}, true],
    ['a rule for children on a plan, the child at section 47', 'child-on-cp-plan', 'SECTION_47', {}, false],
    ['a rule for children on a plan, no open case', 'child-on-cp-plan', null, {}, false],
    ['a rule for incidents the child was present at, present', 'child-present', null, { childPresent: true }, true],
    ['a rule for incidents the child was present at, not said', 'child-present', 'CP_PLAN', {}, false],
    [
      'a rule for incidents the child was present at, "true" as text',
      'child-present',
      null,
      { childPresent: 'true' },
      false,
    ],
  ] as const)('applies %s: %s', (_, when, stage, detail, applies) => {
    const any = rules.find((r) => r.when === when) ?? { ...rules[0]!, when };
    expect(engine.notificationApplies(any, stage, detail)).toBe(applies);
  });

  it('tells nothing a decision not to share covers, and names every field it carries by its published coordinate', () => {
    const recipient = recipientUser({ kind: 'user', id: 'lcpp-leicester' }, openCase)!;
    const notShared = [{ agency: 'health', fields: ['HealthRecord.aeAttendances'], classes: [] }];
    expect(
      engine.notification(
        recipient,
        rule('CP_IS_UNSCHEDULED_CARE'),
        'ae-attendance',
        child('NAMED', true, { notShared }),
      ).told,
    ).toBe(false);
    for (const r of rules)
      for (const coordinate of [...Object.values(r.events), ...Object.values(r.fields)])
        expect(engine.fieldRule(coordinate)?.agency, `${r.id}: ${coordinate}`).toBe(r.agency);
  });
});
