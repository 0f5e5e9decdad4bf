import { BREAK_GLASS_ROLES, CASELOAD_ROLES, PURPOSE_NEEDS } from './matrix.js';
import { MACPT_ROLES, type Agency, type CaseStage, type Purpose, type Relationship, type Role } from './vocabulary.js';

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
}

/** The child-dependent attributes a decision needs. */
export interface ChildAttributes {
  relationship: Relationship;
  purposeSupported: boolean;
  /** Agencies that flagged the household's location confidential (the flag is the household's, so every child of it carries it). */
  confidentialBy: readonly string[];
  /** Agencies that can flag a household's location but did not answer: counted as flagging it (fail closed). */
  locationUnverifiedBy: readonly string[];
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
  };
}

/** Why a user may not enter child data at all for this purpose (IG leads; IG_AUDIT), or null. */
export function entryRefusal(user: Pick<PolicyUser, 'role'>, purpose: Purpose): 'IG_LEAD_NO_CHILD_RECORDS' | 'IG_AUDIT_NO_CHILD_RECORDS' | null {
  if (user.role === 'IG_LEAD') return 'IG_LEAD_NO_CHILD_RECORDS';
  return purpose === 'IG_AUDIT' ? 'IG_AUDIT_NO_CHILD_RECORDS' : null;
}

/** Whether the user may state EMERGENCY (break-glass): MACPT members only. */
export function mayBreakGlass(user: Pick<PolicyUser, 'role'>): boolean {
  return BREAK_GLASS_ROLES.includes(user.role);
}

/** Why a user may not list an LA's cases, or null: the caseload is its own MACPT's. */
export function caseloadRefusal(user: Pick<PolicyUser, 'role' | 'la'>, la: string): 'CASELOAD_OWN_LA_MACPT_ONLY' | null {
  return CASELOAD_ROLES.includes(user.role) && user.la === la ? null : 'CASELOAD_OWN_LA_MACPT_ONLY';
}
