// An independent reading of DESIGN section 4, written from the design's text and not from the
// production policy code: tests compare what the system discloses with what this says.
// It reads only data from policies/ (which roles each agency lists for SENSITIVE), never its logic.
import { POLICIES } from '@macpt/policies';

export type RefRelationship = 'NAMED' | 'TEAM' | 'DSL_ON_ROLL' | 'LEAD_PRACTITIONER' | 'NONE';

export interface RefUser {
  role: string;
  agency: string;
}

export interface RefField {
  class: 'IDENTITY' | 'SAFEGUARDING' | 'SENSITIVE' | 'RESTRICTED';
  owner: string;
  location?: boolean;
  encompass?: boolean;
}

export interface RefChild {
  relationship: RefRelationship;
  /** Does the child's case support the stated purpose? */
  purposeSupported: boolean;
  /** Agencies that flagged the household's location confidential. */
  confidentialBy: readonly string[];
  /** Agencies that can flag a household but did not answer. */
  locationUnverifiedBy?: readonly string[];
  /** Standing decisions not to share: the holding agency and the fields or classes each covers. */
  notShared?: readonly { agency: string; fields: readonly string[]; classes: readonly string[] }[];
}

const MACPT = ['LCPP', 'SOCIAL_WORKER', 'MACPT_POLICE', 'MACPT_HEALTH', 'MACPT_EDUCATION'];
const SENSITIVE_ROLES = Object.fromEntries(POLICIES.map((p) => [p.agency, p.sensitiveRoles as readonly string[]]));

/** Whether DESIGN section 4 lets `user`, for `purpose`, see `field` of `child`. */
export function referenceAllows(
  user: RefUser,
  purpose: string,
  field: RefField,
  child: RefChild,
  coordinate = '',
): boolean {
  // "IG_LEAD ... sees no child records"; IG_AUDIT is the purpose of reviewing the log, not of reading records.
  if (user.role === 'IG_LEAD' || purpose === 'IG_AUDIT') return false;
  // DESIGN §8: a partnership board sees aggregated figures only, never a child's records.
  if (user.role === 'PARTNERSHIP_BOARD') return false;
  // DESIGN §10: a Family Help lead practitioner works under FAMILY_HELP_SUPPORT, and only they state it.
  if ((user.role === 'FAMILY_HELP_PRACTITIONER') !== (purpose === 'FAMILY_HELP_SUPPORT')) return false;
  // DESIGN §8: a decision not to share withholds what it covers from everyone outside the agency that made it.
  if (
    field.owner !== user.agency &&
    (child.notShared ?? []).some(
      (d) => d.agency === field.owner && (d.fields.includes(coordinate) || d.classes.includes(field.class)),
    )
  )
    return false;
  // Confidential location: withheld from everyone outside the agency that holds the flag; an agency that
  // could hold one and did not answer counts as holding it.
  if (
    field.location &&
    [...child.confidentialBy, ...(child.locationUnverifiedBy ?? [])].some((agency) => agency !== user.agency)
  )
    return false;
  // Break-glass: MACPT members only (anyone else is refused outright); IDENTITY and SAFEGUARDING of every
  // agency and nothing more, the user's own SENSITIVE and RESTRICTED included.
  if (purpose === 'EMERGENCY')
    return MACPT.includes(user.role) && (field.class === 'IDENTITY' || field.class === 'SAFEGUARDING');
  const related = child.relationship !== 'NONE';
  const ownAgency = field.owner === user.agency;
  // RESTRICTED: the owning agency's own staff only.
  if (field.class === 'RESTRICTED') return ownAgency && related && child.purposeSupported;
  // IDENTITY: any legitimate or team relationship, any valid purpose (even one the case does not support).
  if (field.class === 'IDENTITY') return related;
  // Every user sees their own agency's records (for children they are related to, for a supported purpose).
  if (ownAgency && related && child.purposeSupported) return true;
  if (!child.purposeSupported) return false;
  // DESIGN §10: beyond IDENTITY, a lead practitioner sees Family Help's own records only.
  if (user.role === 'FAMILY_HELP_PRACTITIONER') return false;
  if (field.class === 'SAFEGUARDING') {
    if (purpose === 'MASH_TRIAGE') return false;
    if (user.role === 'SCHOOL_DSL') return child.relationship === 'DSL_ON_ROLL' && field.encompass === true;
    return child.relationship === 'NAMED';
  }
  // SENSITIVE: named workers whose role the owner lists (the LCPP always), for s47 or a conference only.
  return (
    child.relationship === 'NAMED' &&
    (purpose === 'SECTION_47_ENQUIRY' || purpose === 'CHILD_PROTECTION_CONFERENCE') &&
    (user.role === 'LCPP' || (SENSITIVE_ROLES[field.owner] ?? []).includes(user.role))
  );
}
