import {
  AUDIT_REFUSALS,
  FIGURES_ROLES,
  BREAK_GLASS_ROLES,
  CASELOAD_REFUSALS,
  ENTRY_REFUSALS,
  PURPOSE_NEEDS,
  type EntryRule,
} from './matrix.js';
import {
  MACPT_ROLES,
  type Agency,
  type CaseStage,
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

/** A user's relationship with a child: from social care's open case and education's roll, never the token. */
export function relationshipOf(user: PolicyUser, facts: PolicyFacts): Relationship {
  if (user.role === 'SCHOOL_DSL') return user.school && facts.schoolUrn === user.school ? 'DSL_ON_ROLL' : 'NONE';
  if (!MACPT_ROLES.includes(user.role) || !facts.openCase) return 'NONE';
  if (facts.openCase.namedWorkers.includes(user.id)) return 'NAMED';
  return facts.openCase.la === user.la ? 'TEAM' : 'NONE';
}

/** Whether the child's case supports the purpose of use. */
export function purposeSupported(purpose: Purpose, stage: string | null | undefined): boolean {
  const needs = PURPOSE_NEEDS[purpose].stages;
  if (needs === 'NONE' || !stage) return false;
  return needs.includes(stage as CaseStage);
}

/** The decision attributes of one child for one user and purpose. */
export function childAttributes(user: PolicyUser, purpose: Purpose, facts: PolicyFacts): ChildAttributes {
  return {
    relationship: relationshipOf(user, facts),
    purposeSupported: purposeSupported(purpose, facts.openCase?.stage),
    confidentialBy: facts.confidentialBy,
    locationUnverifiedBy: facts.locationUnverifiedBy ?? [],
    // A decision binds everyone outside the agency that made it; its own staff still see what it holds.
    ...(facts.notShared?.length ? { notShared: facts.notShared.filter((d) => d.agency !== user.agency) } : {}),
  };
}

/** The first rule of `rules` that applies to this user and purpose, or null. */
function firstApplying(
  rules: readonly EntryRule[],
  user: Pick<PolicyUser, 'role'>,
  purpose: Purpose | null,
): string | null {
  const applies = (r: EntryRule) =>
    (!r.roles || r.roles.includes(user.role)) &&
    !r.exceptRoles?.includes(user.role) &&
    (!r.purposes || (purpose !== null && r.purposes.includes(purpose))) &&
    !(r.exceptPurposes && purpose !== null && r.exceptPurposes.includes(purpose));
  return rules.find(applies)?.id ?? null;
}

/** Why a user may not open child records at all for this purpose (an IG lead; IG_AUDIT; break-glass not theirs), or null. */
export function entryRefusal(user: Pick<PolicyUser, 'role'>, purpose: Purpose): string | null {
  return firstApplying(ENTRY_REFUSALS, user, purpose);
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
