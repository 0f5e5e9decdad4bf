import type { SqlStore } from '@macpt/subgraph-kit';

export interface PersonRow {
  nhsNumber: string;
  name: string;
  dateOfBirth: string;
  householdId: string;
  uprn: string;
  locationFlagged: number;
}
export interface IncidentRow {
  id: string;
  nhsNumber: string;
  date: string;
  kind: string;
  involvement: string;
  location: string;
  summary: string;
}
export interface DomesticAbuseRow {
  id: string;
  householdId: string;
  date: string;
  riskLevel: string;
  location: string;
}
export interface EncompassRow {
  id: string;
  nhsNumber: string;
  incidentId: string;
  schoolUrn: string;
  sentAt: string;
}
export interface MissingRow {
  id: string;
  nhsNumber: string;
  reportedOn: string;
  durationHours: number;
  returnInterviewCompleted: number;
}
export interface ExploitationRow {
  nhsNumber: string;
  sexualExploitation: number;
  criminalExploitation: number;
  assessedOn: string;
}
export interface ProtectionRow {
  id: string;
  nhsNumber: string;
  date: string;
  reason: string;
}
export interface IntelligenceRow {
  id: string;
  nhsNumber: string;
  date: string;
  handlingCode: string;
  summary: string;
}
export interface OffenceRow {
  id: string;
  householdId: string;
  adultName: string;
  relationship: string;
  offence: string;
  date: string;
  outcome: string;
}

const KEYS = '(SELECT value FROM json_each(?))';

/** Police's prepared queries: each batched one takes any number of keys in one statement. */
export function policeQueries(store: SqlStore) {
  return {
    /** The children living at these households (UPRNs). */
    residents: store.batch<{ nhsNumber: string; uprn: string }>(
      `SELECT nhs_number AS nhsNumber, uprn FROM p_person WHERE uprn IN ${KEYS}`,
    ),
    people:
      store.batch<PersonRow>(`SELECT nhs_number AS nhsNumber, name, date_of_birth AS dateOfBirth, household_id AS householdId, uprn,
      EXISTS (SELECT 1 FROM p_location_flag f WHERE f.uprn = p_person.uprn) AS locationFlagged FROM p_person WHERE nhs_number IN ${KEYS}`),
    flaggedHouseholds: store.batch<{ uprn: string }>(`SELECT uprn FROM p_location_flag WHERE uprn IN ${KEYS}`),
    incidents: store.batch<IncidentRow>(
      `SELECT id, nhs_number AS nhsNumber, date, kind, involvement, location, summary FROM p_incident WHERE nhs_number IN ${KEYS} ORDER BY date DESC`,
    ),
    domesticAbuse: store.batch<DomesticAbuseRow>(
      `SELECT id, household_id AS householdId, date, risk_level AS riskLevel, location FROM p_domestic_abuse WHERE household_id IN ${KEYS} ORDER BY date DESC`,
    ),
    encompass: store.batch<EncompassRow>(
      `SELECT id, nhs_number AS nhsNumber, incident_id AS incidentId, school_urn AS schoolUrn, sent_at AS sentAt FROM p_encompass WHERE nhs_number IN ${KEYS} ORDER BY sent_at DESC`,
    ),
    missing: store.batch<MissingRow>(
      `SELECT id, nhs_number AS nhsNumber, reported_on AS reportedOn, duration_hours AS durationHours, return_interview AS returnInterviewCompleted FROM p_missing WHERE nhs_number IN ${KEYS} ORDER BY reported_on DESC`,
    ),
    exploitation: store.batch<ExploitationRow>(
      `SELECT nhs_number AS nhsNumber, cse AS sexualExploitation, cce AS criminalExploitation, assessed_on AS assessedOn FROM p_exploitation WHERE nhs_number IN ${KEYS}`,
    ),
    protection: store.batch<ProtectionRow>(
      `SELECT id, nhs_number AS nhsNumber, date, reason FROM p_protection WHERE nhs_number IN ${KEYS} ORDER BY date DESC`,
    ),
    intelligence: store.batch<IntelligenceRow>(
      `SELECT id, nhs_number AS nhsNumber, date, handling_code AS handlingCode, summary FROM p_intelligence WHERE nhs_number IN ${KEYS} ORDER BY date DESC`,
    ),
    offences: store.batch<OffenceRow>(
      `SELECT id, household_id AS householdId, adult_name AS adultName, relationship, offence, date, outcome FROM p_adult_offence WHERE household_id IN ${KEYS} ORDER BY date DESC`,
    ),
  };
}

export type PoliceQueries = ReturnType<typeof policeQueries>;
