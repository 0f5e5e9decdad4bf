import { EVERY_CHILD } from '@macpt/contract';
import type { Logger } from '@macpt/kit';
import type { FactsClient } from './facts-client.js';

/** What the watch tells the kept facts: a child's facts changed, any child's may have, or how fresh they are. */
export interface WatchedCache {
  forget(nhsNumber: string): void;
  forgetAll(why: 'feed-reset' | 'feed-failed'): void;
}

/** How long a poll waits at the agency for a change before it answers with none: the heartbeat's period. */
export const HEARTBEAT_MS = 250;
/** Pause after a failed poll before the next. */
const RETRY_MS = 200;

/**
 * Follows every agency's fact-change feed (Zanzibar's "Watch"; issue #27), so the gateway may keep each
 * child's facts for as long as nothing about them changes, rather than for a fixed few seconds.
 *
 * Each agency's feed names the children whose facts changed, in the order the changes were committed; the
 * watch forgets them at once. Each answer to a poll is also a heartbeat: it reflects every change the
 * agency committed before it read its feed, which was at least `waitedMs` (the agency's own measure, from the
 * poll's arrival) after the poll was sent. An agency whose last answer is fresh as of longer ago than
 * `maxStalenessMs` cannot vouch for any kept fact, so {@link fresh} is false and nothing kept is served:
 * each request asks every agency again (`/facts`), and an agency that does not answer that either counts
 * as not answering, with every rule that follows (fail closed). A poll that fails, a feed that starts
 * again (a new epoch) or a gateway that fell further behind than the agency keeps: everything is forgotten.
 */
export class FactsWatch {
  /** When each agency's last answered poll was sent (epoch ms); absent: never answered. */
  private readonly freshAt = new Map<string, number>();
  private stopped = false;
  private readonly loops: Promise<void>[] = [];

  constructor(
    private readonly deps: {
      client: FactsClient;
      /** The signed headers of a poll: the gateway's own service context, bound to the exact body. */
      headersFor: (agency: string, body: string) => Promise<Record<string, string>>;
      cache: WatchedCache;
      maxStalenessMs: number;
      logger: Logger;
      now?: () => number;
      heartbeatMs?: number;
    },
  ) {}

  private now(): number {
    return (this.deps.now ?? Date.now)();
  }

  /** Starts following every agency the facts client knows. */
  start(): this {
    for (const agency of this.deps.client.agencies) this.loops.push(this.follow(agency));
    return this;
  }

  /** Whether every agency's feed has answered within the bound: only then may kept facts be served. */
  fresh(): boolean {
    const now = this.now();
    for (const agency of this.deps.client.agencies) {
      const at = this.freshAt.get(agency);
      if (at === undefined || now - at >= this.deps.maxStalenessMs) return false;
    }
    return true;
  }

  /** Per agency, seconds since the moment its feed is fresh as of (what `fresh` compares to the bound); Infinity before any. */
  ages(): Record<string, number> {
    const now = this.now();
    return Object.fromEntries(
      this.deps.client.agencies.map((agency) => {
        const at = this.freshAt.get(agency);
        return [agency, at === undefined ? Number.POSITIVE_INFINITY : (now - at) / 1000];
      }),
    );
  }

  private async follow(agency: string): Promise<void> {
    let epoch: string | null = null;
    let after: number | null = null;
    let failing = false;
    while (!this.stopped) {
      const sentAt = this.now();
      const asked = { epoch, after, waitMs: this.deps.heartbeatMs ?? HEARTBEAT_MS };
      try {
        const answer = await this.deps.client.changes(agency, asked, (body) => this.deps.headersFor(agency, body));
        if (failing) this.deps.cache.forgetAll('feed-failed');
        else if (answer.reset || answer.subjects.includes(EVERY_CHILD)) this.deps.cache.forgetAll('feed-reset');
        else for (const nhsNumber of answer.subjects) this.deps.cache.forget(nhsNumber);
        if (failing) this.deps.logger.info({ agency }, 'following its fact changes again');
        failing = false;
        epoch = answer.epoch;
        after = answer.position;
        // Fresh as of the agency's read: the poll reached the agency after it was sent, and the agency read its
        // feed `waitedMs` after that. Never counted fresher than the answer's arrival, whatever an agency says.
        // An answer cut short (more changes waiting) vouches for nothing: the next poll, at once, may.
        if (!answer.more) this.freshAt.set(agency, Math.min(sentAt + (answer.waitedMs ?? 0), this.now()));
      } catch (error) {
        if (this.stopped) return;
        if (!failing)
          this.deps.logger.warn(
            { agency, reason: (error as Error).message },
            'cannot follow its fact changes: kept facts are not served until it answers',
          );
        failing = true;
        this.freshAt.delete(agency);
        this.deps.cache.forgetAll('feed-failed');
        await new Promise((r) => setTimeout(r, RETRY_MS));
      }
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.allSettled(this.loops);
  }
}
