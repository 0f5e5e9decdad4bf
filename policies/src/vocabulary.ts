// The words of DESIGN section 4: roles, purposes of use, classes and relationships.

/** Roles a user's token may carry. */
export const ROLES = [
  'LCPP',
  'SOCIAL_WORKER',
  'MACPT_POLICE',
  'MACPT_HEALTH',
  'MACPT_EDUCATION',
  'SCHOOL_DSL',
  'IG_LEAD',
  'PARTNERSHIP_BOARD',
  'FAMILY_HELP_PRACTITIONER',
] as const;
export type Role = (typeof ROLES)[number];

/** Roles of MACPT members (break-glass is theirs). */
export const MACPT_ROLES: readonly Role[] = [
  'LCPP',
  'SOCIAL_WORKER',
  'MACPT_POLICE',
  'MACPT_HEALTH',
  'MACPT_EDUCATION',
];

/** Purposes of use, stated on every request in `X-Purpose-Of-Use`. */
export const PURPOSES = [
  'STRATEGY_DISCUSSION',
  'SECTION_47_ENQUIRY',
  'CHILD_PROTECTION_CONFERENCE',
  'CP_PLAN_REVIEW',
  'MASH_TRIAGE',
  'EMERGENCY',
  'IG_AUDIT',
  'FAMILY_HELP_SUPPORT',
] as const;
/** A purpose a user may state on a request. */
export type RequestPurpose = (typeof PURPOSES)[number];

/**
 * The purpose under which the partnership's notification rules tell someone about a child (DESIGN
 * section 8): decided by the same matrix as a query, never stated by a user in a header.
 */
export const NOTIFICATION_PURPOSE = 'NOTIFICATION';
export type Purpose = RequestPurpose | typeof NOTIFICATION_PURPOSE;

/** Classes every published field carries, least to most restricted. */
export const CLASSES = ['IDENTITY', 'SAFEGUARDING', 'SENSITIVE', 'RESTRICTED'] as const;
export type DataClass = (typeof CLASSES)[number];

/** The agencies whose staff hold each role (an IG lead belongs to any agency; the board is the LA's). */
export const AGENCIES_OF_ROLE: Readonly<Record<Role, readonly Agency[] | 'ANY'>> = {
  LCPP: ['social-care'],
  SOCIAL_WORKER: ['social-care'],
  MACPT_POLICE: ['police'],
  MACPT_HEALTH: ['health'],
  MACPT_EDUCATION: ['education'],
  SCHOOL_DSL: ['education'],
  IG_LEAD: 'ANY',
  PARTNERSHIP_BOARD: ['social-care'],
  FAMILY_HELP_PRACTITIONER: ['family-help'],
};

/** The claims a token of each role must carry beyond sub, name, role and agency (a DSL's school; a practitioner's LA). */
export const ROLE_CLAIMS: Readonly<Record<Role, readonly ('la' | 'school')[]>> = {
  LCPP: ['la'],
  SOCIAL_WORKER: ['la'],
  MACPT_POLICE: ['la'],
  MACPT_HEALTH: ['la'],
  MACPT_EDUCATION: ['la'],
  SCHOOL_DSL: ['la', 'school'],
  IG_LEAD: [],
  PARTNERSHIP_BOARD: ['la'],
  FAMILY_HELP_PRACTITIONER: ['la'],
};

/** The purpose that is break-glass: stated, it is flagged and reviewed whatever follows (DESIGN section 4). */
export const BREAK_GLASS_PURPOSE = 'EMERGENCY';
/** The fewest characters a break-glass justification may have (it is what IG reviews the use by). */
export const MIN_JUSTIFICATION = 20;

/** Whether a stated purpose is break-glass. */
export const isBreakGlass = (purpose: string | null | undefined): boolean => purpose === BREAK_GLASS_PURPOSE;

/**
 * A user's relationship with a child, derived from the agencies' own facts — social care's cases, education's
 * rolls, Family Help's families — never from the token.
 */
export type Relationship = 'NAMED' | 'TEAM' | 'DSL_ON_ROLL' | 'LEAD_PRACTITIONER' | 'NONE';

