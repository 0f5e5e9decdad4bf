import type { CryptoKey } from 'jose';
import type { DisclosureArchive } from './archive/archive.js';
import { ArchiveReader } from './archive/reader.js';
import { verifyTiered, type TieredIntegrity } from './archive/verify.js';
import type { SegmentCheckPool } from './archive/verify-pool.js';
import type { Charge } from '../limits/rate-limit.js';
import type { HotTier } from './hot-tier.js';
import type { DisclosureRecord, RecordDraft } from './record.js';
import type { Anchor, DisclosureStore, RecordFilter } from './store.js';

/**
 * The disclosure log in two tiers: appends go to the hot tier (Redis, or the embedded file) as before;
 * sealed segments move to the archive. Reads take records after the archive's end from the hot tier and
 * the rest from the archive, so a record is read once whichever tier holds it, and a page is stable while
 * appends and moves go on (a cursor is a seq, and a seq names one record for good).
 */
export class TieredDisclosureStore implements DisclosureStore {
  /** The hot tier's kind: where appends go. */
  readonly kind: 'file' | 'redis';
  private readonly reader: ArchiveReader;

  constructor(
    readonly hot: DisclosureStore & HotTier,
    readonly archive: DisclosureArchive,
    private readonly logKey: CryptoKey,
  ) {
    this.kind = hot.kind;
    this.reader = new ArchiveReader(archive);
  }

  append(drafts: readonly RecordDraft[], charges?: readonly (Charge | null)[]): Promise<DisclosureRecord[]> {
    return this.hot.append(drafts, charges);
  }

  async query(filter: RecordFilter, limit: number, before = Number.MAX_SAFE_INTEGER): Promise<DisclosureRecord[]> {
    const hot = await this.hot.query(filter, limit, before);
    // Where the archive ends is read after the hot tier: a segment trimmed meanwhile was archived first,
    // so whatever the hot read missed is at or below this end, and read from the archive below.
    const archivedThrough = (await this.archive.last())?.lastSeq ?? 0;
    const out = hot.filter((r) => r.seq > archivedThrough);
    if (out.length >= limit) return out;
    const below = Math.min(before, archivedThrough + 1);
    return below > 1 ? [...out, ...(await this.reader.query(filter, limit - out.length, below))] : out;
  }

  async get(id: string): Promise<DisclosureRecord | null> {
    return (await this.hot.get(id)) ?? this.reader.get(id);
  }

  /** Verifies both tiers; with a pool, the archive's segments are re-hashed in its threads side by side. */
  verify(anchor?: Anchor, pool?: SegmentCheckPool): Promise<TieredIntegrity> {
    return verifyTiered(this.archive, this.hot, this.logKey, anchor, pool);
  }

  problem(): string | null {
    return this.hot.problem?.() ?? null;
  }

  ready(): Promise<boolean> {
    return this.hot.ready();
  }

  claim(): void {
    this.hot.claim?.();
  }

  async durability(): Promise<string> {
    return `${await this.hot.durability()}; sealed segments move to the ${this.archive.kind} archive (${this.archive.where})`;
  }

  async close(): Promise<void> {
    await this.hot.close();
    await this.archive.close();
  }
}
