import type { SqlStore } from '@macpt/subgraph-kit';
import { SCHOOLS, type Household } from '@macpt/synthetic';

/** Returns a function that writes education's part of one household (call inside a transaction). */
export function educationWriter(store: SqlStore): (household: Household) => void {
  const db = store.db;
  const school = db.prepare('INSERT OR IGNORE INTO e_school VALUES (?, ?, ?, ?)');
  for (const s of SCHOOLS) school.run(s.urn, s.name, s.la, s.phase);
  const pupil = db.prepare('INSERT INTO e_pupil VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)');
  const suspension = db.prepare('INSERT INTO e_suspension VALUES (?, ?, ?, ?, ?)');
  const exclusion = db.prepare('INSERT INTO e_exclusion VALUES (?, ?, ?, ?)');
  const concern = db.prepare('INSERT INTO e_dsl_concern VALUES (?, ?, ?, ?, ?)');
  return (household) => {
    for (const c of household.children) {
      const e = c.education;
      if (!e) continue;
      const n = c.nhsNumber;
      pupil.run(
        n,
        c.name,
        c.dateOfBirth,
        household.id,
        e.schoolUrn,
        household.address,
        e.attendanceRate,
        e.sessionsPossible,
        e.sen,
        e.senDetail,
        e.electiveHomeEducation ? 1 : 0,
        e.childMissingEducation ? 1 : 0,
        e.pastoralNotes,
        household.uprn,
      );
      for (const s of e.suspensions) suspension.run(s.id, n, s.date, s.days, s.reason);
      for (const x of e.exclusions) exclusion.run(x.id, n, x.date, x.reason);
      for (const d of e.dslConcerns) concern.run(d.id, n, d.date, d.category, d.summary);
    }
  };
}

/** What the dev launcher seeds this agency's store with: its tables, and its part of each synthetic household. */
export { migrate } from './schema.js';
export { educationWriter as writer };
