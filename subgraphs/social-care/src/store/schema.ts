import { EVERY_CHILD, type FactTables, type SqlStore } from '@macpt/subgraph-kit';

/** Social care's tables; every column a query filters or joins on is indexed. */
const DDL = `
CREATE TABLE IF NOT EXISTS sc_child (
  nhs_number TEXT PRIMARY KEY, name TEXT NOT NULL, date_of_birth TEXT NOT NULL, la TEXT NOT NULL,
  household_id TEXT NOT NULL, looked_after INTEGER NOT NULL, placement_address TEXT, adoption_details TEXT,
  uprn TEXT NOT NULL, sex TEXT, ethnicity TEXT
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS sc_child_household ON sc_child (household_id);
CREATE INDEX IF NOT EXISTS sc_child_uprn ON sc_child (uprn);
-- Households whose location this agency has flagged confidential, by UPRN: the flag covers every child living there.
CREATE TABLE IF NOT EXISTS sc_location_flag (uprn TEXT PRIMARY KEY, reason TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS sc_case (
  id TEXT PRIMARY KEY, nhs_number TEXT NOT NULL, la TEXT NOT NULL, status TEXT NOT NULL, stage TEXT NOT NULL, opened_on TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS sc_case_child ON sc_case (nhs_number);
CREATE INDEX IF NOT EXISTS sc_case_la_status ON sc_case (la, status, opened_on);
CREATE TABLE IF NOT EXISTS sc_case_worker (
  case_id TEXT NOT NULL, user_id TEXT NOT NULL, name TEXT NOT NULL, role TEXT NOT NULL, agency TEXT NOT NULL,
  PRIMARY KEY (case_id, user_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS sc_case_worker_user ON sc_case_worker (user_id);
CREATE TABLE IF NOT EXISTS sc_referral (id TEXT PRIMARY KEY, nhs_number TEXT NOT NULL, date TEXT NOT NULL, source TEXT NOT NULL, status TEXT NOT NULL, outcome TEXT) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS sc_referral_child ON sc_referral (nhs_number);
CREATE TABLE IF NOT EXISTS sc_strategy (id TEXT PRIMARY KEY, nhs_number TEXT NOT NULL, date TEXT NOT NULL, status TEXT NOT NULL, decision TEXT) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS sc_strategy_child ON sc_strategy (nhs_number);
CREATE INDEX IF NOT EXISTS sc_strategy_date ON sc_strategy (date);
CREATE TABLE IF NOT EXISTS sc_s47 (id TEXT PRIMARY KEY, nhs_number TEXT NOT NULL, started_on TEXT NOT NULL, status TEXT NOT NULL, outcome TEXT) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS sc_s47_child ON sc_s47 (nhs_number);
CREATE INDEX IF NOT EXISTS sc_s47_started ON sc_s47 (started_on);
CREATE TABLE IF NOT EXISTS sc_conference (id TEXT PRIMARY KEY, nhs_number TEXT NOT NULL, kind TEXT NOT NULL, date TEXT NOT NULL, outcome TEXT) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS sc_conference_child ON sc_conference (nhs_number);
CREATE INDEX IF NOT EXISTS sc_conference_date ON sc_conference (date);
CREATE TABLE IF NOT EXISTS sc_cp_plan (nhs_number TEXT PRIMARY KEY, category TEXT NOT NULL, start_date TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS sc_case_note (id TEXT PRIMARY KEY, nhs_number TEXT NOT NULL, date TEXT NOT NULL, author TEXT NOT NULL, text TEXT NOT NULL) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS sc_case_note_child ON sc_case_note (nhs_number);
`;

/** Creates the tables and indexes if they do not exist. */
export function migrate(store: SqlStore): void {
  store.db.exec(DDL);
}

/** Number of children in the store (0 means it needs seeding). */
export function childCount(store: SqlStore): number {
  return (store.db.prepare('SELECT count(*) AS n FROM sc_child').get() as { n: number }).n;
}

/** The tables `/facts` reads, and which children a change to a row of each concerns: the agency's change feed. */
export const FACT_TABLES: FactTables = {
  sc_child: 'SELECT ROW.nhs_number AS s',
  sc_location_flag: EVERY_CHILD,
  sc_case: 'SELECT ROW.nhs_number AS s',
  sc_case_worker: 'SELECT nhs_number AS s FROM sc_case WHERE id = ROW.case_id',
};
