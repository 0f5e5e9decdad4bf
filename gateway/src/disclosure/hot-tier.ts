import type { AnyStoredRecord, FieldSet, SetLookup } from './record.js';
import type { Segment } from './segment.js';
import { storedIndexKeys, type Anchor, type IntegrityResult } from './store.js';

/** Records as stored, with the field sets they name: what a segment is sealed from. */
export interface StoredRun {
  records: AnyStoredRecord[];
  sets: Map<string, FieldSet>;
}

/**
 * What the mover needs of the store appends go to (the hot tier): its records as stored, from a seq on;
 * how many it holds; and, once the archive holds a segment, removing that segment's records from it.
 */
export interface HotTier {
  /** Up to `max` records from seq `from` on, as stored, in order, with their field sets. */
  readStored(from: number, max: number): Promise<StoredRun>;
  /** Records held now. */
  held(): Promise<number>;
  /** The last record removed (seq and hash); seq 0 when none was. */
  trimmed(): Promise<{ seq: number; hash: string }>;
  /** Removes a segment's records (the oldest held), once the archive has committed it. */
  trim(segment: Segment, plan: TrimPlan): Promise<void>;
  /**
   * Verifies the chain this tier holds, as one moment's log. `overtaken` when it was trimmed past
   * `archivedThrough` (the archive's end, as the caller walked it) before or while it was walked: the caller
   * walks the archive further, then this tier again.
   */
  verifyTail(anchor: Anchor | undefined, archivedThrough: number): Promise<TailIntegrity>;
  /** Whether records can leave this tier at all (the embedded file is never trimmed). */
  readonly trims: boolean;
}

/** What a walk of the hot tier found; `overtaken` (and no verdict) when a trim overtook it. */
export interface TailIntegrity extends IntegrityResult {
  overtaken?: boolean;
  /** The seq of the last record walked (the tier's head at the walk's moment), when whole. */
  through?: number;
}

/** What trimming a segment takes out of the hot tier: each record (id, seq), and how many entries each index list loses. */
export interface TrimPlan {
  records: [id: string, seq: number][];
  lists: Map<string, number>;
}

/** The trim plan of a segment's records as stored (only their request contexts are looked up). */
export function trimPlan(records: readonly AnyStoredRecord[], parts: SetLookup): TrimPlan {
  const lists = new Map<string, number>();
  for (const r of records)
    for (const key of storedIndexKeys(r, parts, false)) lists.set(key, (lists.get(key) ?? 0) + 1);
  return { records: records.map((r) => [r.id, r.seq]), lists };
}
