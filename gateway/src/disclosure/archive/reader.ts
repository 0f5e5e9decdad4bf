import type { DisclosureRecord } from '../record.js';
import { SetCache } from '../set-cache.js';
import { matches, type RecordFilter } from '../store.js';
import type { DisclosureArchive } from './archive.js';

/** Seqs read from an index per round, and records per page of a scan. */
const PAGE = 200;

/**
 * Records are numbered in the order they reach the log, stamped when their response was drafted: two
 * gateways' clocks and a batch's wait can put a record a little out of time order. A time bound becomes a
 * seq bound this much wider; the filter itself is then applied exactly.
 */
const CLOCK_MARGIN_MS = 5 * 60_000;

const shifted = (time: string, ms: number) => {
  const t = Date.parse(time);
  return Number.isNaN(t) ? time : new Date(t + ms).toISOString();
};

/** The archive's most selective index key for a filter, or null (then the time range, or a scan, bounds it). */
export function archiveIndex(f: RecordFilter): string | null {
  if (f.reviewOf) return `reviewed:${f.reviewOf}`;
  if (f.nhsNumber) return `child:${f.nhsNumber}`;
  if (f.userId) return `user:${f.userId}`;
  if (f.breakGlass) return 'breakglass';
  if (f.kind === 'BREAK_GLASS_REVIEW') return 'reviews';
  if (f.outcome) return `outcome:${f.outcome}`;
  if (f.kind) return `kind:${f.kind}`;
  if (f.agency) return `agency:${f.agency}`;
  if (f.purpose) return `purpose:${f.purpose}`;
  return null;
}

/**
 * Answers IG questions from the archive: each filter reads an index key (child, user, break-glass, reviews,
 * outcome, kind, agency, purpose) and a time range narrows it to a seq range first, so the cost follows the
 * records returned (and those the other filters then drop), not the archive's length. Newest first.
 */
export class ArchiveReader {
  private readonly sets: SetCache;

  constructor(private readonly archive: DisclosureArchive) {
    this.sets = new SetCache((ids) => archive.sets(ids));
  }

  async query(filter: RecordFilter, limit: number, before = Number.MAX_SAFE_INTEGER): Promise<DisclosureRecord[]> {
    const range = await this.seqRange(filter, before);
    if (!range) return [];
    let { below, atLeast } = range;
    const key = archiveIndex(filter);
    const out: DisclosureRecord[] = [];
    while (out.length < limit && below > atLeast) {
      const page = Math.min(Math.max((limit - out.length) * 2, 20), PAGE);
      const stored = key
        ? await this.archive.bySeqs(await this.archive.seqsUnder(key, below, atLeast, page))
        : await this.archive.latest(below, atLeast, page);
      if (stored.length === 0) break;
      for (const r of await this.sets.expand(stored)) {
        if (matches(r, filter)) out.push(r);
        if (out.length >= limit) break;
      }
      below = stored[stored.length - 1]!.seq;
      if (stored.length < page) break;
    }
    return out;
  }

  async get(id: string): Promise<DisclosureRecord | null> {
    const seq = await this.archive.seqOf(id);
    if (seq === null) return null;
    const [stored] = await this.archive.bySeqs([seq]);
    return stored ? ((await this.sets.expand([stored]))[0] ?? null) : null;
  }

  /** The seqs a filter's time range and cursor allow: [atLeast, below), or null when none can match. */
  private async seqRange(f: RecordFilter, before: number): Promise<{ below: number; atLeast: number } | null> {
    let below = before;
    let atLeast = 1;
    if (f.to) {
      const last = await this.archive.seqAtTime(shifted(f.to, CLOCK_MARGIN_MS), 'to');
      if (last === null) return null;
      below = Math.min(below, last + 1);
    }
    if (f.from) {
      const first = await this.archive.seqAtTime(shifted(f.from, -CLOCK_MARGIN_MS), 'from');
      if (first === null) return null;
      atLeast = first;
    }
    return { below, atLeast };
  }
}
