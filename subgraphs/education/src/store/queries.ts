import type { SqlStore } from '@macpt/subgraph-kit';

export interface PupilRow {
  nhsNumber: string;
  name: string;
  dateOfBirth: string;
  householdId: string;
  schoolUrn: string | null;
  homeAddress: string;
  attendanceRate: number | null;
  sessionsPossible: number;
  senStatus: string;
  senDetail: string | null;
  electiveHomeEducation: number;
  childMissingEducation: number;
  pastoralNotes: string | null;
  uprn: string;
}
export interface SchoolRow {
  urn: string;
  name: string;
  localAuthority: string;
  phase: string;
}
export interface SuspensionRow {
  id: string;
  nhsNumber: string;
  date: string;
  days: number;
  reason: string;
}
export interface ExclusionRow {
  id: string;
  nhsNumber: string;
  date: string;
  reason: string;
}
export interface DslConcernRow {
  id: string;
  nhsNumber: string;
  date: string;
  category: string;
  summary: string;
}

const KEYS = '(SELECT value FROM json_each(?))';

/** Education's prepared queries: each batched one takes any number of keys in one statement. */
export function educationQueries(store: SqlStore) {
  return {
    /** The children living at these households (UPRNs). */
    residents: store.batch<{ nhsNumber: string; uprn: string }>(
      `SELECT nhs_number AS nhsNumber, uprn FROM e_pupil WHERE uprn IN ${KEYS}`,
    ),
    pupils:
      store.batch<PupilRow>(`SELECT nhs_number AS nhsNumber, name, date_of_birth AS dateOfBirth, household_id AS householdId, school_urn AS schoolUrn,
      home_address AS homeAddress, attendance_rate AS attendanceRate, sessions_possible AS sessionsPossible, sen_status AS senStatus, sen_detail AS senDetail,
      ehe AS electiveHomeEducation, cme AS childMissingEducation, pastoral_notes AS pastoralNotes, uprn
      FROM e_pupil WHERE nhs_number IN ${KEYS}`),
    schools: store.batch<SchoolRow>(`SELECT urn, name, la AS localAuthority, phase FROM e_school WHERE urn IN ${KEYS}`),
    suspensions: store.batch<SuspensionRow>(
      `SELECT id, nhs_number AS nhsNumber, date, days, reason FROM e_suspension WHERE nhs_number IN ${KEYS} ORDER BY date DESC`,
    ),
    exclusions: store.batch<ExclusionRow>(
      `SELECT id, nhs_number AS nhsNumber, date, reason FROM e_exclusion WHERE nhs_number IN ${KEYS} ORDER BY date DESC`,
    ),
    dslConcerns: store.batch<DslConcernRow>(
      `SELECT id, nhs_number AS nhsNumber, date, category, summary FROM e_dsl_concern WHERE nhs_number IN ${KEYS} ORDER BY date DESC`,
    ),
  };
}

export type EducationQueries = ReturnType<typeof educationQueries>;
