import type { DisclosureArchive } from './archive/archive.js';
import { inclusionProof } from './merkle.js';
import { recordLeaf } from './segment.js';
import { childrenNamed } from './store.js';

/**
 * Retention: whole segments whose last record is older than the cutoff lose their records; the header
 * (root, counts, range, signature) stays, so the log still verifies and says how many records expired. A
 * record naming a child under a legal hold is kept, with its inclusion proof in the segment's root.
 * Segments are looked at in order from the first not yet expired, so a pass costs the segments it expires.
 */
export class Retention {
  private next = 0;

  constructor(private readonly archive: DisclosureArchive) {}

  /** Expires what the cutoff reaches; returns the records removed. */
  async expire(cutoff: number): Promise<number> {
    let removed = 0;
    for (;;) {
      const page = await this.archive.segments(this.next, 100);
      for (const segment of page) {
        if (Date.parse(segment.lastTime) >= cutoff) return removed;
        if (segment.expiredAt) {
          this.next = segment.n;
          continue;
        }
        const records = await this.archive.range(segment.firstSeq, segment.lastSeq);
        const leaves = records.map((r) => recordLeaf(r.hash));
        removed += await this.archive.expire(
          segment.n,
          // The holds as the expiry's own transaction reads them (one placed during this pass is honoured).
          (record, held) => childrenNamed(record).some((n) => held.has(n)),
          (seq) => inclusionProof(leaves, seq - segment.firstSeq).map((p) => p.toString('hex')),
        );
        this.next = segment.n; // only once expired: a failed expiry is tried again on the next pass
      }
      if (page.length < 100) return removed;
    }
  }
}
