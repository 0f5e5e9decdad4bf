import type { DecisionFact, DecisionStep, StoredDecision } from '@macpt/contract';
import type { NotSharedScope } from '@macpt/policies';
import type { SqlStore } from './store.js';

const DDL = `
CREATE TABLE IF NOT EXISTS sharing_decision (
  id TEXT PRIMARY KEY, nhs_number TEXT NOT NULL, status TEXT NOT NULL, review_by TEXT NOT NULL,
  body TEXT NOT NULL, uprn TEXT
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS sharing_decision_child ON sharing_decision (nhs_number, status);
`;

/** Creates the decisions table (every agency store has one); a store made before households counted gains its column. */
export function migrateDecisions(store: SqlStore): void {
  store.db.exec(DDL);
  const columns = store.db.prepare('PRAGMA table_info(sharing_decision)').all() as { name: string }[];
  if (!columns.some((c) => c.name === 'uprn')) store.db.exec('ALTER TABLE sharing_decision ADD COLUMN uprn TEXT');
  store.db.exec('CREATE INDEX IF NOT EXISTS sharing_decision_household ON sharing_decision (uprn, status)');
}

type Row = { body: string; uprn?: string | null };

/** Of a decision's scope, the household records it covers (a decision about one child covers those for every child of the household). */
export type HouseholdReach = (scope: Pick<StoredDecision, 'fields' | 'classes'>) => string[];

/** The children this agency holds living at these households (UPRNs). */
export type Residents = (uprns: readonly string[]) => { nhsNumber: string; uprn: string }[];

/** What a call needs before it reads any decision, as of one state of the store. */
interface StandingIndex {
  /** The store's state it was read at: `data_version` (other connections' commits) and `total_changes()` (this one's). */
  version: string;
  /** The children with a standing decision. */
  children: Set<string>;
  /** The households (UPRNs) a standing decision was made in. */
  households: string[];
  /** Where each child living at one of those households lives; null when the agency was not given a way to say. */
  residents: Map<string, string> | null;
}

/**
 * An agency's decisions not to share, kept in its own store: it reports the standing ones in `/facts`
 * and enforces them on every field it releases, whatever the gateway says.
 */
export class DecisionBook {
  private readonly byChildren: (keys: readonly string[]) => Row[];
  private readonly byHouseholds: (keys: readonly string[]) => (Row & { uprn: string })[];
  private readonly everyStanding: () => { nhs: string; uprn: string | null }[];
  private readonly storeVersion: () => string;
  /** Runs a read in one read transaction (made once: better-sqlite3 builds four wrappers per `transaction()`). */
  private readonly consistently: <T>(read: () => T) => T;
  private index: StandingIndex | null = null;

  constructor(
    private readonly store: SqlStore,
    readonly agency: string,
    /** The household records a scope covers (from the agency's policy); none when not given. */
    private readonly householdReach: HouseholdReach = () => [],
    /** Who lives at a household, from the agency's own records; without it, each call says where its children live. */
    private readonly residents?: Residents,
  ) {
    this.byChildren = store.batch<Row>(
      "SELECT body FROM sharing_decision WHERE status = 'STANDING' AND nhs_number IN (SELECT value FROM json_each(?))",
    );
    this.byHouseholds = store.batch<Row & { uprn: string }>(
      "SELECT body, uprn FROM sharing_decision WHERE status = 'STANDING' AND uprn IN (SELECT value FROM json_each(?))",
    );
    this.everyStanding = store.query("SELECT nhs_number AS nhs, uprn FROM sharing_decision WHERE status = 'STANDING'");
    // Two statements: the table-valued `pragma_data_version` prepares its pragma again on every run (about 19
    // µs within a call, against about 3 for the pragma itself); `total_changes()` reads no table.
    const dataVersion = store.db.prepare('PRAGMA data_version').pluck();
    const changes = store.db.prepare('SELECT total_changes()').pluck();
    this.storeVersion = () => `${dataVersion.get() as number}:${changes.get() as number}`;
    const inOneRead = store.db.transaction((read: () => unknown) => read());
    this.consistently = <T>(read: () => T) => inOneRead(read) as T;
  }

