/**
 * The agencies' facts about a child, kept for at most `maxAgeMs` after they were asked for: the
 * bounded staleness that spares most requests the `/facts` round to every agency.
 *
 * What it holds is each agency's word about the child (who knows the child, the open case and its named
 * workers, the school, confidential households, standing decisions not to share) — never a user's
 * rights: each request still derives the relationship of its own user and purpose from these facts.
 * Only complete answers are kept: facts with an agency that did not answer, or a household flag that
 * could not be checked, are asked again by the next request (the most restrictive answer is never
 * remembered as the truth, nor a gap as "nothing").
 *
 * So a change at an agency (a named worker removed, a case closed, a household flagged confidential)
 * reaches every decision within `maxAgeMs` of the change; a decision not to share recorded through
 * this gateway at once (it forgets that child), and at the holding agency at once whatever the gateway
 * holds (the agency enforces its own decisions from its own store). When any agency fails (a fact
 * look-up or a fetch), everything kept is dropped: from the next request, the agency counts as not
 * answering, with every rule that follows from that.
 */
/** Why everything kept was dropped, as counted by {@link FactsCache.counts}. */
export type DropReason = 'agency-failed' | 'feed-reset' | 'feed-failed';

/** What the kept facts did, counted since the gateway started (for `/metrics`). */
export interface KeptFactsCounts {
  /** Look-ups answered from what was kept. */
  served: number;
  /** Look-ups of a child not kept (never asked, forgotten, or older than `maxAgeMs`). */
  notKept: number;
  /** Look-ups refused because some agency's change feed had not answered within its bound. */
  feedsStale: number;
  /** Times everything kept was dropped, by why. */
  dropped: Record<DropReason, number>;
}

export class FactsCache<T> {
  private readonly counted: KeptFactsCounts = {
    served: 0,
    notKept: 0,
    feedsStale: 0,
    dropped: { 'agency-failed': 0, 'feed-reset': 0, 'feed-failed': 0 },
  };
  private readonly entries = new Map<string, { value: T; askedAt: number; policies: number }>();
  /** Bumped by {@link forget}: an answer asked for before the bump is not kept. */
  private generation = 0;
  /** Whether the agencies' change feeds vouch for what is kept right now (none set: the age bound alone). */
  private fresh: () => boolean = () => true;
  /**
   * The policies in force (their generation): facts are merged by the fact owners those policies name, so a
   * publication (an agency that can now flag households, or leads families) makes every kept fact stale.
   */
  private policies: () => number = () => 0;

  constructor(
    readonly maxAgeMs: number,
    private readonly maxEntries = 100_000,
    private readonly now: () => number = Date.now,
  ) {}

  get enabled(): boolean {
    return this.maxAgeMs > 0;
  }

  /** Serves kept facts only while `fresh` holds (the agencies' change feeds answered within their bound). */
  watchedBy(fresh: () => boolean): void {
    this.fresh = fresh;
  }

  /** Serves kept facts only under the policies they were merged under (`generation`: the policies in force). */
  mergedUnder(generation: () => number): void {
    this.policies = generation;
  }

  /** The child's facts if they were asked for less than `maxAgeMs` ago, and the change feeds vouch for them. */
  get(nhsNumber: string): T | undefined {
    if (!this.fresh()) {
      this.counted.feedsStale++;
      return undefined;
    }
    const entry = this.entries.get(nhsNumber);
    if (entry && this.now() - entry.askedAt < this.maxAgeMs && entry.policies === this.policies()) {
      this.counted.served++;
      return entry.value;
    }
    if (entry) this.entries.delete(nhsNumber);
    this.counted.notKept++;
    return undefined;
  }

  /** What the kept facts did since the gateway started. */
  counts(): Readonly<KeptFactsCounts> {
    return this.counted;
  }

  /** Marks the start of a look-up: pass what it returns to {@link keep}. */
  begin(): { askedAt: number; generation: number; policies: number } {
    return { askedAt: this.now(), generation: this.generation, policies: this.policies() };
  }

  /** Keeps facts asked for at `asked` (the time the question left, not the answer came), unless forgotten since. */
  keep(nhsNumber: string, value: T, asked: { askedAt: number; generation: number; policies: number }): void {
    if (!this.enabled || asked.generation !== this.generation) return;
    this.entries.delete(nhsNumber);
    if (this.entries.size >= this.maxEntries) {
      // The oldest first: a Map iterates in insertion order, and a kept child is re-inserted.
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(nhsNumber, { value, askedAt: asked.askedAt, policies: asked.policies });
  }

  /** Forgets a child whose facts this gateway just changed, including any answer still on its way. */
  forget(nhsNumber: string): void {
    this.generation++;
    this.entries.delete(nhsNumber);
  }

  /**
   * Forgets every child, and every answer on its way: called at any agency's failure, so that an agency
   * that stops answering counts at once as one that did not answer (its flags unverified), not as its
   * last answer.
   */
  forgetAll(why: DropReason): void {
    this.counted.dropped[why]++;
    this.generation++;
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }
}
