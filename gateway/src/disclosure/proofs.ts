import type { ArchivedSegment, DisclosureArchive } from './archive/archive.js';
import { consistencyProof, inclusionProof } from './merkle.js';
import { headerOf, recordLeaf, rootLeaf, type SegmentHeader } from './segment.js';

const hex = (buffers: readonly Buffer[]) => buffers.map((b) => b.toString('hex'));

/** A segment as an auditor is given it: its header and the signature over it. */
export type SignedSegment = SegmentHeader & { signature: string };

const signed = (s: ArchivedSegment): SignedSegment => ({ ...headerOf(s), signature: s.signature });

/**
 * That one record is in the sealed log: its audit path to its segment's root (RFC 6962), and that root's
 * audit path to the latest sealed head. With the two signed headers, anyone can check it without the archive.
 */
export interface RecordProof {
  seq: number;
  segment: SignedSegment;
  /** The record's place in its segment (0-based) and the path from its leaf to the segment's root. */
  leafIndex: number;
  auditPath: string[];
  /** The latest sealed segment, whose head covers every segment root so far. */
  latest: SignedSegment;
  /** The path from the segment's root (leaf n - 1 of the tree of heads) to the latest head. */
  headPath: string[];
}

/** Why a proof cannot be given (the record is not sealed yet, or there is no such segment). */
export class NotSealed extends Error {}

/** The tree of segment roots 1..to, as leaf hashes. */
async function rootLeaves(archive: DisclosureArchive, to: number): Promise<Buffer[]> {
  const leaves: Buffer[] = [];
  for (let after = 0; after < to; ) {
    const page = await archive.segments(after, Math.min(1000, to - after));
    if (page.length === 0) break;
    for (const s of page) leaves.push(rootLeaf(s.root));
    after = page[page.length - 1]!.n;
  }
  return leaves;
}

export async function recordProof(archive: DisclosureArchive, seq: number): Promise<RecordProof> {
  const segment = await archive.segmentHolding(seq);
  const latest = await archive.last();
  if (!segment || !latest) throw new NotSealed(`record seq ${seq} is not sealed into a segment yet`);
  const leafIndex = seq - segment.firstSeq;
  return {
    seq,
    segment: signed(segment),
    leafIndex,
    auditPath: await auditPath(archive, segment, seq),
    latest: signed(latest),
    headPath: hex(inclusionProof(await rootLeaves(archive, latest.n), segment.n - 1)),
  };
}

/**
 * A record's path to its segment's root: from the segment's records, or, once retention expired them, from
 * the proof kept for a record under a legal hold. A segment that retention expires while its records are
 * read (fewer come back than it holds) is looked at again, as expired.
 */
async function auditPath(archive: DisclosureArchive, segment: ArchivedSegment, seq: number): Promise<string[]> {
  if (!segment.expiredAt) {
    const records = await archive.range(segment.firstSeq, segment.lastSeq);
    if (records.length === segment.lastSeq - segment.firstSeq + 1)
      return hex(
        inclusionProof(
          records.map((r) => recordLeaf(r.hash)),
          seq - segment.firstSeq,
        ),
      );
    const now = await archive.segmentHolding(seq);
    if (!now?.expiredAt) throw new Error(`segment ${segment.n} holds ${records.length} of its records`);
  }
  const kept = await archive.keptProof(seq);
  if (!kept) throw new NotSealed(`record seq ${seq} expired under retention: its segment keeps only its root`);
  return kept;
}

/** That the sealed head of segment `to` extends that of segment `from` (nothing before it was rewritten). */
export async function headConsistency(
  archive: DisclosureArchive,
  from: number,
  to: number,
): Promise<{ from: SignedSegment; to: SignedSegment; proof: string[] }> {
  if (from < 1 || to < from) throw new NotSealed(`no consistency proof from segment ${from} to segment ${to}`);
  const [first] = await archive.segments(from - 1, 1);
  const [last] = await archive.segments(to - 1, 1);
  if (first?.n !== from || last?.n !== to)
    throw new NotSealed(`segment ${first?.n === from ? to : from} is not sealed`);
  return { from: signed(first), to: signed(last), proof: hex(consistencyProof(await rootLeaves(archive, to), from)) };
}
