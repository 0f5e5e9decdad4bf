import { CompactSign, compactVerify, type CryptoKey } from 'jose';
import { canonical, GENESIS_HASH, type AnyStoredRecord } from './record.js';
import { Frontier, leafHash, rootOfHashes } from './merkle.js';

/**
 * A sealed segment of the disclosure log: a run of consecutive records, closed with a Merkle root over
 * them (RFC 6962; each leaf is a record's chain hash), the previous segment's root, and the sealed head:
 * the Merkle root over every segment's root so far. The header is signed with the log key, so a copy of
 * the archive cannot be rewritten and re-sealed by someone without it, and an IG lead holding one signed
 * head can check any later one extends it (a consistency proof) and any record is in it (an inclusion proof).
 */
export interface SegmentHeader {
  /** 1 for the first segment. */
  n: number;
  firstSeq: number;
  lastSeq: number;
  count: number;
  firstTime: string;
  lastTime: string;
  /** Merkle root over the segment's records (hex). */
  root: string;
  /** The previous segment's root; the empty tree's for the first. */
  prevRoot: string;
  /** Merkle root over the roots of segments 1..n: the sealed head (hex). */
  head: string;
  /** The chain hash of the last record: the next segment's first record links to it. */
  lastHash: string;
  /** The first record's predecessor's chain hash. */
  prevHash: string;
  sealedAt: string;
  /** The log key's id. */
  kid: string;
}

/** A header with its signature: a JWS (ES256, compact) over the header's canonical JSON. */
export interface Segment extends SegmentHeader {
  signature: string;
}

/** The root of the empty tree: what the first segment's `prevRoot` is. */
export const EMPTY_ROOT = rootOfHashes([]).toString('hex');

/** The key a log seals with: the private half to sign, its id to name it. */
export interface LogKey {
  kid: string;
  privateKey: CryptoKey;
}

/** A record's leaf in its segment's tree: its chain hash's bytes. */
export function recordLeaf(hash: string): Buffer {
  return leafHash(Buffer.from(hash, 'hex'));
}

/**
 * Seals records (consecutive, in order, each already chained) as segment n after `previous` (null for the
 * first); `heads` is the tree of the roots of segments 1..n-1 (left unchanged).
 */
export async function seal(
  records: readonly AnyStoredRecord[],
  previous: Segment | null,
  heads: Frontier,
  key: LogKey,
): Promise<Segment> {
  if (records.length === 0) throw new Error('a segment needs at least one record');
  const first = records[0]!;
  const last = records[records.length - 1]!;
  const n = (previous?.n ?? 0) + 1;
  if (heads.size !== n - 1) throw new Error(`sealing segment ${n} needs ${n - 1} earlier roots, not ${heads.size}`);
  if (first.seq !== (previous?.lastSeq ?? 0) + 1)
    throw new Error(`segment ${n} would start at seq ${first.seq}, not ${(previous?.lastSeq ?? 0) + 1}`);
  // The records must continue the sealed chain, link by link: a hot tier that is not the archive's log (a new
  // Redis beside an old archive, records lost) is refused here, never sealed onto it.
  let expected = previous?.lastHash ?? GENESIS_HASH;
  for (const r of records) {
    if (r.prevHash !== expected)
      throw new Error(
        `segment ${n}: record ${r.seq} names ${r.prevHash.slice(0, 12)}… before it, not ${expected.slice(0, 12)}…: ${
          r === first
            ? 'the hot tier does not continue the archive (another log, or records missing)'
            : 'the hot tier is broken'
        }; nothing is sealed`,
      );
    expected = r.hash;
  }
  const root = rootOfHashes(records.map((r) => recordLeaf(r.hash))).toString('hex');
  const header: SegmentHeader = {
    n,
    firstSeq: first.seq,
    lastSeq: last.seq,
    count: records.length,
    firstTime: first.time,
    lastTime: last.time,
    root,
    prevRoot: previous?.root ?? EMPTY_ROOT,
    head: headWith(heads, root),
    lastHash: last.hash,
    prevHash: previous?.lastHash ?? GENESIS_HASH,
    sealedAt: new Date().toISOString(),
    kid: key.kid,
  };
  const signature = await new CompactSign(new TextEncoder().encode(canonical(headerOf({ ...header, signature: '' }))))
    .setProtectedHeader({ alg: 'ES256', kid: key.kid })
    .sign(key.privateKey);
  return { ...header, signature };
}

/** A segment root's leaf in the tree of heads. */
export function rootLeaf(root: string): Buffer {
  return leafHash(Buffer.from(root, 'hex'));
}

/** The sealed head once `root` joins the tree of earlier roots (hex); the tree itself is left as it was. */
export function headWith(heads: Frontier, root: string): string {
  const next = heads.clone();
  next.push(rootLeaf(root));
  return next.root().toString('hex');
}

/** The header a segment's signature covers: exactly its fields (an archive's row carries more). */
export function headerOf(s: Segment): SegmentHeader {
  return {
    n: s.n,
    firstSeq: s.firstSeq,
    lastSeq: s.lastSeq,
    count: s.count,
    firstTime: s.firstTime,
    lastTime: s.lastTime,
    root: s.root,
    prevRoot: s.prevRoot,
    head: s.head,
    lastHash: s.lastHash,
    prevHash: s.prevHash,
    sealedAt: s.sealedAt,
    kid: s.kid,
  };
}

/** Whether the signature is the log key's over exactly this header. */
export async function signatureHolds(segment: Segment, publicKey: CryptoKey): Promise<boolean> {
  try {
    const { payload } = await compactVerify(segment.signature, publicKey);
    return new TextDecoder().decode(payload) === canonical(headerOf(segment));
  } catch {
    return false;
  }
}

/**
 * What is wrong with a segment as the successor of `previous` (its signature aside), or null: numbering,
 * seq range, links to the previous root and last hash, and its head over `heads` (the roots before it).
 */
export function linkProblem(segment: Segment, previous: Segment | null, heads: Frontier): string | null {
  const expectedN = (previous?.n ?? 0) + 1;
  if (segment.n !== expectedN) return `segment ${segment.n} follows segment ${expectedN - 1}: a segment is missing`;
  if (segment.firstSeq !== (previous?.lastSeq ?? 0) + 1)
    return `segment ${segment.n} starts at seq ${segment.firstSeq}, not ${(previous?.lastSeq ?? 0) + 1}: records are missing between segments`;
  if (segment.count !== segment.lastSeq - segment.firstSeq + 1)
    return `segment ${segment.n} counts ${segment.count} records for seqs ${segment.firstSeq}–${segment.lastSeq}`;
  if (segment.prevRoot !== (previous?.root ?? EMPTY_ROOT))
    return `segment ${segment.n} does not link to the root of segment ${expectedN - 1}`;
  if (segment.prevHash !== (previous?.lastHash ?? GENESIS_HASH))
    return `segment ${segment.n} does not continue the chain where segment ${expectedN - 1} ended`;
  if (segment.head !== headWith(heads, segment.root))
    return `segment ${segment.n}'s sealed head is not the tree of the roots before it`;
  return null;
}
