import type { SqlStore } from '@macpt/subgraph-kit';

export interface ChildRow {
  nhsNumber: string;
  name: string;
  dateOfBirth: string;
  localAuthority: string;
  householdId: string;
  lookedAfter: boolean;
  placementAddress: string | null;
  adoptionDetails: string | null;
  uprn: string;
  locationFlagged: number;
}
export interface CaseRow {
  id: string;
  nhsNumber: string;
  localAuthority: string;
  status: string;
  stage: string;
  openedOn: string;
}
export interface WorkerRow {
  caseId: string;
  userId: string;
  name: string;
  role: string;
  agency: string;
}
export interface ReferralRow {
  id: string;
  nhsNumber: string;
  date: string;
  source: string;
  status: string;
  outcome: string | null;
}
export interface StrategyRow {
  id: string;
  nhsNumber: string;
  date: string;
  status: string;
  decision: string | null;
}
export interface S47Row {
  id: string;
  nhsNumber: string;
  startedOn: string;
  status: string;
  outcome: string | null;
}
export interface ConferenceRow {
  id: string;
  nhsNumber: string;
  kind: string;
  date: string;
  outcome: string | null;
}
export interface CpPlanRow {
  nhsNumber: string;
  category: string;
  startDate: string;
}
export interface CaseNoteRow {
  id: string;
  nhsNumber: string;
  date: string;
  author: string;
  text: string;
}

const KEYS = '(SELECT value FROM json_each(?))';

/** Social care's prepared queries: each batched one takes any number of keys in one statement. */
export function socialCareQueries(store: SqlStore) {
  return {
    /** The children living at these households (UPRNs). */
    residents: store.batch<{ nhsNumber: string; uprn: string }>(
      `SELECT nhs_number AS nhsNumber, uprn FROM sc_child WHERE uprn IN ${KEYS}`,
    ),
    children:
      store.batch<ChildRow>(`SELECT nhs_number AS nhsNumber, name, date_of_birth AS dateOfBirth, la AS localAuthority, household_id AS householdId,
      looked_after = 1 AS lookedAfter, placement_address AS placementAddress, adoption_details AS adoptionDetails, uprn,
      EXISTS (SELECT 1 FROM sc_location_flag f WHERE f.uprn = sc_child.uprn) AS locationFlagged
      FROM sc_child WHERE nhs_number IN ${KEYS}`),
    flaggedHouseholds: store.batch<{ uprn: string }>(`SELECT uprn FROM sc_location_flag WHERE uprn IN ${KEYS}`),
    casesByChild:
      store.batch<CaseRow>(`SELECT id, nhs_number AS nhsNumber, la AS localAuthority, status, stage, opened_on AS openedOn
      FROM sc_case WHERE nhs_number IN ${KEYS} ORDER BY opened_on DESC`),
    casesById: store.batch<CaseRow>(
      `SELECT id, nhs_number AS nhsNumber, la AS localAuthority, status, stage, opened_on AS openedOn FROM sc_case WHERE id IN ${KEYS}`,
    ),
    casesByLa:
      store.query<CaseRow>(`SELECT id, nhs_number AS nhsNumber, la AS localAuthority, status, stage, opened_on AS openedOn
      FROM sc_case WHERE la = ? AND status = ? ORDER BY opened_on DESC, id`),
    workers: store.batch<WorkerRow>(
      `SELECT case_id AS caseId, user_id AS userId, name, role, agency FROM sc_case_worker WHERE case_id IN ${KEYS} ORDER BY case_id, role, user_id`,
    ),
    referrals: store.batch<ReferralRow>(
      `SELECT id, nhs_number AS nhsNumber, date, source, status, outcome FROM sc_referral WHERE nhs_number IN ${KEYS} ORDER BY date DESC`,
    ),
    strategy: store.batch<StrategyRow>(
      `SELECT id, nhs_number AS nhsNumber, date, status, decision FROM sc_strategy WHERE nhs_number IN ${KEYS} ORDER BY date DESC`,
    ),
    s47: store.batch<S47Row>(
      `SELECT id, nhs_number AS nhsNumber, started_on AS startedOn, status, outcome FROM sc_s47 WHERE nhs_number IN ${KEYS} ORDER BY started_on DESC`,
    ),
    conferences: store.batch<ConferenceRow>(
      `SELECT id, nhs_number AS nhsNumber, kind, date, outcome FROM sc_conference WHERE nhs_number IN ${KEYS} ORDER BY date DESC`,
    ),
    cpPlans: store.batch<CpPlanRow>(
      `SELECT nhs_number AS nhsNumber, category, start_date AS startDate FROM sc_cp_plan WHERE nhs_number IN ${KEYS}`,
    ),
    caseNotes: store.batch<CaseNoteRow>(
      `SELECT id, nhs_number AS nhsNumber, date, author, text FROM sc_case_note WHERE nhs_number IN ${KEYS} ORDER BY date DESC`,
    ),
  };
}

export type SocialCareQueries = ReturnType<typeof socialCareQueries>;
