import { randomUUID } from 'node:crypto';
import type { SqlStore } from './store.js';

/** One event an agency's system recorded about a child, waiting in its outbox until the gateway acknowledges it. */
export interface OutboxEvent {
  id: string;
  agency: string;
  kind: string;
  nhsNumber: string;
  occurredAt: string;
  /** What happened, as the agency describes it; the routing rules decide which of it a recipient gets. */
  detail: Record<string, string | number | boolean>;
}

const DDL = `
CREATE TABLE IF NOT EXISTS outbox (
  id TEXT PRIMARY KEY, kind TEXT NOT NULL, nhs_number TEXT NOT NULL, occurred_at TEXT NOT NULL,
  detail TEXT NOT NULL, delivered_at TEXT
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS outbox_pending ON outbox (delivered_at, occurred_at);
`;

/** Creates the outbox table (every agency store has one). */
export function migrateOutbox(store: SqlStore): void {
  store.db.exec(DDL);
}

/**
 * One kind of change an agency's system records with its event: `at` is when it happened (ISO 8601; now,
 * or earlier for something entered late). Returns the event's id.
 */
export type AgencyEvent = (store: SqlStore, nhsNumber: string, at: string) => string;

/**
 * Records a change and its event in one SQLite transaction: both or neither. `write` makes the change
 * (the record the event describes); the event is then in the outbox, delivered by the relay.
 */
export function recordWithEvent(
  store: SqlStore,
  event: { kind: string; nhsNumber: string; detail: OutboxEvent['detail']; occurredAt?: string },
  write: () => void,
): string {
  const id = randomUUID();
  store.db.transaction(() => {
    write();
    store.db
      .prepare('INSERT INTO outbox (id, kind, nhs_number, occurred_at, detail) VALUES (?, ?, ?, ?, ?)')
      .run(id, event.kind, event.nhsNumber, event.occurredAt ?? new Date().toISOString(), JSON.stringify(event.detail));
  })();
  return id;
}

/** The relay asks every tenth of a second: its statement is prepared once per store (preparing cost more than asking). */
const pendingOf = new WeakMap<SqlStore, ReturnType<SqlStore['db']['prepare']>>();

/** Events not yet acknowledged, oldest first. */
export function pendingEvents(store: SqlStore, agency: string, limit: number): OutboxEvent[] {
  let pending = pendingOf.get(store);
  if (!pending) {
    pending = store.db.prepare(
      'SELECT id, kind, nhs_number, occurred_at, detail FROM outbox WHERE delivered_at IS NULL ORDER BY occurred_at LIMIT ?',
    );
    pendingOf.set(store, pending);
  }
  return (
    pending.all(limit) as { id: string; kind: string; nhs_number: string; occurred_at: string; detail: string }[]
  ).map((r) => ({
    id: r.id,
    agency,
    kind: r.kind,
    nhsNumber: r.nhs_number,
    occurredAt: r.occurred_at,
    detail: JSON.parse(r.detail) as OutboxEvent['detail'],
  }));
}

/** Marks events delivered (the gateway acknowledged them). */
export function markDelivered(store: SqlStore, ids: readonly string[]): void {
  const at = new Date().toISOString();
  store.db
    .prepare('UPDATE outbox SET delivered_at = ? WHERE id IN (SELECT value FROM json_each(?))')
    .run(at, JSON.stringify(ids));
}
