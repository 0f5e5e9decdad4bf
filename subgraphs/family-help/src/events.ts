import { randomUUID } from 'node:crypto';
import { recordWithEvent, type AgencyEvent, type SqlStore } from '@macpt/subgraph-kit';

/** The family of a child Family Help knows (an event is about a child it knows). */
function familyOf(store: SqlStore, nhsNumber: string): string {
  const row = store.db.prepare('SELECT family_id AS familyId FROM fh_child WHERE nhs_number = ?').get(nhsNumber) as
    | { familyId: string }
    | undefined;
  if (!row) throw new Error(`family-help holds no record for ${nhsNumber}`);
  return row.familyId;
}

/** What Family Help records that the partnership is told of: each change and its event in one transaction. */
export const familyHelpEvents: Record<string, AgencyEvent> = {
  'step-up': (store, nhsNumber, at) => {
    const family = familyOf(store, nhsNumber);
    const detail = { date: at.slice(0, 10), direction: 'STEP_UP' };
    return recordWithEvent(store, { kind: 'step-up', nhsNumber, detail, occurredAt: at }, () => {
      store.db
        .prepare('INSERT INTO fh_transition (id, family_id, date, direction, reason) VALUES (?, ?, ?, ?, ?)')
        .run(
          `tr-${randomUUID()}`,
          family,
          detail.date,
          'STEP_UP',
          'Concerns of significant harm: referred to children’s social care',
        );
    });
  },
};
