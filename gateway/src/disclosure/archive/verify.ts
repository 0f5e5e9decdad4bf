import type { CryptoKey } from 'jose';
import { Frontier, rootOfHashes, verifyInclusion } from '../merkle.js';
import { fieldSetId, firstBreak, hashOf, setIdsOf, type AnyStoredRecord, type FieldSet } from '../record.js';
import { linkProblem, recordLeaf, rootLeaf, signatureHolds, type Segment } from '../segment.js';
import type { Anchor, DisclosureStore, IntegrityResult } from '../store.js';
import type { HotTier } from '../hot-tier.js';
import type { DisclosureArchive } from './archive.js';
import type { SegmentCheckPool } from './verify-pool.js';

/** What a verification of both tiers found. */
export interface TieredIntegrity extends IntegrityResult {
  /** Sealed segments checked (signature, links, head). */
  segments: number;
  /** The last sealed segment and its head: what the next run's anchor names. */
  sealed: { n: number; head: string } | null;
  /** Records whose hashes and Merkle roots were recomputed this run (the rest were vouched for by the anchor). */
  rehashed: number;
  /** Records removed under retention (their segments' roots, counts and ranges remain). */
  expired: number;
}

/**
 * Verifies the log across its tiers. Every segment header: its signature by the log key, its number, range
 * and links to the previous segment, and its sealed head over every root before it. Segments after the
 * anchor's (all of them on a first run): every record re-hashed, chained, its field sets present and true,
 * and the Merkle root recomputed; segments up to the anchor are vouched for by the anchor's head, which the
 * archive must still carry. Records kept past their segment's expiry are checked by their inclusion proofs.
 * Then the hot tier: its chain from the last record trimmed, meeting the archive where it ends.
 */
