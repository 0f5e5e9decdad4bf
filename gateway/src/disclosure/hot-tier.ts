import type { AnyStoredRecord, DisclosureRecord, FieldSet } from './record.js';
import type { Segment } from './segment.js';

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
  /** Removes a segment's records (the oldest held), once the archive has committed it; given as readers see them. */
  trim(segment: Segment, records: readonly DisclosureRecord[]): Promise<void>;
  /** Whether records can leave this tier at all (the embedded file is never trimmed). */
  readonly trims: boolean;
}
