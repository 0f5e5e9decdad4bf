import type { CaseStage, DataClass, FamilyPlanStatus, Purpose, Relationship, Role } from './vocabulary.js';
import { MACPT_ROLES, NOTIFICATION_PURPOSE } from './vocabulary.js';

/** Who may state EMERGENCY (break-glass): MACPT members of any LLR LA. Anyone else is refused, and the refusal logged. */
export const BREAK_GLASS_ROLES: readonly Role[] = MACPT_ROLES;

/** Who may list an LA's MACPT cases (`cases(la)`): that LA's MACPT members. Each case's fields are then decided per child. */
export const CASELOAD_ROLES: readonly Role[] = MACPT_ROLES;

/** A rule over who a user is and why they ask, before any child is looked at. */
export interface EntryRule {
  id: string;
  /** The rule applies to these roles (all when absent)… */
  roles?: readonly Role[];
  /** …except these… */
  exceptRoles?: readonly Role[];
  /** …stating these purposes (any when absent)… */
  purposes?: readonly Purpose[];
  /** …but none of these. */
  exceptPurposes?: readonly Purpose[];
}

/**
 * Family Help works with a family under its plan (Children Act 1989 s.17), outside the MACPT's enquiries: its
 * lead practitioners state FAMILY_HELP_SUPPORT and nothing else, and no one else states it.
 */
const FAMILY_HELP_PURPOSE: readonly EntryRule[] = [
  { id: 'FAMILY_HELP_SUPPORT_ONLY', roles: ['FAMILY_HELP_PRACTITIONER'], exceptPurposes: ['FAMILY_HELP_SUPPORT'] },
  {
    id: 'FAMILY_HELP_SUPPORT_LEAD_PRACTITIONERS_ONLY',
    purposes: ['FAMILY_HELP_SUPPORT'],
    exceptRoles: ['FAMILY_HELP_PRACTITIONER'],
  },
];

/** Who may not open child records at all, whatever the child: the first row that applies refuses. */
export const ENTRY_REFUSALS: readonly EntryRule[] = [
  { id: 'BREAK_GLASS_NOT_PERMITTED', purposes: ['EMERGENCY'], exceptRoles: BREAK_GLASS_ROLES },
  { id: 'IG_LEAD_NO_CHILD_RECORDS', roles: ['IG_LEAD'] },
  { id: 'PARTNERSHIP_BOARD_AGGREGATES_ONLY', roles: ['PARTNERSHIP_BOARD'] },
  { id: 'IG_AUDIT_NO_CHILD_RECORDS', purposes: ['IG_AUDIT'] },
  ...FAMILY_HELP_PURPOSE,
];

/** Who may list an LA's cases: its MACPT members (the LA must be the user's own). */
export const CASELOAD_REFUSALS: readonly EntryRule[] = [
  { id: 'CASELOAD_OWN_LA_MACPT_ONLY', exceptRoles: CASELOAD_ROLES },
];

/** Who may see an LA's partnership figures (aggregates, small numbers suppressed): its LCPP and its partnership board. */
export const FIGURES_ROLES: readonly Role[] = ['LCPP', 'PARTNERSHIP_BOARD'];

/** Who may review the disclosure log: IG leads, stating IG_AUDIT. */
export const AUDIT_REFUSALS: readonly EntryRule[] = [
  { id: 'IG_LEADS_ONLY', exceptRoles: ['IG_LEAD'] },
  { id: 'IG_LEADS_ONLY', exceptPurposes: ['IG_AUDIT'] },
];

/** A rule about a child as a whole (before any of its fields): who is let in, who is told of a decision, … */
export interface ChildRule extends EntryRule {
  /** …when the user's relationship with the child is one of these… */
  relationship?: readonly Relationship[];
  /** …when the request names more than one child… */
  moreThanOneChild?: boolean;
  /** …when the user is (true) or is not (false) of the agency the rule is about… */
  ownAgency?: boolean;
  /** …when that agency holds (true) or does not hold (false) a record of the child. */
  holdsRecord?: boolean;
}

/**
 * Who is let in to a child at all, at every entry point and in every answer that says something about
 * one (DESIGN section 4): the first row that applies refuses, with its id as the rule.
 */
