import { recordWithEvent, type AgencyEvent, type SqlStore } from '@macpt/subgraph-kit';

/** Refuses a child this agency holds no record of (an event is about a child it knows). */
function known(store: SqlStore, nhsNumber: string): void {
  if (!store.db.prepare('SELECT 1 FROM sc_child WHERE nhs_number = ?').get(nhsNumber))
    throw new Error(`social-care holds no record for ${nhsNumber}`);
}

/** What children's services record that the partnership is told of: each change and its event in one transaction. */
export const socialCareEvents: Record<string, AgencyEvent> = {
  'cp-plan-started': (store, nhsNumber, at) => {
    known(store, nhsNumber);
    const detail = { date: at.slice(0, 10), category: 'NEGLECT' };
    return recordWithEvent(store, { kind: 'cp-plan-started', nhsNumber, detail, occurredAt: at }, () => {
      store.db
        .prepare('INSERT OR REPLACE INTO sc_cp_plan (nhs_number, category, start_date) VALUES (?, ?, ?)')
        .run(nhsNumber, detail.category, detail.date);
      store.db.prepare("UPDATE sc_case SET stage = 'CP_PLAN' WHERE nhs_number = ? AND status = 'OPEN'").run(nhsNumber);
    });
  },
  'cp-plan-ended': (store, nhsNumber, at) => {
    known(store, nhsNumber);
    const plan = store.db.prepare('SELECT category FROM sc_cp_plan WHERE nhs_number = ?').get(nhsNumber) as
      | { category: string }
      | undefined;
    if (!plan) throw new Error(`${nhsNumber} has no child protection plan to end`);
    const detail = { date: at.slice(0, 10), category: plan.category };
    return recordWithEvent(store, { kind: 'cp-plan-ended', nhsNumber, detail, occurredAt: at }, () => {
      store.db.prepare('DELETE FROM sc_cp_plan WHERE nhs_number = ?').run(nhsNumber);
    });
  },
};
