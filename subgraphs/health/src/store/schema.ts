import { EVERY_CHILD, type FactTables, type SqlStore } from '@macpt/subgraph-kit';

/** Health's tables; every column a query filters or joins on is indexed. */
const DDL = `
CREATE TABLE IF NOT EXISTS h_patient (
  nhs_number TEXT PRIMARY KEY, name TEXT NOT NULL, date_of_birth TEXT NOT NULL, sex TEXT NOT NULL, household_id TEXT NOT NULL,
  address TEXT NOT NULL, postcode TEXT NOT NULL, gp_practice TEXT NOT NULL, professional_kind TEXT NOT NULL, professional_name TEXT NOT NULL,
  uprn TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS h_patient_household ON h_patient (household_id);
CREATE INDEX IF NOT EXISTS h_patient_uprn ON h_patient (uprn);
-- Households whose location this agency has flagged confidential, by UPRN: the flag covers every child living there.
CREATE TABLE IF NOT EXISTS h_location_flag (uprn TEXT PRIMARY KEY, reason TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS h_practice (ods_code TEXT PRIMARY KEY, name TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS h_ae (id TEXT PRIMARY KEY, nhs_number TEXT NOT NULL, date TEXT NOT NULL, hospital TEXT NOT NULL, injury_code TEXT NOT NULL, description TEXT NOT NULL) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS h_ae_child ON h_ae (nhs_number, date);
CREATE TABLE IF NOT EXISTS h_wnb (id TEXT PRIMARY KEY, nhs_number TEXT NOT NULL, date TEXT NOT NULL, clinic TEXT NOT NULL) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS h_wnb_child ON h_wnb (nhs_number);
CREATE TABLE IF NOT EXISTS h_immunisation (nhs_number TEXT NOT NULL, vaccine TEXT NOT NULL, status TEXT NOT NULL, date TEXT, PRIMARY KEY (nhs_number, vaccine)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS h_camhs (id TEXT PRIMARY KEY, nhs_number TEXT NOT NULL, referred_on TEXT NOT NULL, status TEXT NOT NULL, concern TEXT NOT NULL) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS h_camhs_child ON h_camhs (nhs_number);
CREATE TABLE IF NOT EXISTS h_sexual_health (id TEXT PRIMARY KEY, nhs_number TEXT NOT NULL, date TEXT NOT NULL, service TEXT NOT NULL, note TEXT NOT NULL, confidential INTEGER NOT NULL) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS h_sexual_health_child ON h_sexual_health (nhs_number);
CREATE TABLE IF NOT EXISTS h_maternity (id TEXT PRIMARY KEY, household_id TEXT NOT NULL, date TEXT NOT NULL, concern TEXT NOT NULL) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS h_maternity_household ON h_maternity (household_id);
`;

/** Creates the tables and indexes if they do not exist. */
export function migrate(store: SqlStore): void {
  store.db.exec(DDL);
}

/** The tables `/facts` reads, and which children a change to a row of each concerns: the agency's change feed. */
export const FACT_TABLES: FactTables = {
  h_patient: 'SELECT ROW.nhs_number AS s',
  h_location_flag: EVERY_CHILD,
};