export const ADMISSION_REFUSALS: readonly ChildRule[] = [
  // Break-glass is for one child: a caseload or a list under EMERGENCY is refused whole, and recorded.
  { id: 'BREAK_GLASS_ONE_CHILD', purposes: ['EMERGENCY'], moreThanOneChild: true },
  { id: 'NO_LEGITIMATE_RELATIONSHIP', exceptPurposes: ['EMERGENCY'], relationship: ['NONE'] },
];

/** What each audience is told of a decision not to share (DESIGN section 8). */
export const DECISION_VIEWS = {
  /** The holding agency's own staff with a relationship, and its IG lead: all of it. */
  ALL: [
    'id',
    'nhsNumber',
    'agency',
    'reason',
    'reasonText',
    'decidedBy',
    'decidedAt',
    'reviewBy',
    'overdue',
    'status',
    'fields',
    'classes',
    'history',
  ],
  /** The rest of the MACPT: that a decision exists, the agency, the review date and whom to ask (who decided). */
  EXISTS: ['id', 'nhsNumber', 'agency', 'decidedBy', 'reviewBy', 'overdue', 'status'],
} as const;
export type DecisionView = keyof typeof DECISION_VIEWS;

/** Who is told what of a decision: the first row that applies gives the view; none applying, nothing at all. */
export const DECISION_AUDIENCES: readonly (ChildRule & { view: DecisionView })[] = [
  // Break-glass shows that a decision exists, never its content, whoever asks.
  { id: 'DECISION_EXISTS_BREAK_GLASS', view: 'EXISTS', roles: MACPT_ROLES, purposes: ['EMERGENCY'] },
  { id: 'DECISION_HOLDING_AGENCY_IG', view: 'ALL', roles: ['IG_LEAD'], purposes: ['IG_AUDIT'], ownAgency: true },
  {
    id: 'DECISION_HOLDING_AGENCY',
    view: 'ALL',
    exceptRoles: ['IG_LEAD', 'PARTNERSHIP_BOARD'],
    exceptPurposes: ['IG_AUDIT'],
    ownAgency: true,
    relationship: ['NAMED', 'TEAM', 'DSL_ON_ROLL', 'LEAD_PRACTITIONER'],
  },
  {
    id: 'DECISION_EXISTS_MACPT',
    view: 'EXISTS',
    roles: MACPT_ROLES,
    exceptPurposes: ['IG_AUDIT'],
    relationship: ['NAMED', 'TEAM'],
  },
];

/** Who may record, keep or withdraw a decision not to share: the first row that applies refuses. */
export const DECIDER_REFUSALS: readonly ChildRule[] = [
  { id: 'DECIDER_NOT_PERMITTED', roles: ['IG_LEAD', 'PARTNERSHIP_BOARD'] },
  { id: 'DECIDER_NOT_PERMITTED', purposes: ['IG_AUDIT', 'EMERGENCY'] },
  ...FAMILY_HELP_PURPOSE,
  { id: 'NO_LEGITIMATE_RELATIONSHIP', relationship: ['NONE'] },
  { id: 'NOT_HOLDING_AGENCY', holdsRecord: false },
];

/** Who sees an LA's list of overdue notifications (each item then decided for its child like a field). */
export const OVERDUE_LIST_REFUSALS: readonly ChildRule[] = [
  { id: 'OVERDUE_LIST_LCPP_ONLY', exceptRoles: ['LCPP'] },
  { id: 'IG_AUDIT_NO_CHILD_RECORDS', purposes: ['IG_AUDIT'] },
];

// DESIGN section 4 as data. `compile.ts` turns these into CASL rules for one (user, purpose).

/**
 * The case stages at which each purpose of use is valid for a child. `NONE`: no child data at all.
 * EMERGENCY is supported by no stage: break-glass is its own grant, never "a purpose the case supports".
 * FAMILY_HELP_SUPPORT is supported by no MACPT case: by the family's Family Help plan, in these statuses.
 */
