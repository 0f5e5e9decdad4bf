import type { SqlStore } from '@macpt/subgraph-kit';

export interface ChildRow {
  nhsNumber: string;
  familyId: string;
  name: string;
  dateOfBirth: string;
  uprn: string;
}
export interface FamilyRow {
  familyId: string;
  la: string;
  leadUserId: string;
  leadName: string;
  leadTeam: string;
  planStart: string;
  planStatus: string;
  goals: string;
  reviewDates: string;
}
export interface AssessmentRow {
  id: string;
  familyId: string;
  date: string;
  outcome: string;
}
export interface TransitionRow {
  id: string;
  familyId: string;
  date: string;
  direction: string;
  reason: string;
}
export interface TeamMemberRow {
  familyId: string;
  role: string;
  agency: string;
  name: string;
}

const KEYS = '(SELECT value FROM json_each(?))';

/** Family Help's prepared queries: each batched one takes any number of keys in one statement. */
export function familyHelpQueries(store: SqlStore) {
  return {
    /** The children living at these households (UPRNs). */
    residents: store.batch<{ nhsNumber: string; uprn: string }>(
      `SELECT nhs_number AS nhsNumber, uprn FROM fh_child WHERE uprn IN ${KEYS}`,
    ),
    children: store.batch<ChildRow>(
      `SELECT nhs_number AS nhsNumber, family_id AS familyId, name, date_of_birth AS dateOfBirth, uprn FROM fh_child WHERE nhs_number IN ${KEYS}`,
    ),
    families:
      store.batch<FamilyRow>(`SELECT family_id AS familyId, la, lead_user_id AS leadUserId, lead_name AS leadName,
      lead_team AS leadTeam, plan_start AS planStart, plan_status AS planStatus, goals, review_dates AS reviewDates
      FROM fh_family WHERE family_id IN ${KEYS}`),
    assessments: store.batch<AssessmentRow>(
      `SELECT id, family_id AS familyId, date, outcome FROM fh_assessment WHERE family_id IN ${KEYS} ORDER BY date DESC`,
    ),
    transitions: store.batch<TransitionRow>(
      `SELECT id, family_id AS familyId, date, direction, reason FROM fh_transition WHERE family_id IN ${KEYS} ORDER BY date DESC`,
    ),
    team: store.batch<TeamMemberRow>(
      `SELECT family_id AS familyId, role, agency, name FROM fh_team_member WHERE family_id IN ${KEYS} ORDER BY seq`,
    ),
  };
}

export type FamilyHelpQueries = ReturnType<typeof familyHelpQueries>;
