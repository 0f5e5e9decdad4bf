import type { DisclosureArchive } from './archive/archive.js';
import { trimPlan, type HotTier, type TrimPlan } from './hot-tier.js';
import { Frontier } from './merkle.js';
import { SetCache } from './set-cache.js';
import { rootLeaf, seal, type LogKey, type Segment } from './segment.js';

/** Puts asked of the archive before the oldest has committed. */
const PUTS_AHEAD = 2;

/** When to seal and how much Redis keeps. */
export interface MoverOptions {
  /** A segment closes at this many records… */
  segmentRecords: number;
  /** …or when its oldest record is this old, whichever comes first. */
  sealAfterMs: number;
  /** The most records the hot tier keeps: past it, archived segments leave it, oldest first. */
  hotRecords: number;
  /** Records older than this leave the archive, whole segments at a time (retention); null keeps all. */
  retentionMs: number | null;
}

/** What one pass did, for the metrics and the tests. */
export interface MoveReport {
  sealed: number;
  present: number;
  trimmed: number;
  expired: number;
}

/**
 * Seals the hot tier's records into segments, puts each in the archive, and only then trims it from the
 * hot tier (by the log's own trim function), keeping the newest `hotRecords` there. Every gateway runs one;
 * they need no lock: a segment's number is its archive key, so when two seal the same records one stores
 * it and the other finds it present (the same root: the same records) and goes on. A crash anywhere leaves
 * a state the next pass finishes: sealed-not-archived is sealed again, archived-not-trimmed is trimmed
 * (the trim is idempotent), so there is never a gap nor a duplicate.
 */
export class SegmentMover {
  /** The tree of the archive's segment roots, as far as this mover has read them. */
  private heads = new Frontier();
  private last: Segment | null = null;
  private running: Promise<MoveReport> | null = null;
  private readonly parts: SetCache;
  /**
   * The trim plans of the segments this mover sealed, made while it held their records: the segments still
   * in the hot tier (a few MB), so trimming them reads nothing back. A segment sealed by another gateway,
   * or before a restart, is read back from the archive instead.
   */
  private readonly plans = new Map<number, { root: string; plan: TrimPlan }>();

  constructor(
    private readonly hot: HotTier,
    private readonly archive: DisclosureArchive,
    private readonly key: LogKey,
    private readonly options: MoverOptions,
    private readonly expire: (now: Date) => Promise<number> = async () => 0,
  ) {
    this.parts = new SetCache((ids) => archive.sets(ids));
  }

  /** One pass; concurrent calls share it. */
  pass(now = new Date()): Promise<MoveReport> {
    if (!this.running)
      this.running = this.run(now).finally(() => {
        this.running = null;
      });
    return this.running;
  }

  private async run(now: Date): Promise<MoveReport> {
    const report: MoveReport = { sealed: 0, present: 0, trimmed: 0, expired: 0 };
    // Segments are read and sealed while the archive puts the last ones (its writer works beside this
    // thread): up to two puts are asked ahead. The archive commits them in order and refuses one whose
    // predecessor it does not hold, so it never holds a segment without the one before.
    const putting: Promise<'stored' | 'present'>[] = [];
    const settleOldest = async () => {
      const outcome = await putting.shift()!;
      if (outcome === 'present')
        report.present++; // another gateway stored the same records first
      else report.sealed++;
      report.trimmed += await this.trim();
    };
    try {
      await this.catchUp();
      for (;;) {
        const from = (this.last?.lastSeq ?? 0) + 1;
        const { records, sets } = await this.hot.readStored(from, this.options.segmentRecords);
        if (records.length === 0) break;
        if (records[0]!.seq !== from)
          throw new Error(
            `disclosure log: the hot tier resumes at seq ${records[0]!.seq} but the archive ends at seq ${from - 1}: records are missing`,
          );
        const full = records.length >= this.options.segmentRecords;
        const old = now.getTime() - Date.parse(records[0]!.time) >= this.options.sealAfterMs;
        if (!full && !old) break;
        const segment = await seal(records, this.last, this.heads, this.key);
        this.keepPlan(
          segment,
          trimPlan(records, (id) => sets.get(id)),
        );
        if (putting.length >= PUTS_AHEAD) await settleOldest();
        const put = this.archive.put(segment, records, sets);
        // Handled when settled; until then a failure must not count as unhandled (it would end the process).
        put.catch(() => undefined);
        putting.push(put);
        this.heads.push(rootLeaf(segment.root));
        this.last = segment;
        if (!full) break;
      }
      while (putting.length > 0) await settleOldest();
    } catch (error) {
      await Promise.allSettled(putting);
      // What this mover sealed ahead may not be stored: read the archive's own segments again next pass.
      this.heads = new Frontier();
      this.last = null;
      throw error;
    }
    report.trimmed += await this.trim();
    report.expired = await this.expire(now);
    return report;
  }

  /** Reads segments sealed since (by this mover or another gateway's) into the tree of heads. */
  private async catchUp(): Promise<void> {
    for (;;) {
      const more = await this.archive.segments(this.heads.size, 1000);
      for (const segment of more) {
        this.heads.push(rootLeaf(segment.root));
        this.last = segment;
      }
      if (more.length < 1000) return;
    }
  }

  /** Trims archived segments, oldest first, while the hot tier holds more than it keeps. */
  private async trim(): Promise<number> {
    if (!this.hot.trims) return 0;
    let trimmed = 0;
    let held = await this.hot.held();
    while (held > this.options.hotRecords) {
      const { seq } = await this.hot.trimmed();
      const segment = await this.archive.segmentHolding(seq + 1);
      if (!segment || segment.firstSeq !== seq + 1) break; // the oldest held is not archived yet
      const kept = this.plans.get(segment.n);
      // Only the plan of the very segment archived (the same root: the same records) stands for it.
      const plan = kept?.root === segment.root ? kept.plan : await this.planFromArchive(segment);
      await this.hot.trim(segment, plan);
      this.plans.delete(segment.n);
      held -= segment.count;
      trimmed++;
    }
    return trimmed;
  }

  /** Keeps a segment's trim plan while the hot tier may still hold it (the oldest are dropped first). */
  private keepPlan(segment: Segment, plan: TrimPlan): void {
    this.plans.set(segment.n, { root: segment.root, plan });
    const keep = Math.ceil(this.options.hotRecords / this.options.segmentRecords) + 2;
    for (const old of this.plans.keys()) {
      if (this.plans.size <= keep) break;
      this.plans.delete(old);
    }
  }

  /** A segment's trim plan, from its records as the archive holds them. */
  private async planFromArchive(segment: Segment): Promise<TrimPlan> {
    const records = await this.archive.range(segment.firstSeq, segment.lastSeq);
    if (records.length !== segment.count)
      throw new Error(
        `disclosure archive: segment ${segment.n} holds ${records.length} of its ${segment.count} records`,
      );
    return trimPlan(records, await this.parts.holding(records.flatMap((r) => ('v' in r ? [r.c] : []))));
  }
}
