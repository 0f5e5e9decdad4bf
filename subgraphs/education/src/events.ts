import { randomUUID } from 'node:crypto';
import { recordWithEvent, type AgencyEvent, type SqlStore } from '@macpt/subgraph-kit';

/** Refuses a child this agency holds no record of (an event is about a child it knows). */
function known(store: SqlStore, nhsNumber: string): void {
  if (!store.db.prepare('SELECT 1 FROM e_pupil WHERE nhs_number = ?').get(nhsNumber))
    throw new Error(`education holds no record for ${nhsNumber}`);
}

/** What schools record that the partnership is told of: each change and its event in one transaction. */
export const educationEvents: Record<string, AgencyEvent> = {
  suspension: (store, nhsNumber, at) => {
    known(store, nhsNumber);
    const detail = { date: at.slice(0, 10), days: 2 };
    return recordWithEvent(store, { kind: 'suspension', nhsNumber, detail, occurredAt: at }, () => {
      store.db
        .prepare('INSERT INTO e_suspension (id, nhs_number, date, days, reason) VALUES (?, ?, ?, ?, ?)')
        .run(`su-${randomUUID()}`, nhsNumber, detail.date, detail.days, 'Persistent disruptive behaviour');
    });
  },
  'missing-education': (store, nhsNumber, at) => {
    known(store, nhsNumber);
    const detail = { date: at.slice(0, 10) };
    return recordWithEvent(store, { kind: 'missing-education', nhsNumber, detail, occurredAt: at }, () => {
      store.db.prepare('UPDATE e_pupil SET cme = 1 WHERE nhs_number = ?').run(nhsNumber);
    });
  },
};
