import type { FactTables, SqlStore } from '@macpt/subgraph-kit';

/** Education's tables; every column a query filters or joins on is indexed. */
const DDL = `
CREATE TABLE IF NOT EXISTS e_school (urn TEXT PRIMARY KEY, name TEXT NOT NULL, la TEXT NOT NULL, phase TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS e_pupil (
  nhs_number TEXT PRIMARY KEY, name TEXT NOT NULL, date_of_birth TEXT NOT NULL, household_id TEXT NOT NULL, school_urn TEXT,
  home_address TEXT NOT NULL, attendance_rate REAL, sessions_possible INTEGER NOT NULL, sen_status TEXT NOT NULL, sen_detail TEXT,
  ehe INTEGER NOT NULL, cme INTEGER NOT NULL, pastoral_notes TEXT, uprn TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS e_pupil_school ON e_pupil (school_urn);
CREATE INDEX IF NOT EXISTS e_pupil_household ON e_pupil (household_id);
CREATE INDEX IF NOT EXISTS e_pupil_uprn ON e_pupil (uprn);
CREATE TABLE IF NOT EXISTS e_suspension (id TEXT PRIMARY KEY, nhs_number TEXT NOT NULL, date TEXT NOT NULL, days INTEGER NOT NULL, reason TEXT NOT NULL) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS e_suspension_child ON e_suspension (nhs_number);
CREATE TABLE IF NOT EXISTS e_exclusion (id TEXT PRIMARY KEY, nhs_number TEXT NOT NULL, date TEXT NOT NULL, reason TEXT NOT NULL) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS e_exclusion_child ON e_exclusion (nhs_number);
CREATE TABLE IF NOT EXISTS e_dsl_concern (id TEXT PRIMARY KEY, nhs_number TEXT NOT NULL, date TEXT NOT NULL, category TEXT NOT NULL, summary TEXT NOT NULL) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS e_dsl_concern_child ON e_dsl_concern (nhs_number);
`;

/** Creates the tables and indexes if they do not exist. */
export function migrate(store: SqlStore): void {
  store.db.exec(DDL);
}

/** The tables `/facts` reads, and which children a change to a row of each concerns: the agency's change feed. */
export const FACT_TABLES: FactTables = {
  e_pupil: 'SELECT ROW.nhs_number AS s',
};
