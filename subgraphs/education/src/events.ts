import { randomUUID } from 'node:crypto';
import { recordWithEvent, type SqlStore } from '@macpt/subgraph-kit';

const today = () => new Date().toISOString().slice(0, 10);

/** Refuses a child this agency holds no record of (an event is about a child it knows). */
function known(store: SqlStore, nhsNumber: string): void {
  if (!store.db.prepare('SELECT 1 FROM e_pupil WHERE nhs_number = ?').get(nhsNumber))
    throw new Error(`education holds no record for ${nhsNumber}`);
}

/** What schools record that the partnership is told of: each change and its event in one transaction. */
export const educationEvents: Record<string, (store: SqlStore, nhsNumber: string) => string> = {
  suspension: (store, nhsNumber) => {
    known(store, nhsNumber);
    const detail = { date: today(), days: 2 };
    return recordWithEvent(store, { kind: 'suspension', nhsNumber, detail }, () => {
      store.db
        .prepare('INSERT INTO e_suspension (id, nhs_number, date, days, reason) VALUES (?, ?, ?, ?, ?)')
        .run(`su-${randomUUID()}`, nhsNumber, detail.date, detail.days, 'Persistent disruptive behaviour');
    });
  },
  'missing-education': (store, nhsNumber) => {
    known(store, nhsNumber);
    const detail = { date: today() };
    return recordWithEvent(store, { kind: 'missing-education', nhsNumber, detail }, () => {
      store.db.prepare('UPDATE e_pupil SET cme = 1 WHERE nhs_number = ?').run(nhsNumber);
    });
  },
};
