import { randomUUID } from 'node:crypto';
import { EVERY_CHILD, type FactChangesAnswer, type FactChangesRequest } from '@macpt/contract';
import type { SqlStore } from './store.js';

/**
 * An agency's change feed of the facts it owns (DESIGN §4 "Facts and who owns them"; issue #27): every
 * write to a table its `/facts` answer reads — however it is made, by the agency's own system or straight
 * into its database — adds, in the same transaction, the children it changes the facts of to a numbered
 * list. The gateway follows the list (`POST /facts/changes`) and forgets what it kept about those children;
 * each answer is also a heartbeat, so the gateway knows how fresh its kept facts are.
 */

/**
 * One table whose rows are facts, and which children a change to a row concerns: SQL that selects their
 * NHS numbers as `s`, with `ROW` standing for the row changed (e.g. `SELECT ROW.nhs_number AS s`, or
 * `SELECT nhs_number AS s FROM sc_case WHERE id = ROW.case_id`), or `*` for a change that may concern any
 * child (a household's confidential-location flag: the gateway then forgets every child).
 */
export type FactTables = Record<string, string>;

const DDL = `
CREATE TABLE IF NOT EXISTS fact_change (seq INTEGER PRIMARY KEY AUTOINCREMENT, subject TEXT NOT NULL, at INTEGER NOT NULL);
`;

/** Most changes one answer carries; more wait for the next poll (the gateway asks again at once). */
const MOST_PER_ANSWER = 5_000;
/** Changes kept for a gateway that falls behind; one further behind is told to forget everything (`reset`). */
const KEPT = 200_000;

const subjectsOf = (sql: string, row: 'NEW' | 'OLD') =>
  sql === EVERY_CHILD ? `SELECT '${EVERY_CHILD}' AS s` : sql.replace(/\bROW\./g, `${row}.`);

/**
 * Installs the feed: its table, and a trigger on each fact table for inserts, updates (the row before and
 * after) and deletes. Installed when the agency starts serving, after any seeding, so seeding a store
 * fills no feed. The store's epoch (a random id kept in `meta`) tells a gateway the numbering is new.
 */
export function installFactChanges(store: SqlStore, tables: FactTables): void {
  store.db.exec(DDL);
  if (!store.getMeta('fact_change_epoch')) store.setMeta('fact_change_epoch', randomUUID());
  for (const [table, subjects] of Object.entries(tables)) {
    const insert = (row: 'NEW' | 'OLD') =>
      `INSERT INTO fact_change (subject, at) SELECT s, CAST(unixepoch('subsec') * 1000 AS INTEGER) FROM (${subjectsOf(subjects, row)}) WHERE s IS NOT NULL;`;
    store.db.exec(`
      CREATE TRIGGER IF NOT EXISTS fact_change_${table}_i AFTER INSERT ON ${table} BEGIN ${insert('NEW')} END;
      CREATE TRIGGER IF NOT EXISTS fact_change_${table}_d AFTER DELETE ON ${table} BEGIN ${insert('OLD')} END;
      CREATE TRIGGER IF NOT EXISTS fact_change_${table}_u AFTER UPDATE ON ${table} BEGIN ${insert('OLD')} ${insert('NEW')} END;
    `);
  }
  // Keep the tail a lagging gateway may still ask for; older changes are covered by `reset`.
  store.db.prepare('DELETE FROM fact_change WHERE seq <= (SELECT MAX(seq) FROM fact_change) - ?').run(KEPT);
}

/** How often the feed is looked at while any poll waits. */
const LOOK_EVERY_MS = 25;

/** A poll waiting for the newest position to move past `position`, until `until` (epoch ms) or `closed`. */
interface Waiting {
  position: number;
  until: number;
  closed: () => boolean;
  wake: () => void;
}

/** Reads the feed of one store. */
export class FactChanges {
  /** Every waiting poll, however many gateways: one look at the newest position serves them all. */
  private readonly waiting = new Set<Waiting>();
  private looking: NodeJS.Timeout | null = null;
  private readonly latest: () => { seq: number | null };
  private readonly first: () => { seq: number | null };
  private readonly after: (from: number, limit: number) => { seq: number; subject: string }[];
  readonly epoch: string;

