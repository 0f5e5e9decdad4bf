import type { Segment } from '../segment.js';
import type { ArchivedSegment } from './archive.js';

/**
 * The archive's tables, the same in SQLite and PostgreSQL: segments (headers, signed), records (stored
 * form, by seq, with the id and time indexed), the index keys every IG filter reads (child, user, agency,
 * purpose, outcome, kind, break-glass, reviews → seq), the interned field sets, legal holds, and the
 * inclusion proofs of records kept past their segment's expiry.
 */
export const ARCHIVE_TABLES = [
  `CREATE TABLE IF NOT EXISTS segments (
    n INTEGER PRIMARY KEY, first_seq BIGINT NOT NULL, last_seq BIGINT NOT NULL, count INTEGER NOT NULL,
    first_time TEXT NOT NULL, last_time TEXT NOT NULL, root TEXT NOT NULL, prev_root TEXT NOT NULL,
    head TEXT NOT NULL, last_hash TEXT NOT NULL, prev_hash TEXT NOT NULL, sealed_at TEXT NOT NULL,
    kid TEXT NOT NULL, signature TEXT NOT NULL, expired_at TEXT, expired INTEGER NOT NULL DEFAULT 0)`,
  `CREATE TABLE IF NOT EXISTS records (
    seq BIGINT PRIMARY KEY, segment INTEGER NOT NULL, id TEXT NOT NULL UNIQUE, time TEXT NOT NULL, json TEXT NOT NULL)`,
  'CREATE INDEX IF NOT EXISTS records_time ON records (time, seq)',
  'CREATE TABLE IF NOT EXISTS record_keys (key TEXT NOT NULL, seq BIGINT NOT NULL, PRIMARY KEY (key, seq))',
  'CREATE TABLE IF NOT EXISTS field_sets (id TEXT PRIMARY KEY, json TEXT NOT NULL)',
  'CREATE TABLE IF NOT EXISTS legal_holds (nhs_number TEXT PRIMARY KEY, reason TEXT NOT NULL, by_whom TEXT NOT NULL, at TEXT NOT NULL)',
  'CREATE TABLE IF NOT EXISTS kept_proofs (seq BIGINT PRIMARY KEY, proof TEXT NOT NULL)',
];

/** A segments row as both databases return it (PostgreSQL's BIGINT arrives as a string). */
export interface SegmentRow {
  n: number;
  first_seq: number | string;
  last_seq: number | string;
  count: number;
  first_time: string;
  last_time: string;
  root: string;
  prev_root: string;
  head: string;
  last_hash: string;
  prev_hash: string;
  sealed_at: string;
  kid: string;
  signature: string;
  expired_at: string | null;
  expired: number;
}

export function segmentRow(s: Segment): Omit<SegmentRow, 'expired_at' | 'expired'> {
  return {
    n: s.n,
    first_seq: s.firstSeq,
    last_seq: s.lastSeq,
    count: s.count,
    first_time: s.firstTime,
    last_time: s.lastTime,
    root: s.root,
    prev_root: s.prevRoot,
    head: s.head,
    last_hash: s.lastHash,
    prev_hash: s.prevHash,
    sealed_at: s.sealedAt,
    kid: s.kid,
    signature: s.signature,
  };
}

export function fromRow(r: SegmentRow): ArchivedSegment {
  return {
    n: Number(r.n),
    firstSeq: Number(r.first_seq),
    lastSeq: Number(r.last_seq),
    count: Number(r.count),
    firstTime: r.first_time,
    lastTime: r.last_time,
    root: r.root,
    prevRoot: r.prev_root,
    head: r.head,
    lastHash: r.last_hash,
    prevHash: r.prev_hash,
    sealedAt: r.sealed_at,
    kid: r.kid,
    signature: r.signature,
    expiredAt: r.expired_at,
    expired: Number(r.expired),
  };
}

/**
 * Why a segment cannot be put after what the archive holds: null when it follows on exactly (segment 1, or
 * its first record right after its predecessor's last, chained to it, its previous root that one's). Another
 * gateway's mover may have sealed the predecessor with fewer or more records: a segment sealed after its own
 * cut would leave records out of the archive, or hold them twice.
 */
export function doesNotFollow(
  segment: Segment,
  predecessor: Pick<SegmentRow, 'last_seq' | 'last_hash' | 'root'> | undefined,
): string | null {
  const { n } = segment;
  if (n === 1) return null;
  if (!predecessor)
    return `disclosure archive: segment ${n} follows segment ${n - 1}, which the archive does not hold: nothing is stored`;
  if (Number(predecessor.last_seq) + 1 !== segment.firstSeq)
    return `disclosure archive: segment ${n} starts at seq ${segment.firstSeq}, but the archive's segment ${n - 1} ends at seq ${predecessor.last_seq} (another gateway sealed it): nothing is stored, and the mover resumes from the archive`;
  if (predecessor.last_hash !== segment.prevHash || predecessor.root !== segment.prevRoot)
    return `disclosure archive: segment ${n} does not chain to the archive's segment ${n - 1} (another predecessor hash or root): the chain forked, nothing is stored`;
  return null;
}

/**
 * The refusal of a segment whose number the archive already holds with another root: another gateway's
 * mover cut the same chain differently (the same first record and predecessor, and the shorter segment's
 * last record the same in both: `overlapAgrees`), or the chain forked.
 */
export function alreadySealed(
  segment: Segment,
  there: Pick<SegmentRow, 'first_seq' | 'last_seq' | 'prev_hash' | 'root'>,
  overlapAgrees: boolean,
): string {
  return overlapAgrees &&
    Number(there.first_seq) === segment.firstSeq &&
    there.prev_hash === segment.prevHash &&
    Number(there.last_seq) !== segment.lastSeq
    ? `disclosure archive: segment ${segment.n} is already sealed by another gateway through seq ${there.last_seq} (this one through seq ${segment.lastSeq}): nothing is stored, and the mover resumes from the archive`
    : `disclosure archive: segment ${segment.n} is already sealed with another root (${there.root.slice(0, 12)}…): the chain forked`;
}
