import { randomUUID } from 'node:crypto';
import { recordWithEvent, type AgencyEvent } from '@macpt/subgraph-kit';

/** What police systems record that the partnership is told of: each change and its event in one transaction. */
export const policeEvents: Record<string, AgencyEvent> = {
  /** A domestic abuse incident at the child's home with the child present: Operation Encompass. */
  'domestic-abuse-incident': (store, nhsNumber, at) => {
    const person = store.db.prepare('SELECT household_id FROM p_person WHERE nhs_number = ?').get(nhsNumber) as
      | { household_id: string }
      | undefined;
    if (!person) throw new Error(`police hold no record for ${nhsNumber}`);
    const date = at.slice(0, 10);
    // The incident's location stays in the record; it never travels in the event.
    const detail = { date, riskLevel: 'MEDIUM', childPresent: true };
    return recordWithEvent(store, { kind: 'domestic-abuse-incident', nhsNumber, detail, occurredAt: at }, () => {
      store.db
        .prepare('INSERT INTO p_domestic_abuse (id, household_id, date, risk_level, location) VALUES (?, ?, ?, ?, ?)')
        .run(`da-${randomUUID()}`, person.household_id, date, detail.riskLevel, 'At the home address');
    });
  },
};
