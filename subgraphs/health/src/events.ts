import { randomUUID } from 'node:crypto';
import { recordWithEvent, type AgencyEvent, type SqlStore } from '@macpt/subgraph-kit';

/** Refuses a child this agency holds no record of (an event is about a child it knows). */
function known(store: SqlStore, nhsNumber: string): void {
  if (!store.db.prepare('SELECT 1 FROM h_patient WHERE nhs_number = ?').get(nhsNumber))
    throw new Error(`health holds no record for ${nhsNumber}`);
}

/** What health's systems record that the partnership is told of: each change and its event in one transaction. */
export const healthEvents: Record<string, AgencyEvent> = {
  /** An attendance at A&E (unscheduled care): CP-IS tells the child's MACPT when the child is on a plan. */
  'ae-attendance': (store, nhsNumber, at) => {
    known(store, nhsNumber);
    const date = at.slice(0, 10);
    const detail = { date, hospital: 'Leicester Royal Infirmary (synthetic)', injuryCode: 'T14.0' };
    return recordWithEvent(store, { kind: 'ae-attendance', nhsNumber, detail, occurredAt: at }, () => {
      store.db
        .prepare(
          'INSERT INTO h_ae (id, nhs_number, date, hospital, injury_code, description) VALUES (?, ?, ?, ?, ?, ?)',
        )
        .run(`ae-${randomUUID()}`, nhsNumber, date, detail.hospital, detail.injuryCode, 'Synthetic attendance');
    });
  },
};
