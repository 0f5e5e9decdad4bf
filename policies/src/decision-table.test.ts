import { describe, expect, it } from 'vitest';
import { PolicyEngine } from './engine.js';
import type { ChildAttributes, PolicyUser } from './relationship.js';
import type { Agency, DataClass, Purpose, Relationship, Role } from './vocabulary.js';

// DESIGN §4 written out by hand, one decision a row, the expected answer as data (never computed by
// the engine): role × relationship × purpose (supported by the case or not) × class × own or other
// agency × household flags × decisions not to share. Flags: `-` none; `F:<agency>` the household
// flagged by that agency; `U:<agency>` an agency that can flag households did not answer;
// `D:<agency>:<field or class>` a standing decision not to share by that agency. An expected
// `WITHHELD <RULE>` names the rule the withheld error must give (so a decision's name reveals nothing).
// The rules of the other doors (entry, decisions' views, overdue lists, notifications) are rows in
// telling.test.ts, in the same form.

const AGENCY: Record<Role, Agency> = {
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

type Row = [
  Role,
  Relationship,
  Purpose,
  'supported' | 'unsupported',
  string,
  string,
  'SEE' | 'WITHHELD' | `WITHHELD ${string}`,
];

const TABLE: Row[] = [
  // IDENTITY: any legitimate or team relationship, any purpose but IG_AUDIT, even one the case does not support.
  ['MACPT_POLICE', 'TEAM', 'STRATEGY_DISCUSSION', 'unsupported', 'HealthRecord.name', '-', 'SEE'],
  ['SCHOOL_DSL', 'DSL_ON_ROLL', 'MASH_TRIAGE', 'unsupported', 'HealthRecord.name', '-', 'SEE'],
  ['MACPT_HEALTH', 'NONE', 'SECTION_47_ENQUIRY', 'unsupported', 'HealthRecord.name', '-', 'WITHHELD'],
  ['LCPP', 'NAMED', 'IG_AUDIT', 'unsupported', 'HealthRecord.name', '-', 'WITHHELD'],
  ['IG_LEAD', 'NONE', 'IG_AUDIT', 'unsupported', 'HealthRecord.name', '-', 'WITHHELD'],
  // SAFEGUARDING: named workers, supported purposes but MASH triage.
  ['MACPT_HEALTH', 'NAMED', 'CP_PLAN_REVIEW', 'supported', 'PoliceRecord.incidents', '-', 'SEE'],
  ['MACPT_HEALTH', 'TEAM', 'CP_PLAN_REVIEW', 'supported', 'PoliceRecord.incidents', '-', 'WITHHELD'],
  ['MACPT_HEALTH', 'NAMED', 'MASH_TRIAGE', 'supported', 'PoliceRecord.incidents', '-', 'WITHHELD'],
  ['MACPT_HEALTH', 'NAMED', 'SECTION_47_ENQUIRY', 'unsupported', 'PoliceRecord.incidents', '-', 'WITHHELD'],
  // A DSL sees only Operation Encompass notifications of other agencies.
  ['SCHOOL_DSL', 'DSL_ON_ROLL', 'STRATEGY_DISCUSSION', 'supported', 'EncompassNotification.sentAt', '-', 'SEE'],
  ['SCHOOL_DSL', 'DSL_ON_ROLL', 'STRATEGY_DISCUSSION', 'supported', 'PoliceRecord.incidents', '-', 'WITHHELD'],
  ['SCHOOL_DSL', 'DSL_ON_ROLL', 'STRATEGY_DISCUSSION', 'unsupported', 'EncompassNotification.sentAt', '-', 'WITHHELD'],
  // SENSITIVE: named, role listed by the owner (the LCPP always), s47 or conference only.
  ['MACPT_HEALTH', 'NAMED', 'SECTION_47_ENQUIRY', 'supported', 'SocialCareRecord.caseNotes', '-', 'SEE'],
  ['MACPT_POLICE', 'NAMED', 'SECTION_47_ENQUIRY', 'supported', 'HealthRecord.camhs', '-', 'WITHHELD'],
  ['LCPP', 'NAMED', 'CHILD_PROTECTION_CONFERENCE', 'supported', 'HealthRecord.camhs', '-', 'SEE'],
  ['LCPP', 'NAMED', 'CP_PLAN_REVIEW', 'supported', 'HealthRecord.camhs', '-', 'WITHHELD'],
  ['LCPP', 'TEAM', 'SECTION_47_ENQUIRY', 'supported', 'HealthRecord.camhs', '-', 'WITHHELD'],
  // RESTRICTED: the owning agency's own staff only.
  ['MACPT_POLICE', 'NAMED', 'SECTION_47_ENQUIRY', 'supported', 'PoliceRecord.restrictedIntelligence', '-', 'SEE'],
  ['LCPP', 'NAMED', 'SECTION_47_ENQUIRY', 'supported', 'PoliceRecord.restrictedIntelligence', '-', 'WITHHELD'],
  // Own agency: every class, RESTRICTED included, for a relationship and a supported purpose; a DSL's own is their school.
  ['MACPT_HEALTH', 'TEAM', 'STRATEGY_DISCUSSION', 'supported', 'HealthRecord.camhs', '-', 'SEE'],
  ['MACPT_HEALTH', 'TEAM', 'STRATEGY_DISCUSSION', 'unsupported', 'HealthRecord.camhs', '-', 'WITHHELD'],
  ['SCHOOL_DSL', 'DSL_ON_ROLL', 'STRATEGY_DISCUSSION', 'supported', 'EducationRecord.pastoralNotes', '-', 'SEE'],
  ['SCHOOL_DSL', 'DSL_ON_ROLL', 'STRATEGY_DISCUSSION', 'unsupported', 'EducationRecord.attendance', '-', 'WITHHELD'],
  ['SCHOOL_DSL', 'NONE', 'STRATEGY_DISCUSSION', 'supported', 'EducationRecord.attendance', '-', 'WITHHELD'],
  // Break-glass, by every role: MACPT members get IDENTITY and SAFEGUARDING of every agency, with or without a
  // relationship; never SENSITIVE or RESTRICTED, their own agency's included. Anyone else gets nothing.
  ['LCPP', 'TEAM', 'EMERGENCY', 'unsupported', 'SocialCareRecord.caseNotes', '-', 'WITHHELD'],
  ['LCPP', 'NONE', 'EMERGENCY', 'unsupported', 'PoliceRecord.incidents', '-', 'SEE'],
  ['SOCIAL_WORKER', 'NONE', 'EMERGENCY', 'unsupported', 'HealthRecord.aeAttendances', '-', 'SEE'],
  ['SOCIAL_WORKER', 'NAMED', 'EMERGENCY', 'unsupported', 'SocialCareRecord.adoptionDetails', '-', 'WITHHELD'],
  ['MACPT_POLICE', 'NONE', 'EMERGENCY', 'unsupported', 'EducationRecord.attendance', '-', 'SEE'],
  ['MACPT_POLICE', 'NAMED', 'EMERGENCY', 'unsupported', 'PoliceRecord.restrictedIntelligence', '-', 'WITHHELD'],
  ['MACPT_POLICE', 'NAMED', 'EMERGENCY', 'unsupported', 'PoliceRecord.intelligence', '-', 'WITHHELD'],
  ['MACPT_HEALTH', 'NAMED', 'EMERGENCY', 'unsupported', 'HealthRecord.camhs', '-', 'WITHHELD'],
  ['MACPT_HEALTH', 'NAMED', 'EMERGENCY', 'unsupported', 'HealthRecord.householdMaternityConcerns', '-', 'WITHHELD'],
  ['MACPT_HEALTH', 'NONE', 'EMERGENCY', 'unsupported', 'HealthRecord.name', '-', 'SEE'],
  ['MACPT_EDUCATION', 'NONE', 'EMERGENCY', 'unsupported', 'SocialCareRecord.cpPlan', '-', 'SEE'],
  ['MACPT_EDUCATION', 'TEAM', 'EMERGENCY', 'unsupported', 'EducationRecord.senDetail', '-', 'WITHHELD'],
  ['SCHOOL_DSL', 'DSL_ON_ROLL', 'EMERGENCY', 'unsupported', 'EducationRecord.attendance', '-', 'WITHHELD'],
  ['SCHOOL_DSL', 'DSL_ON_ROLL', 'EMERGENCY', 'unsupported', 'EducationRecord.pastoralNotes', '-', 'WITHHELD'],
  ['SCHOOL_DSL', 'DSL_ON_ROLL', 'EMERGENCY', 'unsupported', 'HealthRecord.name', '-', 'WITHHELD'],
  ['IG_LEAD', 'NONE', 'EMERGENCY', 'unsupported', 'HealthRecord.name', '-', 'WITHHELD'],
  // Confidential location is the household's: withheld from everyone outside the flagging agency, in every
  // agency's data; an agency that can flag and did not answer counts as flagging.
  [
    'SCHOOL_DSL',
    'DSL_ON_ROLL',
    'STRATEGY_DISCUSSION',
    'supported',
    'EducationRecord.homeAddress',
    'F:social-care',
    'WITHHELD',
  ],
  ['SCHOOL_DSL', 'DSL_ON_ROLL', 'STRATEGY_DISCUSSION', 'supported', 'EducationRecord.homeAddress', '-', 'SEE'],
  ['LCPP', 'NAMED', 'CP_PLAN_REVIEW', 'supported', 'HealthRecord.address', 'F:police', 'WITHHELD'],
  ['LCPP', 'NAMED', 'CP_PLAN_REVIEW', 'supported', 'HealthRecord.address', 'U:police', 'WITHHELD'],
  ['LCPP', 'NAMED', 'CP_PLAN_REVIEW', 'supported', 'HealthRecord.name', 'U:police', 'SEE'],
  ['LCPP', 'NAMED', 'CP_PLAN_REVIEW', 'supported', 'SocialCareRecord.placementAddress', 'F:social-care', 'SEE'],
  ['LCPP', 'NAMED', 'CP_PLAN_REVIEW', 'supported', 'SocialCareRecord.placementAddress', 'F:health', 'WITHHELD'],
  ['MACPT_POLICE', 'NAMED', 'CP_PLAN_REVIEW', 'supported', 'PoliceIncident.location', 'F:police', 'SEE'],
  ['MACPT_POLICE', 'NAMED', 'CP_PLAN_REVIEW', 'supported', 'EducationRecord.homeAddress', 'F:police', 'SEE'],
  ['MACPT_POLICE', 'NAMED', 'CP_PLAN_REVIEW', 'supported', 'PoliceIncident.location', 'U:health', 'WITHHELD'],
  ['MACPT_HEALTH', 'NAMED', 'EMERGENCY', 'unsupported', 'EducationRecord.homeAddress', 'F:police', 'WITHHELD'],
  ['MACPT_HEALTH', 'NAMED', 'EMERGENCY', 'unsupported', 'EducationRecord.homeAddress', 'U:social-care', 'WITHHELD'],
  // A decision not to share withholds what it covers (by field or by class) from everyone outside the holding
  // agency; the withheld error names it only to someone told decisions exist, and only where the field would
  // otherwise show: elsewhere it names the rule that withholds the field anyway.
  [
    'MACPT_HEALTH',
    'NAMED',
    'SECTION_47_ENQUIRY',
    'supported',
    'PoliceRecord.incidents',
    'D:police:PoliceRecord.incidents',
    'WITHHELD DECISION_NOT_TO_SHARE',
  ],
  [
    'LCPP',
    'NAMED',
    'CP_PLAN_REVIEW',
    'supported',
    'PoliceRecord.incidents',
    'D:police:SAFEGUARDING',
    'WITHHELD DECISION_NOT_TO_SHARE',
  ],
  ['LCPP', 'NAMED', 'CP_PLAN_REVIEW', 'supported', 'HealthRecord.aeAttendances', 'D:police:SAFEGUARDING', 'SEE'],
  ['MACPT_POLICE', 'NAMED', 'CP_PLAN_REVIEW', 'supported', 'PoliceRecord.incidents', 'D:police:SAFEGUARDING', 'SEE'],
  [
    'LCPP',
    'NAMED',
    'SECTION_47_ENQUIRY',
    'supported',
    'PoliceRecord.householdOffending',
    'D:police:PoliceRecord.householdOffending',
    'WITHHELD DECISION_NOT_TO_SHARE',
  ],
  // Could not see it anyway: the rule that says so, never the decision.
  [
    'MACPT_HEALTH',
    'TEAM',
    'CP_PLAN_REVIEW',
    'supported',
    'PoliceRecord.incidents',
    'D:police:PoliceRecord.incidents',
    'WITHHELD SAFEGUARDING_NAMED_WORKERS_ONLY',
  ],
  [
    'MACPT_HEALTH',
    'NAMED',
    'MASH_TRIAGE',
    'supported',
    'PoliceRecord.incidents',
    'D:police:SAFEGUARDING',
    'WITHHELD MASH_TRIAGE_IDENTITY_ONLY',
  ],
  // A DSL is not told decisions exist: a covered Operation Encompass field is withheld by the holding agency.
  [
    'SCHOOL_DSL',
    'DSL_ON_ROLL',
    'STRATEGY_DISCUSSION',
    'supported',
    'EncompassNotification.sentAt',
    'D:police:SAFEGUARDING',
    'WITHHELD WITHHELD_BY_HOLDING_AGENCY',
  ],
  // Break-glass does not open what a decision covers.
  [
    'MACPT_HEALTH',
    'NONE',
    'EMERGENCY',
    'unsupported',
    'PoliceRecord.incidents',
    'D:police:PoliceRecord.incidents',
    'WITHHELD DECISION_NOT_TO_SHARE',
  ],
  // A Family Help lead practitioner (DESIGN §10): Family Help's own records of the families they lead, under an
  // active plan; other agencies' IDENTITY; nothing else of the MACPT's agencies, whatever the plan.
  [
    'FAMILY_HELP_PRACTITIONER',
    'LEAD_PRACTITIONER',
    'FAMILY_HELP_SUPPORT',
    'supported',
    'FamilyHelpPlan.goals',
    '-',
    'SEE',
  ],
  [
    'FAMILY_HELP_PRACTITIONER',
    'LEAD_PRACTITIONER',
    'FAMILY_HELP_SUPPORT',
    'supported',
    'FamilyHelpPlan.status',
    '-',
    'SEE',
  ],
  [
    'FAMILY_HELP_PRACTITIONER',
    'LEAD_PRACTITIONER',
    'FAMILY_HELP_SUPPORT',
    'supported',
    'HealthRecord.name',
    '-',
    'SEE',
  ],
  [
    'FAMILY_HELP_PRACTITIONER',
    'LEAD_PRACTITIONER',
    'FAMILY_HELP_SUPPORT',
    'supported',
    'PoliceRecord.incidents',
    '-',
    'WITHHELD FAMILY_HELP_IDENTITY_ONLY',
  ],
  [
    'FAMILY_HELP_PRACTITIONER',
    'LEAD_PRACTITIONER',
    'FAMILY_HELP_SUPPORT',
    'supported',
    'HealthRecord.camhs',
    '-',
    'WITHHELD FAMILY_HELP_IDENTITY_ONLY',
  ],
  [
    'FAMILY_HELP_PRACTITIONER',
    'LEAD_PRACTITIONER',
    'FAMILY_HELP_SUPPORT',
    'supported',
    'HealthRecord.confidentialSexualHealth',
    '-',
    'WITHHELD RESTRICTED_OWNER_ONLY',
  ],
  // A closed plan supports no work: IDENTITY only, of Family Help's records too.
  [
    'FAMILY_HELP_PRACTITIONER',
    'LEAD_PRACTITIONER',
    'FAMILY_HELP_SUPPORT',
    'unsupported',
    'FamilyHelpPlan.status',
    '-',
    'WITHHELD PURPOSE_NOT_SUPPORTED',
  ],
  [
    'FAMILY_HELP_PRACTITIONER',
    'LEAD_PRACTITIONER',
    'FAMILY_HELP_SUPPORT',
    'unsupported',
    'FamilyHelpRecord.name',
    '-',
    'SEE',
  ],
  // Another practitioner's family: nothing, not even a name.
  [
    'FAMILY_HELP_PRACTITIONER',
    'NONE',
    'FAMILY_HELP_SUPPORT',
    'supported',
    'FamilyHelpRecord.name',
    '-',
    'WITHHELD NO_LEGITIMATE_RELATIONSHIP',
  ],
  // The MACPT's purposes are its members'; FAMILY_HELP_SUPPORT is the lead practitioners'.
  [
    'FAMILY_HELP_PRACTITIONER',
    'LEAD_PRACTITIONER',
    'STRATEGY_DISCUSSION',
    'supported',
    'FamilyHelpRecord.name',
    '-',
    'WITHHELD FAMILY_HELP_SUPPORT_ONLY',
  ],
  [
    'SOCIAL_WORKER',
    'NAMED',
    'FAMILY_HELP_SUPPORT',
    'supported',
    'FamilyHelpRecord.name',
    '-',
    'WITHHELD FAMILY_HELP_SUPPORT_LEAD_PRACTITIONERS_ONLY',
  ],
  // A decision not to share by Family Help binds the MACPT; the lead practitioner's own agency's decision does not bind them.
  [
    'LCPP',
    'NAMED',
    'SECTION_47_ENQUIRY',
    'supported',
    'FamilyHelpPlan.goals',
    'D:family-help:SENSITIVE',
    'WITHHELD DECISION_NOT_TO_SHARE',
  ],
  [
    'FAMILY_HELP_PRACTITIONER',
    'LEAD_PRACTITIONER',
    'FAMILY_HELP_SUPPORT',
    'supported',
    'FamilyHelpPlan.goals',
    'D:family-help:SENSITIVE',
    'SEE',
  ],
];

const engine = new PolicyEngine();

describe('DESIGN §4, decision by decision, as written by hand', () => {
  it.each(TABLE)(
    '%s %s %s (%s) %s flags %s → %s',
    (role, relationship, purpose, support, coordinate, flags, expected) => {
      const user: PolicyUser = {
        id: `u-${role}`,
        role,
        agency: AGENCY[role],
        la: 'LEICESTER',
        school: role === 'SCHOOL_DSL' ? '910001' : null,
      };
      const [kind, agency, covers] = flags.split(':');
      const child: ChildAttributes = {
        relationship,
        purposeSupported: support === 'supported',
        confidentialBy: kind === 'F' ? [agency!] : [],
        locationUnverifiedBy: kind === 'U' ? [agency!] : [],
        ...(kind === 'D'
          ? {
              notShared: [
                covers!.includes('.')
                  ? { agency: agency!, fields: [covers!], classes: [] }
                  : { agency: agency!, fields: [], classes: [covers as DataClass] },
              ],
            }
          : {}),
      };
      const decision = engine.decide(user, purpose, coordinate, child);
      const seen = decision.allowed ? 'SEE' : 'WITHHELD';
      expect(expected.includes(' ') ? `${seen} ${decision.rule}` : seen, decision.rule).toBe(expected);
    },
  );
});