  /**
   * Who has a standing decision, where, and who lives there: read again whenever the store may have changed.
   * SQLite's `data_version` moves with every commit by any other connection (another process, or a write
   * straight into the database), `total_changes()` with every row this connection writes (a decision through
   * this book, a child moving house). Most children have no decision and live in no decided household: a call
   * about them then reads nothing else.
   */
  private standingIndex(): StandingIndex {
    const version = this.storeVersion();
    if (this.index?.version === version) return this.index;
    this.index = this.consistently((): StandingIndex => {
      const rows = this.everyStanding();
      const households = [...new Set(rows.flatMap((r) => (r.uprn === null ? [] : [r.uprn])))];
      const residents = this.residents
        ? new Map(households.length > 0 ? this.residents(households).map((r) => [r.nhsNumber, r.uprn]) : [])
        : null;
      // The version of the state just read (the read transaction holds it): a commit since the look above is
      // then read again at the next call, never taken for this one.
      return { version: this.storeVersion(), children: new Set(rows.map((r) => r.nhs)), households, residents };
    });
    return this.index;
  }

  /**
   * Standing decisions per child asked about (children without any are absent): the child's own, and
   * those about another child of the same household as far as they cover household records (DESIGN
   * section 8) — reported with that reach alone, under the decision's own id. Where a child lives comes
   * from the agency's records when the book was given `residents`, else from `uprnOf`.
   */
  standing(
    nhsNumbers: readonly string[],
    uprnOf: (nhsNumber: string) => string | null = () => null,
  ): Map<string, StoredDecision[]> {
    if (nhsNumbers.length === 0 || !this.touches(this.standingIndex(), nhsNumbers)) return new Map();
    // One read transaction: the decisions, where the children live and the households' decisions are read as of
    // one moment, so a decision committed by another connection meanwhile is either wholly seen or wholly not.
    return this.consistently(() => this.standingNow(nhsNumbers, uprnOf));
  }

  /** Whether any standing decision may reach these children: one of them has one, or lives where one was made. */
  private touches(index: StandingIndex, nhsNumbers: readonly string[]): boolean {
    if (nhsNumbers.some((n) => index.children.has(n))) return true;
    if (index.households.length === 0) return false;
    if (index.residents) return nhsNumbers.some((n) => index.residents!.has(n));
    return true;
  }

  private standingNow(
    nhsNumbers: readonly string[],
    uprnOf: (nhsNumber: string) => string | null,
  ): Map<string, StoredDecision[]> {
    const out = new Map<string, StoredDecision[]>();
    const add = (nhs: string, d: StoredDecision) => {
      const list = out.get(nhs) ?? [];
      if (!list.some((x) => x.id === d.id)) out.set(nhs, [...list, d]);
    };
    const index = this.standingIndex();
    const decided = nhsNumbers.filter((n) => index.children.has(n));
    for (const { body } of decided.length > 0 ? this.byChildren(decided) : []) {
      const d = JSON.parse(body) as StoredDecision;
      add(d.nhsNumber, d);
    }
    // Where the children live is looked up only when some standing decision reaches a household at all.
    if (index.households.length === 0) return out;
    const livesAt = index.residents ? (n: string) => index.residents!.get(n) ?? null : uprnOf;
    const childrenAt = new Map<string, string[]>();
    for (const nhs of nhsNumbers) {
      const uprn = livesAt(nhs);
      if (uprn) childrenAt.set(uprn, [...(childrenAt.get(uprn) ?? []), nhs]);
    }
    if (childrenAt.size === 0) return out;
    for (const { body, uprn } of this.byHouseholds([...childrenAt.keys()])) {
      const d = JSON.parse(body) as StoredDecision;
      const reach = this.householdReach(d);
      if (reach.length === 0) continue;
      for (const nhs of childrenAt.get(uprn) ?? [])
        if (nhs !== d.nhsNumber) add(nhs, { ...d, fields: reach, classes: [] });
    }
    return out;
  }

  /** What the standing decisions about these children withhold from anyone outside this agency. */
  scopes(nhsNumbers: readonly string[], uprnOf?: (nhsNumber: string) => string | null): Map<string, NotSharedScope[]> {
    const out = new Map<string, NotSharedScope[]>();
    for (const [nhs, list] of this.standing(nhsNumbers, uprnOf))
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

  /**
   * Stores a decision (new, or a later step of one): one row per decision, its history inside, with the
   * household (UPRN) where the agency has the child, through which it reaches the household's records.
   */
  put(decision: StoredDecision, uprn?: string | null): void {
    this.store.db
      .prepare(
        'INSERT INTO sharing_decision (id, nhs_number, status, review_by, body, uprn) VALUES (?, ?, ?, ?, ?, ?) ' +
          'ON CONFLICT (id) DO UPDATE SET status = excluded.status, review_by = excluded.review_by, body = excluded.body, ' +
          'uprn = coalesce(excluded.uprn, sharing_decision.uprn)',
      )
      .run(decision.id, decision.nhsNumber, decision.status, decision.reviewBy, JSON.stringify(decision), uprn ?? null);
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