export async function verifyTiered(
  archive: DisclosureArchive,
  hot: DisclosureStore & HotTier,
  logKey: CryptoKey,
  anchor?: Anchor,
  pool?: SegmentCheckPool,
): Promise<TieredIntegrity> {
  const heads = new Frontier();
  let previous = null as Segment | null; // not narrowed: the walks below move it
  let count = 0;
  let rehashed = 0;
  let expired = 0;
  let anchorSeen = false;
  const sets = new Map<string, FieldSet>();
  /** Where the walk stood: what a problem found at that point reports. */
  type Point = { count: number; previous: Segment | null; segments: number; rehashed: number; expired: number };
  const here = (): Point => ({ count, previous, segments: heads.size, rehashed, expired });
  const result = (problem: string | null, at: Point = here()): TieredIntegrity => ({
    ok: problem === null,
    count: at.count,
    headHash: at.previous?.lastHash ?? '',
    problem,
    segments: at.segments,
    sealed: at.previous ? { n: at.previous.n, head: at.previous.head } : null,
    rehashed: at.rehashed,
    expired: at.expired,
  });
  // Segments' records are re-hashed in the pool's threads, several at once, while the headers are walked
  // here in order; the first problem in log order is the one reported, as if checked one by one.
  const inFlight: { problem: Promise<string | null>; at: Point }[] = [];
  const ahead = pool ? pool.size * 2 : 1;
  const settle = async (keep: number): Promise<TieredIntegrity | null> => {
    while (inFlight.length > keep) {
      const { problem, at } = inFlight.shift()!;
      const found = await problem;
      if (found) return result(found, at);
    }
    return null;
  };
  const failed = async (problem: string): Promise<TieredIntegrity> => (await settle(0)) ?? result(problem);
  /** Walks the archive's segments after those walked already, as far as it holds now. */
  const walkArchive = async (): Promise<TieredIntegrity | null> => {
    try {
      for (;;) {
        const page = await archive.segments(previous?.n ?? 0, 500);
        for (const segment of page) {
          if (!(await signatureHolds(segment, logKey)))
            return await failed(`segment ${segment.n} is not signed by the log key: its header was altered or forged`);
          const linked = linkProblem(segment, previous, heads);
          if (linked) return await failed(linked);
          heads.push(rootLeaf(segment.root));
          if (anchor?.segment === segment.n) {
            anchorSeen = true;
            if (anchor.head !== segment.head)
              return await failed(
                `segment ${segment.n} is not the one anchored (head ${anchor.head?.slice(0, 12)}…): the log was rewritten`,
              );
          }
          const vouched = anchor?.segment !== undefined && segment.n <= anchor.segment;
          if (segment.expiredAt) expired += segment.expired;
          if (!vouched) {
            const problem = segment.expiredAt
              ? keptRecordsProblem(archive, segment)
              : (pool ? pool.check(segment) : recordsProblem(archive, segment, sets)).then((found) =>
                  found
                    ? expiredMeanwhile(archive, segment, found, (removed) => {
                        expired += removed;
                        rehashed -= removed;
                      })
                    : null,
                );
            problem.catch(() => {}); // awaited in order below; a failure is not left unhandled meanwhile
            inFlight.push({ problem, at: here() });
            rehashed += segment.count - (segment.expiredAt ? segment.expired : 0);
            const early = await settle(ahead - 1);
            if (early) return early;
          }
          count += segment.count;
          previous = segment;
        }
        if (page.length < 500) break;
      }
      return await settle(0);
    } finally {
      await Promise.allSettled(inFlight.map((f) => f.problem));
    }
  };
  const archived = await walkArchive();
  if (archived) return archived;
  if (anchor?.segment !== undefined && !anchorSeen)
    return result(
      `the archive ends at segment ${previous?.n ?? 0} but was anchored at segment ${anchor.segment}: segments have vanished`,
    );
  if (anchor && anchor.segment === undefined && anchor.seq > 0 && anchor.seq <= (previous?.lastSeq ?? 0)) {
    // An anchor noted before segments were sealed: the record it names must be the archive's.
    const [record] = await archive.bySeqs([anchor.seq]);
    const segment = await archive.segmentHolding(anchor.seq);
    if (!segment?.expiredAt && record?.hash !== anchor.hash)
      return result(
        `record seq ${anchor.seq} is not the one anchored (hash ${anchor.hash.slice(0, 12)}…): the log was rewritten`,
      );
  }
  // The hot tier, as one moment's log, from where the archive ends. Segments move on meanwhile. A trim past
  // the archive's end as walked means the mover archived more since: the archive is walked further (its new
  // segments checked like the rest). A trim during the hot tier's walk (within the archive or past it) sends
  // the walk round again, from where the tier then begins; a tier that never holds still for a walk is
  // reported as not checked, never as broken.
  for (let round = 1; ; round++) {
    const end = previous?.lastSeq ?? 0;
    const meeting = await hotMeetsArchive(hot, previous);
    if (meeting) {
      const walked = previous?.n ?? 0;
      const further = await walkArchive();
      if (further) return further;
      if ((previous?.n ?? 0) > walked) continue;
      return result(meeting);
    }
    const tail = await hot.verifyTail(anchor && anchor.seq > end ? anchor : undefined, end);
    if (tail.overtaken) {
      const further = await walkArchive();
      if (further) return further;
      if (round < MOVING_ROUNDS) continue;
      return result(
        `not checked: the hot tier was trimmed during each of ${MOVING_ROUNDS} walks of it (the mover is moving segments faster than they can be read); check again`,
      );
    }
    if (!tail.ok) return { ...result(tail.problem), headHash: tail.headHash };
    const last = Math.max(end, tail.through ?? end);
    return {
      ...result(null),
      count: last,
      headHash: tail.count > 0 ? tail.headHash : (previous?.lastHash ?? tail.headHash),
      rehashed: rehashed + Math.max(0, last - end),
    };
  }
}

/** Walks of the hot tier a verification makes while trims keep overtaking it, before it says it could not check. */
const MOVING_ROUNDS = 20;