export const PURPOSE_NEEDS: Record<
  Purpose,
  { stages: readonly CaseStage[] | 'NONE'; planStatuses?: readonly FamilyPlanStatus[]; explanation: string }
> = {
  STRATEGY_DISCUSSION: {
    stages: ['STRATEGY_DISCUSSION', 'SECTION_47', 'CONFERENCE', 'CP_PLAN'],
    explanation: 'needs an open case that has reached a strategy discussion',
  },
  SECTION_47_ENQUIRY: { stages: ['SECTION_47'], explanation: 'needs an open section 47 enquiry' },
  CHILD_PROTECTION_CONFERENCE: {
    stages: ['CONFERENCE', 'CP_PLAN'],
    explanation: 'needs an initial or review child protection conference',
  },
  CP_PLAN_REVIEW: { stages: ['CP_PLAN'], explanation: 'needs an active child protection plan' },
  MASH_TRIAGE: { stages: ['REFERRAL'], explanation: 'needs an open referral in triage' },
  EMERGENCY: {
    stages: [],
    explanation:
      'is break-glass, not a purpose a case supports: IDENTITY and SAFEGUARDING only, for MACPT members, with a written justification, reviewed by IG',
  },
  IG_AUDIT: { stages: 'NONE', explanation: 'is for reviewing the disclosure log, never for child records' },
  FAMILY_HELP_SUPPORT: {
    stages: [],
    planStatuses: ['ACTIVE'],
    explanation:
      "is a Family Help lead practitioner's work with a family under the Children Act 1989 s.17: needs the family's active Family Help plan",
  },
  [NOTIFICATION_PURPOSE]: {
    stages: ['REFERRAL', 'STRATEGY_DISCUSSION', 'SECTION_47', 'CONFERENCE', 'CP_PLAN'],
    explanation:
      "is a notification routed by the partnership's rules: supported while the child has an open case, and decided again when it is read",
  },
};

/** When a grant applies: the user's relationship with the child and what the field is. */
export interface Condition {
  relationship?: readonly Relationship[];
  purposeSupported?: boolean;
  encompass?: boolean;
  /** `self`: the field belongs to the user's own agency. */
  owner?: 'self';
}

/** A grant: who (roles, purposes) may read which classes, on which condition. */
export interface Grant {
  id: string;
  description: string;
  classes: readonly DataClass[];
  roles: readonly Role[] | 'ALL_BUT_IG';
  purposes: readonly Purpose[] | 'ALL_BUT_IG_AUDIT';
  /** `owner-listed`: only roles the owning agency lists for SENSITIVE (the LCPP always qualifies). */
  roleListedByOwner?: boolean;
  when: Condition;
}

const RELATED: readonly Relationship[] = ['NAMED', 'TEAM', 'DSL_ON_ROLL', 'LEAD_PRACTITIONER'];

