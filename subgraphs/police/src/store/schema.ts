import { EVERY_CHILD, type FactTables, type SqlStore } from '@macpt/subgraph-kit';

/** Police's tables; every column a query filters or joins on is indexed. */
const DDL = `
CREATE TABLE IF NOT EXISTS p_person (
  nhs_number TEXT PRIMARY KEY, name TEXT NOT NULL, date_of_birth TEXT NOT NULL, household_id TEXT NOT NULL,
  uprn TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS p_person_household ON p_person (household_id);
CREATE INDEX IF NOT EXISTS p_person_uprn ON p_person (uprn);
-- Households whose location this agency has flagged confidential, by UPRN: the flag covers every child living there.
CREATE TABLE IF NOT EXISTS p_location_flag (uprn TEXT PRIMARY KEY, reason TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS p_incident (id TEXT PRIMARY KEY, nhs_number TEXT NOT NULL, date TEXT NOT NULL, kind TEXT NOT NULL, involvement TEXT NOT NULL, location TEXT NOT NULL, summary TEXT NOT NULL) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS p_incident_child ON p_incident (nhs_number, date);
CREATE TABLE IF NOT EXISTS p_domestic_abuse (id TEXT PRIMARY KEY, household_id TEXT NOT NULL, date TEXT NOT NULL, risk_level TEXT NOT NULL, location TEXT NOT NULL) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS p_domestic_abuse_household ON p_domestic_abuse (household_id);
CREATE TABLE IF NOT EXISTS p_encompass (id TEXT PRIMARY KEY, nhs_number TEXT NOT NULL, incident_id TEXT NOT NULL, school_urn TEXT NOT NULL, sent_at TEXT NOT NULL) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS p_encompass_child ON p_encompass (nhs_number);
CREATE TABLE IF NOT EXISTS p_missing (id TEXT PRIMARY KEY, nhs_number TEXT NOT NULL, reported_on TEXT NOT NULL, duration_hours INTEGER NOT NULL, return_interview INTEGER NOT NULL) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS p_missing_child ON p_missing (nhs_number);
CREATE TABLE IF NOT EXISTS p_exploitation (nhs_number TEXT PRIMARY KEY, cse INTEGER NOT NULL, cce INTEGER NOT NULL, assessed_on TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS p_protection (id TEXT PRIMARY KEY, nhs_number TEXT NOT NULL, date TEXT NOT NULL, reason TEXT NOT NULL) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS p_protection_child ON p_protection (nhs_number);
CREATE TABLE IF NOT EXISTS p_intelligence (id TEXT PRIMARY KEY, nhs_number TEXT NOT NULL, date TEXT NOT NULL, handling_code TEXT NOT NULL, summary TEXT NOT NULL) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS p_intelligence_child ON p_intelligence (nhs_number);
CREATE TABLE IF NOT EXISTS p_adult_offence (id TEXT PRIMARY KEY, household_id TEXT NOT NULL, adult_name TEXT NOT NULL, relationship TEXT NOT NULL, offence TEXT NOT NULL, date TEXT NOT NULL, outcome TEXT NOT NULL) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS p_adult_offence_household ON p_adult_offence (household_id);
`;

/** Creates the tables and indexes if they do not exist. */
export function migrate(store: SqlStore): void {
  store.db.exec(DDL);
}

/** The tables `/facts` reads, and which children a change to a row of each concerns: the agency's change feed. */
export const FACT_TABLES: FactTables = {
  p_person: 'SELECT ROW.nhs_number AS s',
  p_location_flag: EVERY_CHILD,
};
