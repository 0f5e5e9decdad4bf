import { createHash } from 'node:crypto';

/**
 * Merkle trees as RFC 6962 (Certificate Transparency) defines them: a leaf hashes as SHA-256(0x00 ‖ leaf),
 * an interior node as SHA-256(0x01 ‖ left ‖ right), and a tree of n leaves splits at the largest power
 * of two below n. With it an auditor can check that one record is in a sealed log (an inclusion proof) and
 * that a later sealed head extends an earlier one without rewriting it (a consistency proof), holding
 * only the heads. Hashes are Buffers of 32 bytes; leaves are whatever bytes the caller names.
 */

const LEAF = Buffer.from([0]);
const NODE = Buffer.from([1]);

export function leafHash(leaf: Buffer): Buffer {
  return createHash('sha256').update(LEAF).update(leaf).digest();
}

function nodeHash(left: Buffer, right: Buffer): Buffer {
  return createHash('sha256').update(NODE).update(left).update(right).digest();
}

/** The largest power of two strictly below n (n ≥ 2). */
function split(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** MTH(D[n]) over leaf hashes already computed (so a caller hashing millions does it once). */
export function rootOfHashes(hashes: readonly Buffer[]): Buffer {
  if (hashes.length === 0) return createHash('sha256').digest();
  // Bottom-up, pairing left to right and carrying an odd last node up unchanged: the same tree as the
  // recursive definition (its left subtrees are always perfect), without the recursion.
  let level: Buffer[] = [...hashes];
  while (level.length > 1) {
    const next: Buffer[] = [];
    for (let i = 0; i + 1 < level.length; i += 2) next.push(nodeHash(level[i]!, level[i + 1]!));
    if (level.length % 2 === 1) next.push(level[level.length - 1]!);
    level = next;
  }
  return level[0]!;
}

/** MTH over leaves. */
export function merkleRoot(leaves: readonly Buffer[]): Buffer {
  return rootOfHashes(leaves.map(leafHash));
}

/** PATH(m, D[n]): the audit path of leaf m (0-based) in the tree of these leaf hashes. */
export function inclusionProof(hashes: readonly Buffer[], m: number): Buffer[] {
  if (m < 0 || m >= hashes.length) throw new RangeError(`leaf ${m} is not in a tree of ${hashes.length}`);
  if (hashes.length === 1) return [];
  const k = split(hashes.length);
  return m < k
    ? [...inclusionProof(hashes.slice(0, k), m), rootOfHashes(hashes.slice(k))]
    : [...inclusionProof(hashes.slice(k), m - k), rootOfHashes(hashes.slice(0, k))];
}

/** Checks an audit path (RFC 9162 §2.1.3.2's algorithm): does this leaf hash sit at m in a tree of n with this root? */
export function verifyInclusion(leaf: Buffer, m: number, n: number, proof: readonly Buffer[], root: Buffer): boolean {
  if (m < 0 || m >= n) return false;
  let fn = m;
  let sn = n - 1;
  let r = leaf;
  for (const p of proof) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(p, r);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn >>= 1;
          sn >>= 1;
        }
      }
    } else {
      r = nodeHash(r, p);
    }
    fn >>= 1;
    sn >>= 1;
  }
  return sn === 0 && r.equals(root);
}

/** PROOF(m, D[n]): that the tree of the first m leaf hashes is a prefix of the tree of all n. */
export function consistencyProof(hashes: readonly Buffer[], m: number): Buffer[] {
  if (m < 1 || m > hashes.length) throw new RangeError(`no consistency proof from ${m} to ${hashes.length}`);
  return subproof(m, hashes, true);
}

function subproof(m: number, d: readonly Buffer[], complete: boolean): Buffer[] {
  const n = d.length;
  if (m === n) return complete ? [] : [rootOfHashes(d)];
  const k = split(n);
  return m <= k
    ? [...subproof(m, d.slice(0, k), complete), rootOfHashes(d.slice(k))]
    : [...subproof(m - k, d.slice(k), false), rootOfHashes(d.slice(0, k))];
}

/** Checks a consistency proof (RFC 9162 §2.1.4.2) between a tree of m with root1 and a tree of n with root2. */
export function verifyConsistency(
  m: number,
  n: number,
  root1: Buffer,
  root2: Buffer,
  proof: readonly Buffer[],
): boolean {
  if (m < 1 || m > n) return false;
  if (m === n) return proof.length === 0 && root1.equals(root2);
  const path = [...proof];
  // A first tree that is a perfect subtree is not repeated in the proof.
  if ((m & (m - 1)) === 0) path.unshift(root1);
  if (path.length === 0) return false;
  let fn = m - 1;
  let sn = n - 1;
  while (fn % 2 === 1) {
    fn >>= 1;
    sn >>= 1;
  }
  let fr = path[0]!;
  let sr = path[0]!;
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn >>= 1;
          sn >>= 1;
        }
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn >>= 1;
    sn >>= 1;
  }
  return sn === 0 && fr.equals(root1) && sr.equals(root2);
}

/**
 * The right edge of a growing tree: the roots of its perfect subtrees, largest first. Appending a leaf and
 * reading the root each cost O(log n), so a log's head can follow it without re-reading its history.
 */
export class Frontier {
  private readonly nodes: { size: number; hash: Buffer }[] = [];
  private count = 0;

  /** Appends a leaf hash. */
  push(hash: Buffer): void {
    let node = { size: 1, hash };
    while (this.nodes.length > 0 && this.nodes[this.nodes.length - 1]!.size === node.size) {
      const left = this.nodes.pop()!;
      node = { size: left.size * 2, hash: nodeHash(left.hash, node.hash) };
    }
    this.nodes.push(node);
    this.count++;
  }

  get size(): number {
    return this.count;
  }

  /** A copy, to look ahead without moving this one. */
  clone(): Frontier {
    const copy = new Frontier();
    copy.nodes.push(...this.nodes);
    copy.count = this.count;
    return copy;
  }

  /** MTH of the leaves pushed so far. */
  root(): Buffer {
    if (this.nodes.length === 0) return rootOfHashes([]);
    let r = this.nodes[this.nodes.length - 1]!.hash;
    for (let i = this.nodes.length - 2; i >= 0; i--) r = nodeHash(this.nodes[i]!.hash, r);
    return r;
  }
}
