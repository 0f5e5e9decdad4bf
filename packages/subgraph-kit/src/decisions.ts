import type { DecisionFact, DecisionStep, StoredDecision } from '@macpt/contract';
import type { NotSharedScope } from '@macpt/policies';
import type { SqlStore } from './store.js';

const DDL = `
CREATE TABLE IF NOT EXISTS sharing_decision (
  id TEXT PRIMARY KEY, nhs_number TEXT NOT NULL, status TEXT NOT NULL, review_by TEXT NOT NULL,
  body TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS sharing_decision_child ON sharing_decision (nhs_number, status);
`;

/** Creates the decisions table (every agency store has one). */
export function migrateDecisions(store: SqlStore): void {
  store.db.exec(DDL);
}

type Row = { body: string };

/**
 * An agency's decisions not to share, kept in its own store: it reports the standing ones in `/facts`
 * and enforces them on every field it releases, whatever the gateway says.
 */
export class DecisionBook {
  private readonly byChildren: (keys: readonly string[]) => Row[];

  constructor(
    private readonly store: SqlStore,
    readonly agency: string,
  ) {
    this.byChildren = store.batch<Row>(
      "SELECT body FROM sharing_decision WHERE status = 'STANDING' AND nhs_number IN (SELECT value FROM json_each(?))",
    );
  }

  /** Standing decisions per child asked about (children without any are absent). */
  standing(nhsNumbers: readonly string[]): Map<string, StoredDecision[]> {
    const out = new Map<string, StoredDecision[]>();
    if (nhsNumbers.length === 0) return out;
    for (const { body } of this.byChildren(nhsNumbers)) {
      const d = JSON.parse(body) as StoredDecision;
      out.set(d.nhsNumber, [...(out.get(d.nhsNumber) ?? []), d]);
    }
    return out;
  }

  /** What the standing decisions about these children withhold from anyone outside this agency. */
  scopes(nhsNumbers: readonly string[]): Map<string, NotSharedScope[]> {
    const out = new Map<string, NotSharedScope[]>();
    for (const [nhs, list] of this.standing(nhsNumbers))
      out.set(
        nhs,
        list.map((d) => ({ agency: this.agency, fields: d.fields, classes: d.classes })),
      );
    return out;
  }

  get(id: string): StoredDecision | null {
    const row = this.store.db.prepare('SELECT body FROM sharing_decision WHERE id = ?').get(id) as Row | undefined;
    return row ? (JSON.parse(row.body) as StoredDecision) : null;
  }

  /** Every decision this agency holds, standing first, then by review date. */
  all(): StoredDecision[] {
    return (
      this.store.db
        .prepare("SELECT body FROM sharing_decision ORDER BY status = 'WITHDRAWN', review_by, id")
        .all() as Row[]
    ).map((r) => JSON.parse(r.body) as StoredDecision);
  }

  /** Stores a decision (new, or a later step of one): one row per decision, its history inside. */
  put(decision: StoredDecision): void {
    this.store.db
      .prepare(
        'INSERT INTO sharing_decision (id, nhs_number, status, review_by, body) VALUES (?, ?, ?, ?, ?) ' +
          'ON CONFLICT (id) DO UPDATE SET status = excluded.status, review_by = excluded.review_by, body = excluded.body',
      )
      .run(decision.id, decision.nhsNumber, decision.status, decision.reviewBy, JSON.stringify(decision));
  }

  /** Applies a review step (kept, perhaps to a new date; or withdrawn) to a standing decision. */
  step(decision: StoredDecision, step: DecisionStep): StoredDecision {
    const next: StoredDecision = {
      ...decision,
      status: step.action === 'WITHDRAWN' ? 'WITHDRAWN' : decision.status,
      reviewBy: step.reviewBy ?? decision.reviewBy,
      history: [...decision.history, step],
    };
    this.put(next);
    return next;
  }
}

/** The part of a stored decision `/facts` reports. */
export function decisionFact(d: StoredDecision): DecisionFact {
  return {
    id: d.id,
    fields: d.fields,
    classes: d.classes,
    reason: d.reason,
    reasonText: d.reasonText,
    decidedBy: d.decidedBy,
    decidedAt: d.decidedAt,
    reviewBy: d.reviewBy,
  };
}
