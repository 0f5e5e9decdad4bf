import {
  ADMISSION_REFUSALS,
  AUDIT_REFUSALS,
  FIGURES_ROLES,
  BREAK_GLASS_ROLES,
  CASELOAD_REFUSALS,
  DECIDER_REFUSALS,
  DECISION_AUDIENCES,
  ENTRY_REFUSALS,
  OVERDUE_LIST_REFUSALS,
  PURPOSE_NEEDS,
  type ChildRule,
  type DecisionView,
  type EntryRule,
} from './matrix.js';
import {
  MACPT_ROLES,
  type Agency,
  type CaseStage,
  type FamilyPlanStatus,
  type NotSharedScope,
  type Purpose,
  type Relationship,
  type Role,
} from './vocabulary.js';

/** The authenticated user, as verified from their token. */
export interface PolicyUser {
  id: string;
  role: Role;
  agency: Agency;
  la: string | null;
  /** A DSL's school URN. */
  school?: string | null;
}

/** What the agencies' data says about a child, as far as policy needs it. */
export interface PolicyFacts {
  openCase: { la: string; stage: string; namedWorkers: readonly string[] } | null;
  schoolUrn: string | null;
  /** The child's family's Family Help plan, from the agency that leads families: its LA, status and lead practitioners. */
  familyPlan?: { la: string; status: string; leadPractitioners: readonly string[] } | null;
  /** Agencies that flagged the child's household's location confidential. */
  confidentialBy: readonly string[];
  /** Agencies that can flag a household but did not answer: their flag cannot be ruled out. */
  locationUnverifiedBy?: readonly string[];
  /** Standing decisions not to share, each reported by the agency that made it (and holds the data). */
  notShared?: readonly NotSharedScope[];
}

/** The child-dependent attributes a decision needs. */
export interface ChildAttributes {
  relationship: Relationship;
  purposeSupported: boolean;
  /** Agencies that flagged the household's location confidential (the flag is the household's, so every child of it carries it). */
  confidentialBy: readonly string[];
  /** Agencies that can flag a household's location but did not answer: counted as flagging it (fail closed). */
  locationUnverifiedBy: readonly string[];
  /** Decisions not to share by agencies other than the user's: the fields they cover are withheld. */
  notShared?: readonly NotSharedScope[];
}

/** The attributes of a child nothing vouches for (its facts failed, or it was never asked about): the most restrictive. */
export const UNRELATED: ChildAttributes = Object.freeze({
  relationship: 'NONE',
  purposeSupported: false,
  confidentialBy: [],
  locationUnverifiedBy: [],
});

/** A user's relationship with a child: from social care's open case, education's roll or Family Help's family, never the token. */
export function relationshipOf(user: PolicyUser, facts: PolicyFacts): Relationship {
  if (user.role === 'SCHOOL_DSL') return user.school && facts.schoolUrn === user.school ? 'DSL_ON_ROLL' : 'NONE';
  if (user.role === 'FAMILY_HELP_PRACTITIONER') {
    const plan = facts.familyPlan;
    return plan && plan.la === user.la && plan.leadPractitioners.includes(user.id) ? 'LEAD_PRACTITIONER' : 'NONE';
  }
  if (!MACPT_ROLES.includes(user.role) || !facts.openCase) return 'NONE';
  if (facts.openCase.namedWorkers.includes(user.id)) return 'NAMED';
  return facts.openCase.la === user.la ? 'TEAM' : 'NONE';
}

/** Whether the child's case (or, for Family Help's work, the family's plan) supports the purpose of use. */
export function purposeSupported(
  purpose: Purpose,
  stage: string | null | undefined,
  planStatus?: string | null,
): boolean {
  const { stages, planStatuses } = PURPOSE_NEEDS[purpose];
  if (planStatuses && planStatus && planStatuses.includes(planStatus as FamilyPlanStatus)) return true;
  if (stages === 'NONE' || !stage) return false;
  return stages.includes(stage as CaseStage);
}

/** The decision attributes of one child for one user and purpose. */
export function childAttributes(user: PolicyUser, purpose: Purpose, facts: PolicyFacts): ChildAttributes {
  return {
    relationship: relationshipOf(user, facts),
    purposeSupported: purposeSupported(purpose, facts.openCase?.stage, facts.familyPlan?.status),
    confidentialBy: facts.confidentialBy,
    locationUnverifiedBy: facts.locationUnverifiedBy ?? [],
    // A decision binds everyone outside the agency that made it; its own staff still see what it holds.
    ...(facts.notShared?.length ? { notShared: facts.notShared.filter((d) => d.agency !== user.agency) } : {}),
  };
}

/** What a rule about a child as a whole may look at: never the child's data, only how the user stands to it. */
export interface ChildStanding {
  relationship?: Relationship;
  /** The request names more than one child. */
  moreThanOneChild?: boolean;
  /** The user is of the agency the rule is about (a decision's holding agency). */
  ownAgency?: boolean;
  /** That agency holds a record of the child. */
  holdsRecord?: boolean;
}

const NO_STANDING: ChildStanding = Object.freeze({});