/** The hot tier must have been trimmed only through archived records, and continue where the archive ends. */
async function hotMeetsArchive(hot: HotTier, last: Segment | null): Promise<string | null> {
  const trimmed = await hot.trimmed();
  if (trimmed.seq > (last?.lastSeq ?? 0))
    return `the hot tier was trimmed through seq ${trimmed.seq}, past the archive's end (seq ${last?.lastSeq ?? 0}): records were removed unarchived`;
  if (!last || last.lastSeq === trimmed.seq) return null;
  const [record] = (await hot.readStored(last.lastSeq, 1)).records;
  // The hot tier ends before the archive does (a fresh Redis: the tail is then empty), or the record was
  // trimmed as it was read (the read then starts at a later one).
  if (!record || record.seq !== last.lastSeq) return null;
  return record.hash === last.lastHash
    ? null
    : `the hot tier's record seq ${last.lastSeq} is not the one sealed in segment ${last.n}: the two tiers disagree`;
}

/** Re-hashes a segment's records: chained, every field set present and true, and the Merkle root. */
export async function recordsProblem(
  archive: DisclosureArchive,
  segment: Segment,
  verified: Map<string, FieldSet>,
): Promise<string | null> {
  const records = await archive.range(segment.firstSeq, segment.lastSeq);
  if (records.length !== segment.count)
    return `segment ${segment.n} holds ${records.length} of its ${segment.count} records: records were deleted from the archive`;
  let previous = { seq: segment.firstSeq - 1, hash: segment.prevHash };
  for (const record of records) {
    const problem = firstBreak(record, previous);
    if (problem) return problem;
    previous = { seq: record.seq, hash: record.hash };
  }
  const missing = [...new Set(records.flatMap(setIdsOf))].filter((id) => !verified.has(id));
  const found = await archive.sets(missing);
  for (const id of missing) {
    const set = found.get(id);
    if (!set) return `segment ${segment.n} names field set ${id}, which the archive does not hold`;
    if (fieldSetId(set) !== id) return `field set ${id} was altered: its content does not match its id`;
    verified.set(id, set);
  }
  const root = rootOfHashes(records.map((r) => recordLeaf(r.hash))).toString('hex');
  return root === segment.root ? null : `segment ${segment.n}'s records do not make its sealed root`;
}

/**
 * A segment found short of records may have been expired by retention after its header was read: read
 * again, it is then checked as an expired segment (its kept records proven in its root) and its removed
 * records are `counted` as expired. Otherwise the problem stands.
 */
async function expiredMeanwhile(
  archive: DisclosureArchive,
  segment: Segment,
  problem: string,
  counted: (removed: number) => void,
): Promise<string | null> {
  const [now] = await archive.segments(segment.n - 1, 1);
  if (!now?.expiredAt || now.n !== segment.n || now.root !== segment.root) return problem;
  counted(now.expired);
  return keptRecordsProblem(archive, now);
}

/** After retention, the records kept under a legal hold: each hashes true and is proven in its segment's root. */
async function keptRecordsProblem(archive: DisclosureArchive, segment: Segment): Promise<string | null> {
  const kept: AnyStoredRecord[] = await archive.range(segment.firstSeq, segment.lastSeq);
  for (const record of kept) {
    const { hash, ...rest } = record;
    if (hashOf(rest) !== hash)
      return `record seq ${record.seq} (${record.id}) was altered: its content does not match its hash`;
    const proof = await archive.keptProof(record.seq);
    const path = (proof ?? []).map((p) => Buffer.from(p, 'hex'));
    const inSegment = verifyInclusion(
      recordLeaf(hash),
      record.seq - segment.firstSeq,
      segment.count,
      path,
      Buffer.from(segment.root, 'hex'),
    );
    if (!proof || !inSegment)
      return `record seq ${record.seq}, kept under a legal hold, is not proven in segment ${segment.n}`;
  }
  return null;
}