/** Grants, from the design's matrix. */
export const GRANTS: readonly Grant[] = [
  {
    id: 'IDENTITY_WITH_RELATIONSHIP',
    description: 'IDENTITY is shared with anyone with a legitimate or team relationship, for any purpose',
    classes: ['IDENTITY'],
    roles: 'ALL_BUT_IG',
    purposes: 'ALL_BUT_IG_AUDIT',
    when: { relationship: RELATED },
  },
  {
    id: 'OWN_AGENCY',
    description:
      "an agency's own staff see its records for children they have a relationship with, for a purpose the case supports",
    classes: ['IDENTITY', 'SAFEGUARDING', 'SENSITIVE', 'RESTRICTED'],
    roles: 'ALL_BUT_IG',
    purposes: 'ALL_BUT_IG_AUDIT',
    when: { owner: 'self', relationship: RELATED, purposeSupported: true },
  },
  {
    id: 'SAFEGUARDING_NAMED_WORKER',
    description:
      "SAFEGUARDING is shared with workers named on the child's open case, for any supported purpose but MASH triage",
    classes: ['SAFEGUARDING'],
    roles: MACPT_ROLES,
    purposes: [
      'STRATEGY_DISCUSSION',
      'SECTION_47_ENQUIRY',
      'CHILD_PROTECTION_CONFERENCE',
      'CP_PLAN_REVIEW',
      NOTIFICATION_PURPOSE,
    ],
    when: { relationship: ['NAMED'], purposeSupported: true },
  },
  {
    id: 'DSL_OPERATION_ENCOMPASS',
    description: "a school's DSL sees Operation Encompass notifications for pupils on roll",
    classes: ['SAFEGUARDING'],
    roles: ['SCHOOL_DSL'],
    purposes: ['STRATEGY_DISCUSSION', 'SECTION_47_ENQUIRY', 'CHILD_PROTECTION_CONFERENCE', 'CP_PLAN_REVIEW'],
    when: { relationship: ['DSL_ON_ROLL'], encompass: true, purposeSupported: true },
  },
  {
    id: 'OPERATION_ENCOMPASS_NOTICE',
    description:
      "a school's DSL is told of domestic abuse at a pupil's home before the next school day (Operation Encompass), case or no case",
    classes: ['SAFEGUARDING'],
    roles: ['SCHOOL_DSL'],
    purposes: [NOTIFICATION_PURPOSE],
    when: { relationship: ['DSL_ON_ROLL'], encompass: true },
  },
  {
    id: 'SENSITIVE_NAMED_LISTED_ROLE',
    description:
      'SENSITIVE is shared with named workers whose role the owning agency lists (the LCPP always), for a section 47 enquiry or a conference',
    classes: ['SENSITIVE'],
    roles: 'ALL_BUT_IG',
    roleListedByOwner: true,
    purposes: ['SECTION_47_ENQUIRY', 'CHILD_PROTECTION_CONFERENCE'],
    when: { relationship: ['NAMED'], purposeSupported: true },
  },
  {
    id: 'BREAK_GLASS',
    description:
      'EMERGENCY grants IDENTITY and SAFEGUARDING for the child to any MACPT member of an LLR LA, flagged for IG review',
    classes: ['IDENTITY', 'SAFEGUARDING'],
    roles: BREAK_GLASS_ROLES,
    purposes: ['EMERGENCY'],
    when: {},
  },
];

/** Why a field is withheld when no grant applies, most specific first; the first whose condition holds names the rule. */
export const DENIALS: readonly {
  id: string;
  description: string;
  classes?: readonly DataClass[];
  when: Condition & { purposes?: readonly Purpose[] };
}[] = [
  {
    id: 'IG_AUDIT_NO_CHILD_RECORDS',
    description: 'IG_AUDIT is for reviewing the disclosure log, never for child records',
    when: { purposes: ['IG_AUDIT'] },
  },
  {
    id: 'BREAK_GLASS_IDENTITY_SAFEGUARDING_ONLY',
    description:
      "break-glass shares IDENTITY and SAFEGUARDING only: never SENSITIVE or RESTRICTED, your own agency's included; state the purpose your case supports for those",
    classes: ['SENSITIVE', 'RESTRICTED'],
    when: { purposes: ['EMERGENCY'] },
  },
  {
    id: 'NO_LEGITIMATE_RELATIONSHIP',
    description:
      "no legitimate relationship: not named on or in the team of an open case in your LA, nor the DSL of the child's school",
    when: { relationship: ['NONE'] },
  },
  // Reasons of relationship come before the purpose's: a team member or a DSL, who may not see the case's stage,
  // is never told by a rule's name whether the case supports the purpose (DESIGN section 4).
  {
    id: 'DSL_OPERATION_ENCOMPASS_ONLY',
    description: "a school's DSL sees only IDENTITY and Operation Encompass notifications of other agencies",
    classes: ['SAFEGUARDING', 'SENSITIVE'],
    when: { relationship: ['DSL_ON_ROLL'] },
  },
  {
    id: 'SAFEGUARDING_NAMED_WORKERS_ONLY',
    description: 'SAFEGUARDING is shared with workers named on the case, not the wider team',
    classes: ['SAFEGUARDING'],
    when: { relationship: ['TEAM'] },
  },
  {
    id: 'SENSITIVE_NAMED_WORKERS_ONLY',
    description: 'SENSITIVE is shared with named workers only',
    classes: ['SENSITIVE'],
    when: { relationship: ['TEAM'] },
  },
  {
    id: 'PURPOSE_NOT_SUPPORTED',
    description: "the stated purpose of use is not supported by the child's case; only IDENTITY is shared",
    classes: ['SAFEGUARDING', 'SENSITIVE', 'RESTRICTED'],
    when: { purposeSupported: false },
  },
  {
    // After the purpose's reason: a lead practitioner may know their own family's plan, which is Family Help's data.
    id: 'FAMILY_HELP_IDENTITY_ONLY',
    description:
      "a Family Help lead practitioner sees Family Help's own records and other agencies' IDENTITY only: what the MACPT's agencies hold is shared through the MACPT",
    classes: ['SAFEGUARDING', 'SENSITIVE'],
    when: { relationship: ['LEAD_PRACTITIONER'] },
  },
  {
    id: 'MASH_TRIAGE_IDENTITY_ONLY',
    description: 'MASH triage shares IDENTITY only',
    classes: ['SAFEGUARDING', 'SENSITIVE'],
    when: { purposes: ['MASH_TRIAGE'] },
  },
  {
    id: 'SENSITIVE_PURPOSE',
    description: 'SENSITIVE is shared only for a section 47 enquiry or a child protection conference',
    classes: ['SENSITIVE'],
    when: { purposes: ['STRATEGY_DISCUSSION', 'CP_PLAN_REVIEW'] },
  },
  {
    id: 'SENSITIVE_ROLE_NOT_LISTED',
    description: 'the owning agency does not list your role for its SENSITIVE data',
    classes: ['SENSITIVE'],
    when: {},
  },
];

