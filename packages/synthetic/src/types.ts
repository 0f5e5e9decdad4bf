import type { SyntheticDecision } from './decisions.js';
import type { Agency, LocalAuthority } from './world.js';

/** The stage an open MACPT case has reached; each stage supports different purposes of use. */
export type CaseStage = 'REFERRAL' | 'STRATEGY_DISCUSSION' | 'SECTION_47' | 'CONFERENCE' | 'CP_PLAN';
export type CpCategory = 'NEGLECT' | 'PHYSICAL_ABUSE' | 'EMOTIONAL_ABUSE' | 'SEXUAL_ABUSE';

export interface Adult {
  id: string;
  name: string;
  dateOfBirth: string;
  relationship: 'PARENT' | 'STEP_PARENT' | 'CARER' | 'GRANDPARENT';
}

/** One household; `confidentialBy` names the agency that flagged its address confidential, if any. */
export interface Household {
  id: string;
  /**
   * The household's address as a Unique Property Reference Number: the key every agency that holds an
   * address shares, so a confidential-location flag set by one agency covers the household everywhere.
   * Synthetic (9 followed by 11 digits), never a real property.
   */
  uprn: string;
  la: LocalAuthority;
  address: string;
  postcode: string;
  confidentialBy: Agency | null;
  adults: Adult[];
  children: Child[];
  health: { maternityConcerns: { id: string; date: string; concern: string }[] };
  police: {
    domesticAbuse: { id: string; date: string; risk: 'STANDARD' | 'MEDIUM' | 'HIGH'; location: string }[];
    adultOffending: { id: string; adultId: string; offence: string; date: string; outcome: string }[];
  };
}

export interface SocialCareFacts {
  caseId: string | null;
  stage: CaseStage | null;
  caseOpenedOn: string | null;
  namedWorkers: string[];
  referrals: { id: string; date: string; source: string; status: 'OPEN' | 'CLOSED'; outcome: string | null }[];
  strategyDiscussions: { id: string; date: string; status: 'OPEN' | 'HELD'; decision: string | null }[];
  section47: { id: string; startedOn: string; status: 'OPEN' | 'COMPLETED'; outcome: string | null }[];
  conferences: { id: string; kind: 'INITIAL' | 'REVIEW'; date: string; outcome: string | null }[];
  cpPlan: { category: CpCategory; startDate: string } | null;
  lookedAfter: boolean;
  placementAddress: string | null;
  adoptionDetails: string | null;
  caseNotes: { id: string; date: string; author: string; text: string }[];
}

export interface HealthFacts {
  gpPractice: string;
  professional: { kind: 'HEALTH_VISITOR' | 'SCHOOL_NURSE'; name: string };
  aeAttendances: { id: string; date: string; hospital: string; injuryCode: string; description: string }[];
  wasNotBrought: { id: string; date: string; clinic: string }[];
  immunisations: { vaccine: string; status: 'GIVEN' | 'DUE' | 'DECLINED'; date: string | null }[];
  camhs: { id: string; referredOn: string; status: 'ACTIVE' | 'DISCHARGED'; concern: string }[];
  sexualHealth: { id: string; date: string; service: string; note: string; confidential: boolean }[];
}

export interface PoliceFacts {
  incidents: {
    id: string;
    date: string;
    kind: string;
    involvement: 'VICTIM' | 'WITNESS' | 'SUSPECT';
    location: string;
    summary: string;
  }[];
  missingEpisodes: { id: string; reportedOn: string; durationHours: number; returnInterview: boolean }[];
  exploitation: { cse: boolean; cce: boolean; assessedOn: string } | null;
  policeProtection: { id: string; date: string; reason: string }[];
  intelligence: { id: string; date: string; handlingCode: 'P' | 'C' | 'H'; summary: string }[];
  encompass: { id: string; incidentId: string; schoolUrn: string; sentAt: string }[];
}

export interface EducationFacts {
  schoolUrn: string | null;
  attendanceRate: number | null;
  sessionsPossible: number;
  suspensions: { id: string; date: string; days: number; reason: string }[];
  exclusions: { id: string; date: string; reason: string }[];
  sen: 'NONE' | 'SEN_SUPPORT' | 'EHCP';
  senDetail: string | null;
  dslConcerns: { id: string; date: string; category: string; summary: string }[];
  electiveHomeEducation: boolean;
  childMissingEducation: boolean;
  pastoralNotes: string | null;
}

/** Family Help: early help and child-in-need support for the family, led by one lead practitioner. */
export interface FamilyHelpFacts {
  familyId: string;
  leadPractitioner: { userId: string; name: string; team: string };
  plan: { startDate: string; status: 'ACTIVE' | 'CLOSED'; goals: string[]; reviewDates: string[] };
  assessments: { id: string; date: string; outcome: string }[];
  /** Steps up to children's social care (a MACPT case) and down from it. */
  transitions: { id: string; date: string; direction: 'STEP_UP' | 'STEP_DOWN'; reason: string }[];
  teamAroundTheFamily: { role: string; agency: string; name: string }[];
}

/** One synthetic child and what each agency holds about them (absent when that agency has no record). */
export interface Child {
  nhsNumber: string;
  name: string;
  dateOfBirth: string;
  sex: 'FEMALE' | 'MALE';
  /** The ethnic group social care records (ONS 2021 high-level); null when not recorded. */
  ethnicity: string | null;
  householdId: string;
  socialCare: SocialCareFacts | null;
  health: HealthFacts;
  police: PoliceFacts | null;
  education: EducationFacts | null;
  /** Family Help's record (the family's), when the family is known to it. */
  familyHelp: FamilyHelpFacts | null;
  /** Decisions not to share that agencies hold about the child (each seeded into its agency's store). */
  sharingDecisions: SyntheticDecision[];
}
