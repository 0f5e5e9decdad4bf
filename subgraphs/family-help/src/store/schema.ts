import type { FactTables, SqlStore } from '@macpt/subgraph-kit';

/** Family Help's tables: the family (its lead practitioner and plan), its children, and what happened with it. */
const DDL = `
CREATE TABLE IF NOT EXISTS fh_family (
  family_id TEXT PRIMARY KEY, la TEXT NOT NULL, lead_user_id TEXT NOT NULL, lead_name TEXT NOT NULL, lead_team TEXT NOT NULL,
  plan_start TEXT NOT NULL, plan_status TEXT NOT NULL, goals TEXT NOT NULL, review_dates TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS fh_child (
  nhs_number TEXT PRIMARY KEY, family_id TEXT NOT NULL, name TEXT NOT NULL, date_of_birth TEXT NOT NULL, uprn TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS fh_child_family ON fh_child (family_id);
CREATE INDEX IF NOT EXISTS fh_child_uprn ON fh_child (uprn);
CREATE TABLE IF NOT EXISTS fh_assessment (id TEXT PRIMARY KEY, family_id TEXT NOT NULL, date TEXT NOT NULL, outcome TEXT NOT NULL) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS fh_assessment_family ON fh_assessment (family_id);
CREATE TABLE IF NOT EXISTS fh_transition (id TEXT PRIMARY KEY, family_id TEXT NOT NULL, date TEXT NOT NULL, direction TEXT NOT NULL, reason TEXT NOT NULL) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS fh_transition_family ON fh_transition (family_id);
CREATE TABLE IF NOT EXISTS fh_team_member (family_id TEXT NOT NULL, seq INTEGER NOT NULL, role TEXT NOT NULL, agency TEXT NOT NULL, name TEXT NOT NULL, PRIMARY KEY (family_id, seq)) WITHOUT ROWID;
`;

/** Creates the tables and indexes if they do not exist. */
export function migrate(store: SqlStore): void {
  store.db.exec(DDL);
}

/** The tables `/facts` reads, and which children a change to a row of each concerns: the agency's change feed. */
export const FACT_TABLES: FactTables = {
  fh_child: 'SELECT ROW.nhs_number AS s',
  fh_family: 'SELECT nhs_number AS s FROM fh_child WHERE family_id = ROW.family_id',
};
