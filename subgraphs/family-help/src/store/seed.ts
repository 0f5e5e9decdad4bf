import type { SqlStore } from '@macpt/subgraph-kit';
import type { Household } from '@macpt/synthetic';

/** Returns a function that writes Family Help's part of one household (call inside a transaction). */
export function familyHelpWriter(store: SqlStore): (household: Household) => void {
  const db = store.db;
  const family = db.prepare('INSERT OR IGNORE INTO fh_family VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)');
  const child = db.prepare('INSERT INTO fh_child VALUES (?, ?, ?, ?, ?)');
  const assessment = db.prepare('INSERT OR IGNORE INTO fh_assessment VALUES (?, ?, ?, ?)');
  const transition = db.prepare('INSERT OR IGNORE INTO fh_transition VALUES (?, ?, ?, ?, ?)');
  const member = db.prepare('INSERT OR IGNORE INTO fh_team_member VALUES (?, ?, ?, ?, ?)');
  return (household) => {
    for (const c of household.children) {
      const f = c.familyHelp;
      if (!f) continue;
      const { leadPractitioner: lead, plan } = f;
      family.run(
        f.familyId,
        household.la,
        lead.userId,
        lead.name,
        lead.team,
        plan.startDate,
        plan.status,
        JSON.stringify(plan.goals),
        JSON.stringify(plan.reviewDates),
      );
      child.run(c.nhsNumber, f.familyId, c.name, c.dateOfBirth, household.uprn);
      for (const a of f.assessments) assessment.run(a.id, f.familyId, a.date, a.outcome);
      for (const t of f.transitions) transition.run(t.id, f.familyId, t.date, t.direction, t.reason);
      f.teamAroundTheFamily.forEach((m, i) => member.run(f.familyId, i, m.role, m.agency, m.name));
    }
  };
}

/** What the dev launcher seeds this agency's store with: its tables, and its part of each synthetic household. */
export { migrate } from './schema.js';
export { familyHelpWriter as writer };
