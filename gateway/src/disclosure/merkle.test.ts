import { describe, expect, it } from 'vitest';
import {
  consistencyProof,
  Frontier,
  inclusionProof,
  leafHash,
  merkleRoot,
  rootOfHashes,
  verifyConsistency,
  verifyInclusion,
} from './merkle.js';

// The test leaves of Certificate Transparency's reference implementation (RFC 6962), with their roots.
const LEAVES = ['', '00', '10', '2021', '3031', '40414243', '5051525354555657', '606162636465666768696a6b6c6d6e6f'].map(
  (h) => Buffer.from(h, 'hex'),
);
const ROOTS: Record<number, string> = {
  1: '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  2: 'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  3: 'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  4: 'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  5: '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  6: '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  7: 'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  8: '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
};

describe('Merkle trees (RFC 6962)', () => {
  it('gives the reference roots for 1 to 8 leaves', () => {
    for (let n = 1; n <= 8; n++) expect(merkleRoot(LEAVES.slice(0, n)).toString('hex'), `n=${n}`).toBe(ROOTS[n]);
    expect(merkleRoot([]).toString('hex')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });

  it('proves every leaf of every tree up to 40 in, and refuses a wrong leaf, place or root (the size is vouched for by the signed head)', () => {
    const hashes = Array.from({ length: 40 }, (_, i) => leafHash(Buffer.from(`record ${i}`)));
    for (let n = 1; n <= 40; n++) {
      const tree = hashes.slice(0, n);
      const root = rootOfHashes(tree);
      for (let m = 0; m < n; m++) {
        const proof = inclusionProof(tree, m);
        expect(verifyInclusion(tree[m]!, m, n, proof, root), `${m} of ${n}`).toBe(true);
        if (n > 1) {
          expect(verifyInclusion(tree[(m + 1) % n]!, m, n, proof, root)).toBe(false);
          expect(verifyInclusion(tree[m]!, (m + 1) % n, n, proof, root)).toBe(false);
        }
        expect(verifyInclusion(tree[m]!, m, n, proof, leafHash(Buffer.from('other')))).toBe(false);
      }
    }
  });

  it('proves every earlier tree a prefix of every later one, and refuses a rewritten history', () => {
    const hashes = Array.from({ length: 33 }, (_, i) => leafHash(Buffer.from(`record ${i}`)));
    const rewritten = [...hashes];
    rewritten[2] = leafHash(Buffer.from('altered'));
    for (let n = 1; n <= 33; n++) {
      const root2 = rootOfHashes(hashes.slice(0, n));
      for (let m = 1; m <= n; m++) {
        const root1 = rootOfHashes(hashes.slice(0, m));
        const proof = consistencyProof(hashes.slice(0, n), m);
        expect(verifyConsistency(m, n, root1, root2, proof), `${m} → ${n}`).toBe(true);
        if (m > 2) {
          // The same proof cannot join an old head whose history was different.
          const forged = rootOfHashes(rewritten.slice(0, m));
          expect(verifyConsistency(m, n, forged, root2, proof), `forged ${m} → ${n}`).toBe(false);
        }
      }
    }
  });

  it('follows a growing tree from its right edge to the same root', () => {
    const frontier = new Frontier();
    const hashes: Buffer[] = [];
    for (let i = 0; i < 70; i++) {
      const h = leafHash(Buffer.from(`segment ${i}`));
      hashes.push(h);
      frontier.push(h);
      expect(frontier.root().equals(rootOfHashes(hashes)), `n=${i + 1}`).toBe(true);
    }
  });
});