/** The first rule of `rules` that applies to this user, purpose and standing, or undefined. */
function firstRule<R extends ChildRule>(
  rules: readonly R[],
  user: Pick<PolicyUser, 'role'>,
  purpose: Purpose | null,
  standing: ChildStanding = NO_STANDING,
): R | undefined {
  // A loop, not `find` with a closure: asked for every child at every door of every request.
  for (const r of rules) {
    if (
      (!r.roles || r.roles.includes(user.role)) &&
      !r.exceptRoles?.includes(user.role) &&
      (!r.purposes || (purpose !== null && r.purposes.includes(purpose))) &&
      !(r.exceptPurposes && purpose !== null && r.exceptPurposes.includes(purpose)) &&
      (!r.relationship || (standing.relationship !== undefined && r.relationship.includes(standing.relationship))) &&
      (r.moreThanOneChild === undefined || r.moreThanOneChild === (standing.moreThanOneChild === true)) &&
      (r.ownAgency === undefined || r.ownAgency === (standing.ownAgency === true)) &&
      (r.holdsRecord === undefined || r.holdsRecord === (standing.holdsRecord === true))
    )
      return r;
  }
  return undefined;
}

/** The first rule of `rules` that applies to this user and purpose, or null. */
function firstApplying(
  rules: readonly EntryRule[],
  user: Pick<PolicyUser, 'role'>,
  purpose: Purpose | null,
  standing?: ChildStanding,
): string | null {
  return firstRule(rules, user, purpose, standing)?.id ?? null;
}

/**
 * Why a user is not let in to a child (at every entry point, and for every answer about one), or null:
 * no relationship (but for break-glass), or break-glass naming more than one child.
 */
export function admissionRefusal(
  user: Pick<PolicyUser, 'role'>,
  purpose: Purpose,
  standing: Pick<ChildStanding, 'relationship' | 'moreThanOneChild'>,
): string | null {
  return entryRefusal(user, purpose) ?? firstApplying(ADMISSION_REFUSALS, user, purpose, standing);
}

/** What a user is told of a decision not to share about a child they stand to so: a view, or nothing (null). */
export function decisionView(
  user: Pick<PolicyUser, 'role'>,
  purpose: Purpose,
  standing: Pick<ChildStanding, 'relationship' | 'ownAgency'>,
): DecisionView | null {
  return firstRule(DECISION_AUDIENCES, user, purpose, standing)?.view ?? null;
}

/** Why a user may not record, keep or withdraw a decision of their agency about a child, or null. */
export function deciderRefusal(
  user: Pick<PolicyUser, 'role'>,
  purpose: Purpose,
  standing: Pick<ChildStanding, 'relationship' | 'holdsRecord'>,
): string | null {
  return firstApplying(DECIDER_REFUSALS, user, purpose, standing);
}

/** Why a user may not see their LA's overdue notifications, or null. */
export function overdueListRefusal(user: Pick<PolicyUser, 'role' | 'la'>, purpose: Purpose): string | null {
  return firstApplying(OVERDUE_LIST_REFUSALS, user, purpose) ?? (user.la ? null : 'OVERDUE_LIST_LCPP_ONLY');
}

/** What of the disclosure log an IG lead sees: records about their agency's data or staff, and refusals of unknown callers. */
export function igSeesRecord(
  user: Pick<PolicyUser, 'agency'>,
  record: { agencies: readonly string[]; user: { agency: string } | null },
): boolean {
  return record.agencies.includes(user.agency) || record.user?.agency === user.agency || record.user === null;
}

/** Why a user may not open child records at all for this purpose (an IG lead; IG_AUDIT; break-glass not theirs), or null. */
export function entryRefusal(user: Pick<PolicyUser, 'role'>, purpose: Purpose): string | null {
  return firstApplying(ENTRY_REFUSALS, user, purpose);
}

/** Why a user may not ask an agency about its decisions not to share (list, record, keep, withdraw), or null: its own staff only. */
export function holdingAgencyRefusal(user: Pick<PolicyUser, 'agency'>, agency: string): string | null {
  return user.agency === agency ? null : 'NOT_HOLDING_AGENCY';
}

/**
 * Whether a user may be told that no agency knows a child, rather than the answer an unrelated child gets
 * (a child's existence is itself information): break-glass only, which needs no relationship.
 */
export function mayLearnChildUnknown(user: Pick<PolicyUser, 'role'>, breakGlass: boolean): boolean {
  return breakGlass && mayBreakGlass(user);
}

/** Whether the user may state EMERGENCY (break-glass): MACPT members only. */
export function mayBreakGlass(user: Pick<PolicyUser, 'role'>): boolean {
  return BREAK_GLASS_ROLES.includes(user.role);
}

/** Why a user may not list an LA's cases, or null: the caseload is its own MACPT's. */
export function caseloadRefusal(user: Pick<PolicyUser, 'role' | 'la'>, la: string): string | null {
  return firstApplying(CASELOAD_REFUSALS, user, null) ?? (user.la === la ? null : 'CASELOAD_OWN_LA_MACPT_ONLY');
}

/** Why a user may not see an LA's partnership figures, or null: its own LA's LCPP or board only. */
export function figuresRefusal(user: Pick<PolicyUser, 'role' | 'la'>, la: string): string | null {
  if (!FIGURES_ROLES.includes(user.role)) return 'FIGURES_LCPP_AND_BOARD_ONLY';
  return user.la === la ? null : 'FIGURES_OWN_LA_ONLY';
}

/** Why a user may not review the disclosure log, or null. */
export function auditRefusal(user: Pick<PolicyUser, 'role'>, purpose: Purpose): string | null {
  return firstApplying(AUDIT_REFUSALS, user, purpose);
}
