import type { SqlStore } from '@macpt/subgraph-kit';
import { GP_PRACTICES, type Household } from '@macpt/synthetic';

/** Returns a function that writes health's part of one household (call inside a transaction). */
export function healthWriter(store: SqlStore): (household: Household) => void {
  const db = store.db;
  const practice = db.prepare('INSERT OR IGNORE INTO h_practice VALUES (?, ?)');
  for (const p of GP_PRACTICES) practice.run(p.odsCode, p.name);
  const patient = db.prepare('INSERT INTO h_patient VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)');
  const flag = db.prepare('INSERT INTO h_location_flag VALUES (?, ?)');
  const ae = db.prepare('INSERT INTO h_ae VALUES (?, ?, ?, ?, ?, ?)');
  const wnb = db.prepare('INSERT INTO h_wnb VALUES (?, ?, ?, ?)');
  const imm = db.prepare('INSERT INTO h_immunisation VALUES (?, ?, ?, ?)');
  const camhs = db.prepare('INSERT INTO h_camhs VALUES (?, ?, ?, ?, ?)');
  const sh = db.prepare('INSERT INTO h_sexual_health VALUES (?, ?, ?, ?, ?, ?)');
  const maternity = db.prepare('INSERT INTO h_maternity VALUES (?, ?, ?, ?)');
  return (household) => {
    if (household.confidentialBy === 'health') flag.run(household.uprn, 'S_FLAG');
    for (const m of household.health.maternityConcerns) maternity.run(m.id, household.id, m.date, m.concern);
    for (const c of household.children) {
      const h = c.health;
      const n = c.nhsNumber;
      patient.run(
        n,
        c.name,
        c.dateOfBirth,
        c.sex,
        household.id,
        household.address,
        household.postcode,
        h.gpPractice,
        h.professional.kind,
        h.professional.name,
        household.uprn,
      );
      for (const a of h.aeAttendances) ae.run(a.id, n, a.date, a.hospital, a.injuryCode, a.description);
      for (const w of h.wasNotBrought) wnb.run(w.id, n, w.date, w.clinic);
      for (const i of h.immunisations) imm.run(n, i.vaccine, i.status, i.date);
      for (const x of h.camhs) camhs.run(x.id, n, x.referredOn, x.status, x.concern);
      for (const s of h.sexualHealth) sh.run(s.id, n, s.date, s.service, s.note, s.confidential ? 1 : 0);
    }
  };
}

/** What the dev launcher seeds this agency's store with: its tables, and its part of each synthetic household. */
export { migrate } from './schema.js';
export { healthWriter as writer };
