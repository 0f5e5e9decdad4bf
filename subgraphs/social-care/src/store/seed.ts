import type { SqlStore } from '@macpt/subgraph-kit';
import { MACPT_TEAMS, type Household } from '@macpt/synthetic';

const WORKERS = new Map(
  Object.values(MACPT_TEAMS)
    .flat()
    .map((w) => [w.id, w]),
);

/** Returns a function that writes social care's part of one household (call inside a transaction). */
export function socialCareWriter(store: SqlStore): (household: Household) => void {
  const db = store.db;
  const child = db.prepare('INSERT INTO sc_child VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)');
  const flag = db.prepare('INSERT INTO sc_location_flag VALUES (?, ?)');
  const kase = db.prepare('INSERT INTO sc_case VALUES (?, ?, ?, ?, ?, ?)');
  const worker = db.prepare('INSERT INTO sc_case_worker VALUES (?, ?, ?, ?, ?)');
  const referral = db.prepare('INSERT INTO sc_referral VALUES (?, ?, ?, ?, ?, ?)');
  const strategy = db.prepare('INSERT INTO sc_strategy VALUES (?, ?, ?, ?, ?)');
  const s47 = db.prepare('INSERT INTO sc_s47 VALUES (?, ?, ?, ?, ?)');
  const conference = db.prepare('INSERT INTO sc_conference VALUES (?, ?, ?, ?, ?)');
  const plan = db.prepare('INSERT INTO sc_cp_plan VALUES (?, ?, ?)');
  const note = db.prepare('INSERT INTO sc_case_note VALUES (?, ?, ?, ?, ?)');
  return (household) => {
    if (household.confidentialBy === 'social-care') flag.run(household.uprn, 'ADOPTIVE_PLACEMENT');
    for (const c of household.children) {
      const sc = c.socialCare;
      if (!sc) continue;
      const n = c.nhsNumber;
      child.run(
        n,
        c.name,
        c.dateOfBirth,
        household.la,
        household.id,
        sc.lookedAfter ? 1 : 0,
        sc.placementAddress,
        sc.adoptionDetails,
        household.uprn,
        c.sex,
        c.ethnicity,
      );
      if (sc.caseId && sc.stage && sc.caseOpenedOn) {
        kase.run(sc.caseId, n, household.la, 'OPEN', sc.stage, sc.caseOpenedOn);
        for (const id of sc.namedWorkers) {
          const w = WORKERS.get(id);
          if (w) worker.run(sc.caseId, w.id, w.name, w.role, w.agency);
        }
      }
      for (const r of sc.referrals) referral.run(r.id, n, r.date, r.source, r.status, r.outcome);
      for (const s of sc.strategyDiscussions) strategy.run(s.id, n, s.date, s.status, s.decision);
      for (const s of sc.section47) s47.run(s.id, n, s.startedOn, s.status, s.outcome);
      for (const k of sc.conferences) conference.run(k.id, n, k.kind, k.date, k.outcome);
      if (sc.cpPlan) plan.run(n, sc.cpPlan.category, sc.cpPlan.startDate);
      for (const x of sc.caseNotes) note.run(x.id, n, x.date, x.author, x.text);
    }
  };
}

/** What the dev launcher seeds this agency's store with: its tables, and its part of each synthetic household. */
export { migrate } from './schema.js';
export { socialCareWriter as writer };
