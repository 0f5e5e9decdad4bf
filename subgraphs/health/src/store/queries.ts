import type { SqlStore } from '@macpt/subgraph-kit';

export interface PatientRow {
  nhsNumber: string;
  name: string;
  dateOfBirth: string;
  sex: string;
  householdId: string;
  address: string;
  postcode: string;
  gpPractice: string;
  professionalKind: string;
  professionalName: string;
  uprn: string;
  locationFlagged: number;
}
export interface PracticeRow {
  odsCode: string;
  name: string;
}
export interface AeRow {
  id: string;
  nhsNumber: string;
  date: string;
  hospital: string;
  injuryCode: string;
  description: string;
}
export interface WnbRow {
  id: string;
  nhsNumber: string;
  date: string;
  clinic: string;
}
export interface ImmunisationRow {
  nhsNumber: string;
  vaccine: string;
  status: string;
  date: string | null;
}
export interface CamhsRow {
  id: string;
  nhsNumber: string;
  referredOn: string;
  status: string;
  concern: string;
}
export interface SexualHealthRow {
  id: string;
  nhsNumber: string;
  date: string;
  service: string;
  note: string;
  confidential: number;
}
export interface MaternityRow {
  id: string;
  householdId: string;
  date: string;
  concern: string;
}

const KEYS = '(SELECT value FROM json_each(?))';

/** Health's prepared queries: each batched one takes any number of keys in one statement. */
export function healthQueries(store: SqlStore) {
  return {
    /** The children living at these households (UPRNs). */
    residents: store.batch<{ nhsNumber: string; uprn: string }>(
      `SELECT nhs_number AS nhsNumber, uprn FROM h_patient WHERE uprn IN ${KEYS}`,
    ),
    patients:
      store.batch<PatientRow>(`SELECT nhs_number AS nhsNumber, name, date_of_birth AS dateOfBirth, sex, household_id AS householdId, address, postcode,
      gp_practice AS gpPractice, professional_kind AS professionalKind, professional_name AS professionalName, uprn,
      EXISTS (SELECT 1 FROM h_location_flag f WHERE f.uprn = h_patient.uprn) AS locationFlagged
      FROM h_patient WHERE nhs_number IN ${KEYS}`),
    flaggedHouseholds: store.batch<{ uprn: string }>(`SELECT uprn FROM h_location_flag WHERE uprn IN ${KEYS}`),
    practices: store.batch<PracticeRow>(`SELECT ods_code AS odsCode, name FROM h_practice WHERE ods_code IN ${KEYS}`),
    ae: store.batch<AeRow>(
      `SELECT id, nhs_number AS nhsNumber, date, hospital, injury_code AS injuryCode, description FROM h_ae WHERE nhs_number IN ${KEYS} ORDER BY date DESC`,
    ),
    wnb: store.batch<WnbRow>(
      `SELECT id, nhs_number AS nhsNumber, date, clinic FROM h_wnb WHERE nhs_number IN ${KEYS} ORDER BY date DESC`,
    ),
    immunisations: store.batch<ImmunisationRow>(
      `SELECT nhs_number AS nhsNumber, vaccine, status, date FROM h_immunisation WHERE nhs_number IN ${KEYS}`,
    ),
    camhs: store.batch<CamhsRow>(
      `SELECT id, nhs_number AS nhsNumber, referred_on AS referredOn, status, concern FROM h_camhs WHERE nhs_number IN ${KEYS} ORDER BY referred_on DESC`,
    ),
    sexualHealth: store.batch<SexualHealthRow>(
      `SELECT id, nhs_number AS nhsNumber, date, service, note, confidential FROM h_sexual_health WHERE nhs_number IN ${KEYS} ORDER BY date DESC`,
    ),
    maternity: store.batch<MaternityRow>(
      `SELECT id, household_id AS householdId, date, concern FROM h_maternity WHERE household_id IN ${KEYS} ORDER BY date DESC`,
    ),
  };
}

export type HealthQueries = ReturnType<typeof healthQueries>;