/** Every relationship, most to least. */
export const RELATIONSHIPS: readonly Relationship[] = ['NAMED', 'TEAM', 'DSL_ON_ROLL', 'LEAD_PRACTITIONER', 'NONE'];

/** Stages of an open MACPT case (social care's data). */
export type CaseStage = 'REFERRAL' | 'STRATEGY_DISCUSSION' | 'SECTION_47' | 'CONFERENCE' | 'CP_PLAN';

/** Statuses of a family's Family Help plan (Family Help's data). */
export type FamilyPlanStatus = 'ACTIVE' | 'CLOSED';

/** The agencies, by the names their subgraphs carry. */
export type Agency = 'social-care' | 'health' | 'police' | 'education' | 'family-help';

/** How one published field is governed. */
export interface FieldRule {
  class: DataClass;
  /** An address or other location: withheld when the household's location is confidential. */
  location?: boolean;
  /** An Operation Encompass notification: the one SAFEGUARDING item a school's DSL sees. */
  encompass?: boolean;
  /**
   * A record of the household, not of one child (domestic abuse at the address, adult offending,
   * maternity concerns): a decision not to share it, made about any child of the household, covers it
   * through every child of the household.
   */
  household?: boolean;
}

/** One agency's sharing policy: the data owner's decisions, no logic. */
export interface AgencyPolicy {
  agency: Agency;
  /** The lawful basis the agency shares under, recorded in every disclosure record. */
  lawfulBasis: string;
  /** Roles (besides the LCPP, who always qualifies) whose named workers may see this agency's SENSITIVE fields. */
  sensitiveRoles: Role[];
  /** Every field the agency publishes, `Type.field`, with its class. */
  fields: Record<string, FieldRule>;
  /** Types whose objects belong to one child, and the field that leads to that child (decisions need the child). */
  childLinks?: Record<string, string>;
  /** The agency's dated events on a child's multi-agency chronology (DESIGN section 9), each read from its own fields. */
  chronology?: ChronologySource[];
  /**
   * The confidential-location flag this agency can set on a household (e.g. a refuge address), if any.
   * While such an agency does not answer, every household's location is withheld (fail closed).
   */
  locationFlag?: string;
  /** This agency runs the MACPT cases that relationships and purposes come from (social care). */
  runsCases?: boolean;
  /** The field that publishes a case's stage (whoever may not read it is never told whether a case supports a purpose). */
  caseStage?: string;
  /** This agency holds the school rolls a DSL's relationship comes from (education). */
  holdsRolls?: boolean;
  /**
   * This agency leads families outside a MACPT case (Family Help): it reports each child's family plan and
   * the family's lead practitioners, which a lead practitioner's relationship and purpose come from.
   */
  leadsFamilies?: boolean;
}

/**
 * One kind of dated event an agency puts on the chronology: the objects at `path` (field names from
 * `Child`, e.g. `police.incidents`), each an entry dated by its `date` field, titled `label`, with its
 * `detail` fields (those the asker may see) joined. An entry is a view of those fields: it appears only
 * where the asker may see the fields it comes from, and is recorded as them.
 */
export interface ChronologySource {
  /** Stable name of the kind, e.g. `INCIDENT`. */
  kind: string;
  /** What an entry is called, e.g. `Police incident`. */
  label: string;
  path: string[];
  date: string;
  detail: string[];
}

/** Why an agency decides not to share (a fixed list: IG reports count decisions by it). */
export const SHARING_DECISION_REASONS = [
  'PREJUDICE_TO_CRIMINAL_INVESTIGATION',
  'MORE_DETRIMENTAL_TO_CHILD',
  'THIRD_PARTY_CONFIDENTIALITY',
  'CONSENT_REFUSED_NO_OVERRIDING_GROUND',
  'OTHER',
] as const;
export type SharingDecisionReason = (typeof SHARING_DECISION_REASONS)[number];

/** What a standing decision not to share withholds: some of the holding agency's fields, or whole classes of them. */
export interface NotSharedScope {
  agency: string;
  fields: readonly string[];
  classes: readonly DataClass[];
}
