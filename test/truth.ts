// Ground truth for policy tests, from the generator's records and DESIGN section 4's words —
// independent of the production code that computes relationships and purpose support.
import type { Child, Household, Persona } from '@macpt/synthetic';
import type { RefRelationship } from './reference-policy.js';

const MACPT = ['LCPP', 'SOCIAL_WORKER', 'MACPT_POLICE', 'MACPT_HEALTH', 'MACPT_EDUCATION'];

/**
 * DESIGN §4 and §10: named on the child's open case; same-LA MACPT member; a DSL of the child's school; the
 * lead practitioner of the child's family in their own LA; else none.
 */
export function truthRelationship(
  persona: Pick<Persona, 'id' | 'role' | 'la' | 'school'>,
  child: Child,
  household: Household,
): RefRelationship {
  if (persona.role === 'SCHOOL_DSL')
    return child.education?.schoolUrn && child.education.schoolUrn === persona.school ? 'DSL_ON_ROLL' : 'NONE';
  if (persona.role === 'FAMILY_HELP_PRACTITIONER')
    return child.familyHelp?.leadPractitioner.userId === persona.id && household.la === persona.la
      ? 'LEAD_PRACTITIONER'
      : 'NONE';
  if (!MACPT.includes(persona.role) || !child.socialCare?.caseId) return 'NONE';
  if (child.socialCare.namedWorkers.includes(persona.id)) return 'NAMED';
  return household.la === persona.la ? 'TEAM' : 'NONE';
}

/** DESIGN §4: "a purpose is valid for a child only when the case supports it". */
export function truthPurposeSupported(purpose: string, child: Child): boolean {
  const stage = child.socialCare?.caseId ? child.socialCare.stage : null;
  switch (purpose) {
    // Break-glass is not a purpose a case supports (DESIGN §4).
    case 'EMERGENCY':
      return false;
    case 'IG_AUDIT':
      return false;
    case 'MASH_TRIAGE':
      return stage === 'REFERRAL';
    case 'STRATEGY_DISCUSSION':
      return stage !== null && stage !== 'REFERRAL';
    case 'SECTION_47_ENQUIRY':
      return stage === 'SECTION_47';
    case 'CHILD_PROTECTION_CONFERENCE':
      return stage === 'CONFERENCE' || stage === 'CP_PLAN';
    case 'CP_PLAN_REVIEW':
      return stage === 'CP_PLAN';
    // DESIGN §10: the family's Family Help plan, while it is active.
    case 'FAMILY_HELP_SUPPORT':
      return child.familyHelp?.plan.status === 'ACTIVE';
    default:
      throw new Error(`unknown purpose ${purpose}`);
  }
}

/** DESIGN §8: the decisions not to share standing for a child, as the generator gave them to each agency. */
export function truthNotShared(child: Child): { agency: string; fields: string[]; classes: string[] }[] {
  return child.sharingDecisions.map((d) => ({ agency: d.agency, fields: d.fields, classes: d.classes }));
}

/** The truth about one child for one persona and purpose: what the reference evaluator reads. */
export function truthAbout(persona: Persona, purpose: string, child: Child, household: Household) {
  return {
    relationship: truthRelationship(persona, child, household),
    purposeSupported: truthPurposeSupported(purpose, child),
    confidentialBy: household.confidentialBy ? [household.confidentialBy] : [],
    notShared: truthNotShared(child),
  };
}
