import type { AnyStoredRecord, FieldSet } from '../record.js';
import type { Segment } from '../segment.js';

/** A sealed segment as the archive holds it, with what retention has done to it. */
export interface ArchivedSegment extends Segment {
  /** When retention removed its records (its header, root and counts stay), or null. */
  expiredAt: string | null;
  /** Records removed under retention (the rest were kept under a legal hold). */
  expired: number;
}

/** A legal hold: a child whose records retention must keep. Placing and lifting one is itself recorded. */
export interface LegalHold {
  nhsNumber: string;
  reason: string;
  by: string;
  at: string;
}

/**
 * The archive tier of the disclosure log: sealed segments, their records (stored form) and field sets, and
 * the indexes every IG question reads, in a durable store (SQLite under `data/` by default; PostgreSQL in
 * production). Putting a segment is one transaction and idempotent; reads cost what they return.
 */
export interface DisclosureArchive {
  readonly kind: 'sqlite' | 'postgres';
  /** Where it is, for operators (a path, or a URL without its password). */
  readonly where: string;
  /** The last sealed segment, or null for an empty archive. */
  last(): Promise<ArchivedSegment | null>;
  /** Segment headers after segment `after` (0: from the first), in order, at most `limit`. */
  segments(after: number, limit: number): Promise<ArchivedSegment[]>;
  /** The segment holding a seq, or null. */
  segmentHolding(seq: number): Promise<ArchivedSegment | null>;
  /**
   * Stores a sealed segment with its records and the field sets they name, in one transaction. A segment
   * already there with the same root is `present` (another gateway, or an earlier try, stored it); one
   * with another root is an error (the chain forked: nothing is stored). Puts are committed in the order
   * they are asked, so the next may be asked before the last has committed; a segment whose predecessor
   * the archive does not hold (that put failed) is refused, so the archive never has a gap.
   */
  put(
    segment: Segment,
    records: readonly AnyStoredRecord[],
    sets: ReadonlyMap<string, FieldSet>,
  ): Promise<'stored' | 'present'>;
  /** Stored records with from ≤ seq ≤ to, in order (those retention removed are absent). */
  range(from: number, to: number): Promise<AnyStoredRecord[]>;
  /** Stored records by seq, in the order asked (absent ones left out). */
  bySeqs(seqs: readonly number[]): Promise<AnyStoredRecord[]>;
  /** A record's seq by its id. */
  seqOf(id: string): Promise<number | null>;
  /** Seqs filed under an index key with atLeast ≤ seq < before, newest first. */
  seqsUnder(key: string, before: number, atLeast: number, limit: number): Promise<number[]>;
  /** Records with atLeast ≤ seq < before, newest first (a filter with no index key). */
  latest(before: number, atLeast: number, limit: number): Promise<AnyStoredRecord[]>;
  /** The first seq at or after a time (side `from`), or the last at or before it (side `to`); null: none. */
  seqAtTime(time: string, side: 'from' | 'to'): Promise<number | null>;
  /** Field sets by id. */
  sets(ids: readonly string[]): Promise<Map<string, FieldSet>>;
  /** Every field set (the verifier checks each hashes to its id), in pages after an id. */
  setsAfter(after: string, limit: number): Promise<[string, FieldSet][]>;
  /** Legal holds in force. */
  holds(): Promise<LegalHold[]>;
  hold(hold: LegalHold): Promise<void>;
  release(nhsNumber: string): Promise<boolean>;
  /**
   * Removes a segment's records under retention except those `keep` accepts, each kept one with its inclusion
   * proof (so it can still be shown to be in the sealed segment); the header stays. `keep` is handed the
   * children under a legal hold as read in the same transaction, which a hold being placed waits for: a
   * hold is either seen by the expiry or placed after it, never lost to one that read the holds earlier.
   */
  expire(
    n: number,
    keep: (record: AnyStoredRecord, held: ReadonlySet<string>) => boolean,
    proofOf: (seq: number) => string[],
  ): Promise<number>;
  /** Inclusion proofs kept for records that outlived their segment's expiry. */
  keptProof(seq: number): Promise<string[] | null>;
  close(): Promise<void>;
}