  constructor(
    store: SqlStore,
    private readonly agency: string,
  ) {
    // Prepared once: a waiting poll looks every few milliseconds, and preparing cost more than the look.
    const latest = store.db.prepare('SELECT MAX(seq) AS seq FROM fact_change');
    const first = store.db.prepare('SELECT MIN(seq) AS seq FROM fact_change');
    this.latest = () => latest.get() as { seq: number | null };
    this.first = () => first.get() as { seq: number | null };
    const after = store.db.prepare('SELECT seq, subject FROM fact_change WHERE seq > ? ORDER BY seq LIMIT ?');
    this.after = (from, limit) => after.all(from, limit) as { seq: number; subject: string }[];
    this.epoch = store.getMeta('fact_change_epoch') ?? 'none';
  }

  /** The newest position. */
  position(): number {
    return this.latest().seq ?? 0;
  }

  /**
   * The changes after `from` in `epoch`. `from` null (a gateway just started), or another epoch, or a
   * position older than the kept tail, or ahead of the newest (a store replaced): `reset`, from the newest.
   */
  since(epoch: string | null, from: number | null): FactChangesAnswer {
    const newest = this.position();
    // Nothing since (a heartbeat, the common answer): no more to read.
    if (from !== null && epoch === this.epoch && from === newest)
      return { agency: this.agency, epoch: this.epoch, position: newest, subjects: [], reset: false };
    const oldest = this.first().seq ?? newest + 1;
    if (from === null || epoch !== this.epoch || from > newest || from < oldest - 1)
      return { agency: this.agency, epoch: this.epoch, position: newest, subjects: [], reset: true };
    const rows = this.after(from, MOST_PER_ANSWER);
    const position = rows.at(-1)?.seq ?? from;
    return {
      agency: this.agency,
      epoch: this.epoch,
      position,
      subjects: [...new Set(rows.map((r) => r.subject))],
      reset: false,
      // Cut short: the changes after `position` wait for the next poll.
      ...(position < newest ? { more: true } : {}),
    };
  }

  /** Resolves when the newest position is no longer `position`, at `until` (epoch ms), or once `closed()`. */
  waitPast(position: number, until: number, closed: () => boolean): Promise<void> {
    return new Promise((wake) => {
      this.waiting.add({ position, until, closed, wake });
      this.looking ??= setInterval(() => this.look(), LOOK_EVERY_MS).unref();
    });
  }

  private look(): void {
    let newest: number | null = null;
    try {
      newest = this.position();
    } catch {
      // The store cannot be read (closing): every poll is answered now, and its own read says what went wrong.
    }
    const now = Date.now();
    for (const w of this.waiting)
      if (newest === null || newest !== w.position || now >= w.until || w.closed()) {
        this.waiting.delete(w);
        w.wake();
      }
    if (this.waiting.size === 0 && this.looking) {
      clearInterval(this.looking);
      this.looking = null;
    }
  }
}

/**
 * Answers a poll: at once when there are changes (or a reset), else when one arrives, or after `waitMs`
 * with none (a heartbeat). Every answer reflects every change committed before it was read.
 */
export async function answerChanges(
  feed: FactChanges,
  asked: FactChangesRequest,
  closed: () => boolean,
): Promise<FactChangesAnswer> {
  const received = performance.now();
  const until = Date.now() + asked.waitMs;
  const answer = feed.since(asked.epoch, asked.after);
  if (answer.reset || answer.subjects.length > 0) return answer.more ? answer : { ...answer, waitedMs: 0 };
  // Nothing yet: wait for the newest position to move (one indexed read every few ms, shared by every waiting
  // poll), then read the changes.
  if (asked.waitMs > 0 && !closed()) await feed.waitPast(answer.position, until, closed);
  // Measured before the read it vouches for: the answer reflects every change committed before then.
  const waitedMs = Math.floor(performance.now() - received);
  const read = feed.since(asked.epoch, asked.after);
  // Only a whole answer vouches for the moment it was read; one cut short vouches for nothing.
  return read.more ? read : { ...read, waitedMs };
}
