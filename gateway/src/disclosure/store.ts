import type { Charge, OverLimit } from '../limits/rate-limit.js';
import { contextOf, type AnyStoredRecord, type DisclosureRecord, type RecordDraft, type SetLookup } from './record.js';

/** Filters of the IG review API; all optional, combined with AND. */
export interface RecordFilter {
  nhsNumber?: string;
  userId?: string;
  agency?: string;
  purpose?: string;
  breakGlass?: boolean;
  outcome?: string;
  kind?: string;
  /** The break-glass reviews of one record (by its id). */
  reviewOf?: string;
  from?: string;
  to?: string;
}

/** A head noted outside the store (seq and hash): the log must never again end before it, nor hold another record there. */
export interface Anchor {
  seq: number;
  hash: string;
  /** The last sealed segment then, and its head: segments up to it need not be re-read. */
  segment?: number;
  head?: string;
}

/** What a walk of the chain found about an anchor: null when it holds. */
export function anchorProblem(anchor: Anchor | undefined, found: string | undefined, lastSeq: number): string | null {
  if (!anchor || anchor.seq === 0) return null;
  if (lastSeq < anchor.seq)
    return `the log ends at seq ${lastSeq} but was anchored at seq ${anchor.seq}: records have vanished since`;
  if (found !== anchor.hash)
    return `record seq ${anchor.seq} is not the one anchored (hash ${anchor.hash.slice(0, 12)}…): the log was rewritten`;
  return null;
}

/** The result of verifying the chain. */
export interface IntegrityResult {
  ok: boolean;
  count: number;
  headHash: string;
  /** The first broken record, described. */
  problem: string | null;
}

/**
 * Where disclosure records are kept. `append` resolves only once the records are durable, in order
 * and chained; it rejects (never queues) when they cannot be written. Each record may carry a charge to
 * its user's rate limits, decided in the same write: when any would go past a limit, nothing of the batch
 * is written and `append` rejects with {@link OverLimit}, naming them.
 */
export interface DisclosureStore {
  readonly kind: 'file' | 'redis';
  append(drafts: readonly RecordDraft[], charges?: readonly (Charge | null)[]): Promise<DisclosureRecord[]>;
  /** Newest first, starting before the cursor (a `seq`), at most `limit`, matching the filter. */
  query(filter: RecordFilter, limit: number, before?: number): Promise<DisclosureRecord[]>;
  /** One record by id. */
  get(id: string): Promise<DisclosureRecord | null>;
  /** Walks the whole chain; with `anchor` (a head noted earlier, outside the store), also proves the log still holds it. */
  verify(anchor?: Anchor): Promise<IntegrityResult>;
  /** Whether the store can take writes now (readiness). */
  /** Why the store refuses to append (it disagrees with its recorded head), if it does. */
  problem?(): string | null;
  ready(): Promise<boolean>;
  /** Claims the store for this process's appends, where only one process may append (the file); throws when another has. */
  claim?(): void;
  /** What an acknowledged record survives (documented per store and setting). */
  durability(): Promise<string>;
  close(): Promise<void>;
}

/** True when a record matches every filter given. */
export function matches(record: DisclosureRecord, f: RecordFilter): boolean {
  if (
    f.nhsNumber &&
    !record.children.some((c) => c.nhsNumber === f.nhsNumber) &&
    record.query?.nhsNumber !== f.nhsNumber
  )
    return false;
  if (f.userId && record.user?.id !== f.userId) return false;
  if (f.agency && !record.agencies.includes(f.agency)) return false;
  if (f.purpose && record.purpose !== f.purpose) return false;
  if (f.breakGlass !== undefined && record.breakGlass !== f.breakGlass) return false;
  if (f.outcome && record.outcome !== f.outcome) return false;
  if (f.kind && record.kind !== f.kind) return false;
  if (f.reviewOf && record.review?.recordId !== f.reviewOf) return false;
  if (f.from && record.time < f.from) return false;
  if (f.to && record.time > f.to) return false;
  return true;
}

/** The NHS numbers a record names (its children, and the subject an IG query asked about). */
export function childrenNamed(record: Pick<AnyStoredRecord, 'children' | 'query'>): string[] {
  const out = record.children.map((c) => (Array.isArray(c) ? c[0] : c.nhsNumber));
  if (typeof record.query?.nhsNumber === 'string') out.push(record.query.nhsNumber);
  return out;
}

/** What a record is filed under: the children it names, and its request's facts. */
export type Indexed = Pick<DisclosureRecord, 'user' | 'agencies' | 'breakGlass' | 'purpose' | 'outcome' | 'kind'> &
  Pick<AnyStoredRecord, 'children' | 'query' | 'review'>;

/**
 * The index keys a record is filed under: child, user, agency, break-glass, reviews (and a review under the
 * record it reviews); with `all`, also
 * purpose, outcome and kind (the archive's indexes, where every IG filter reads an index).
 */
export function indexKeys(record: Indexed, all = false): string[] {
  const keys = new Set<string>();
  for (const nhsNumber of childrenNamed(record)) keys.add(`child:${nhsNumber}`);
  if (record.user) keys.add(`user:${record.user.id}`);
  for (const a of record.agencies) keys.add(`agency:${a}`);
  if (record.breakGlass) keys.add('breakglass');
  if (record.review) {
    keys.add('reviews');
    keys.add(`reviewed:${record.review.recordId}`);
  }
  if (all) {
    if (record.purpose) keys.add(`purpose:${record.purpose}`);
    keys.add(`outcome:${record.outcome}`);
    keys.add(`kind:${record.kind}`);
  }
  return [...keys];
}

/**
 * The index keys of a record as stored (by default all of them: the archive's). Only its request context
 * is looked up: the children are named in the stored form itself, so a caseload's hundreds of field
 * sets are never expanded just to file it.
 */
export function storedIndexKeys(record: AnyStoredRecord, parts: SetLookup, all = true): string[] {
  if (!('v' in record)) return indexKeys(record, all);
  const { user, agencies, breakGlass, purpose, outcome, kind } = contextOf(record, parts);
  const { children, query, review } = record;
  return indexKeys({ user, agencies, breakGlass, purpose, outcome, kind, children, query, review }, all);
}

/** The most selective index for a filter, or null to scan everything. */
export function bestIndex(f: RecordFilter): string | null {
  if (f.reviewOf) return `reviewed:${f.reviewOf}`;
  if (f.nhsNumber) return `child:${f.nhsNumber}`;
  if (f.userId) return `user:${f.userId}`;
  if (f.breakGlass) return 'breakglass';
  if (f.kind === 'BREAK_GLASS_REVIEW') return 'reviews';
  if (f.agency) return `agency:${f.agency}`;
  return null;
}
