import type { SqlStore } from '@macpt/subgraph-kit';
import type { Household } from '@macpt/synthetic';

/** Returns a function that writes police's part of one household (call inside a transaction). */
export function policeWriter(store: SqlStore): (household: Household) => void {
  const db = store.db;
  const person = db.prepare('INSERT INTO p_person VALUES (?, ?, ?, ?, ?)');
  const flag = db.prepare('INSERT INTO p_location_flag VALUES (?, ?)');
  const incident = db.prepare('INSERT INTO p_incident VALUES (?, ?, ?, ?, ?, ?, ?)');
  const da = db.prepare('INSERT INTO p_domestic_abuse VALUES (?, ?, ?, ?, ?)');
  const encompass = db.prepare('INSERT INTO p_encompass VALUES (?, ?, ?, ?, ?)');
  const missing = db.prepare('INSERT INTO p_missing VALUES (?, ?, ?, ?, ?)');
  const exploitation = db.prepare('INSERT INTO p_exploitation VALUES (?, ?, ?, ?)');
  const protection = db.prepare('INSERT INTO p_protection VALUES (?, ?, ?, ?)');
  const intelligence = db.prepare('INSERT INTO p_intelligence VALUES (?, ?, ?, ?, ?)');
  const offence = db.prepare('INSERT INTO p_adult_offence VALUES (?, ?, ?, ?, ?, ?, ?)');
  return (household) => {
    // A refuge address is flagged for the household, whether or not police know each child in it.
    if (household.confidentialBy === 'police') flag.run(household.uprn, 'REFUGE');
    const involved = household.children.filter((c) => c.police !== null);
    if (involved.length === 0) return;
    for (const d of household.police.domesticAbuse) da.run(d.id, household.id, d.date, d.risk, d.location);
    for (const o of household.police.adultOffending) {
      const adult = household.adults.find((a) => a.id === o.adultId);
      offence.run(
        o.id,
        household.id,
        adult?.name ?? 'Unknown adult',
        adult?.relationship ?? 'UNKNOWN',
        o.offence,
        o.date,
        o.outcome,
      );
    }
    for (const c of involved) {
      const p = c.police!;
      const n = c.nhsNumber;
      person.run(n, c.name, c.dateOfBirth, household.id, household.uprn);
      for (const i of p.incidents) incident.run(i.id, n, i.date, i.kind, i.involvement, i.location, i.summary);
      for (const e of p.encompass) encompass.run(e.id, n, e.incidentId, e.schoolUrn, e.sentAt);
      for (const m of p.missingEpisodes) missing.run(m.id, n, m.reportedOn, m.durationHours, m.returnInterview ? 1 : 0);
      if (p.exploitation)
        exploitation.run(n, p.exploitation.cse ? 1 : 0, p.exploitation.cce ? 1 : 0, p.exploitation.assessedOn);
      for (const x of p.policeProtection) protection.run(x.id, n, x.date, x.reason);
      for (const x of p.intelligence) intelligence.run(x.id, n, x.date, x.handlingCode, x.summary);
    }
  };
}

/** What the dev launcher seeds this agency's store with: its tables, and its part of each synthetic household. */
export { migrate } from './schema.js';
export { policeWriter as writer };