/** Overrides that hold whatever any grant says. */
export const OVERRIDES = {
  RESTRICTED_OWNER_ONLY:
    "RESTRICTED data stays with the owning agency's own staff; never shared, not even by break-glass",
  CONFIDENTIAL_LOCATION:
    "the household's location is confidential: withheld from everyone outside the agency that holds the flag",
  LOCATION_FLAG_UNVERIFIED:
    "an agency that can flag a household's location confidential did not answer, so location is withheld (fail closed)",
  DECISION_NOT_TO_SHARE:
    "the agency that holds this information has recorded a decision not to share it (that a decision exists is on the child's record; what it withholds is not)",
  IG_LEAD_NO_CHILD_RECORDS: 'IG leads review the disclosure log and see no child records',
  PARTNERSHIP_BOARD_AGGREGATES_ONLY:
    "a safeguarding partnership board sees its LA's de-identified partnership figures only, never a child's records",
  CASELOAD_OWN_LA_MACPT_ONLY: "an LA's list of MACPT cases is for that LA's MACPT members",
  BREAK_GLASS_NOT_PERMITTED: 'EMERGENCY (break-glass) is for MACPT members only; state the purpose your work supports',
  BREAK_GLASS_ONE_CHILD:
    'EMERGENCY (break-glass) opens one child, named by NHS number: a caseload or a list of children is refused',
  WITHHELD_BY_HOLDING_AGENCY: 'the agency that holds this information does not share it with you at present',
  DECISIONS_NOT_SHOWN:
    'decisions not to share are shown to the MACPT members working with the child and to the holding agency',
  DECISION_CONTENT_HOLDING_AGENCY_ONLY:
    'what a decision not to share covers, and why, stays with the holding agency: ask the person named as having decided',
  DECIDER_NOT_PERMITTED:
    "a decision not to share is made by the holding agency's staff working with the child, stating the purpose their case supports (not IG_AUDIT or EMERGENCY)",
  NOT_HOLDING_AGENCY: 'only the agency that holds the information decides not to share it',
  OVERDUE_LIST_LCPP_ONLY: "an LA's overdue notifications are for its LCPP",
  FAMILY_HELP_SUPPORT_ONLY:
    "a Family Help lead practitioner states FAMILY_HELP_SUPPORT, for the families they lead: the MACPT's purposes are its members'",
  FAMILY_HELP_SUPPORT_LEAD_PRACTITIONERS_ONLY:
    "FAMILY_HELP_SUPPORT is stated by Family Help's lead practitioners, for the families they lead; state the purpose your case supports",
} as const;
