import DataLoader from 'dataloader';
import { connectRedis, type RedisClient } from '../redis-connection.js';
import { whenReady } from '../redis-ready.js';

/** Per-user limits: requests per minute, and distinct children per hour (the bulk-export signal). */
export interface RateLimits {
  requestsPerMinute: number;
  childrenPerHour: number;
}

export const DEFAULT_RATE_LIMITS: RateLimits = { requestsPerMinute: 300, childrenPerHour: 1_500 };

/** Whether a user may go on, and if not, which limit they hit (`unavailable`: the limits could not be checked). */
export type RateDecision =
  | { allowed: true }
  | { allowed: false; limit: keyof RateLimits | 'unavailable'; message: string; retryAfterSeconds: number };

/** Counts a user's requests and the distinct children they touch, in fixed windows. */
export interface RateLimiter {
  request(userId: string): Promise<RateDecision>;
  child(userId: string, nhsNumber: string): Promise<RateDecision>;
  close(): Promise<void>;
}

const minute = (now: number) => Math.floor(now / 60_000);
const hour = (now: number) => Math.floor(now / 3_600_000);
const secondsLeft = (now: number, span: number) => Math.ceil((span - (now % span)) / 1000);

function tooMany(limit: keyof RateLimits, limits: RateLimits, now: number): RateDecision {
  return limit === 'requestsPerMinute'
    ? {
        allowed: false,
        limit,
        message: `More than ${limits.requestsPerMinute} requests in a minute.`,
        retryAfterSeconds: secondsLeft(now, 60_000),
      }
    : {
        allowed: false,
        limit,
        message: `More than ${limits.childrenPerHour} different children in an hour: a bulk export is refused and reported to IG.`,
        retryAfterSeconds: secondsLeft(now, 3_600_000),
      };
}

/** The embedded limiter: counts in this process (one gateway). */
export class MemoryRateLimiter implements RateLimiter {
  private readonly requests = new Map<string, { window: number; count: number }>();
  private readonly children = new Map<string, { window: number; seen: Set<string> }>();

  constructor(
    private readonly limits: RateLimits = DEFAULT_RATE_LIMITS,
    private readonly now = () => Date.now(),
  ) {}

  async request(userId: string): Promise<RateDecision> {
    const now = this.now();
    const entry = this.requests.get(userId);
    const current = entry && entry.window === minute(now) ? entry : { window: minute(now), count: 0 };
    current.count++;
    this.requests.set(userId, current);
    return current.count > this.limits.requestsPerMinute
      ? tooMany('requestsPerMinute', this.limits, now)
      : { allowed: true };
  }

  async child(userId: string, nhsNumber: string): Promise<RateDecision> {
    const now = this.now();
    const entry = this.children.get(userId);
    const current = entry && entry.window === hour(now) ? entry : { window: hour(now), seen: new Set<string>() };
    if (!current.seen.has(nhsNumber) && current.seen.size >= this.limits.childrenPerHour)
      return tooMany('childrenPerHour', this.limits, now);
    current.seen.add(nhsNumber);
    this.children.set(userId, current);
    return { allowed: true };
  }

  async close(): Promise<void> {}
}

/**
 * The shared limiter in Redis, so every gateway process counts the same user together: INCR per
 * minute window, and a HyperLogLog of distinct children per hour window (approximate, ~1%).
 */
export class RedisRateLimiter implements RateLimiter {
  private readonly redis: RedisClient;

  constructor(
    url: string,
    private readonly limits: RateLimits = DEFAULT_RATE_LIMITS,
    private readonly prefix = 'macpt:rl:',
  ) {
    this.redis = connectRedis(url, {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: 1000,
      retryStrategy: (t) => Math.min(t * 100, 1000),
    });
    this.redis.on('error', () => undefined);
  }

  async request(userId: string): Promise<RateDecision> {
    await whenReady(this.redis, 1000);
    const now = Date.now();
    const key = `${this.prefix}req:${userId}:${minute(now)}`;
    const [[, count]] = (await this.redis.multi().incr(key).pexpire(key, 120_000).exec()) as [[null, number], unknown];
    return count > this.limits.requestsPerMinute ? tooMany('requestsPerMinute', this.limits, now) : { allowed: true };
  }

  /**
   * A caseload names hundreds of children at once: the children one user opens in the same turn of
   * the event loop go to Redis in one transaction (PFCOUNT, then PFADD each), and are decided in
   * order as if asked one at a time: a new child past the hourly limit is refused.
   */
  private readonly childBatches = new DataLoader<{ userId: string; nhsNumber: string }, RateDecision, string>(
    async (keys) => {
      const byUser = new Map<string, number[]>();
      keys.forEach((k, i) => {
        const positions = byUser.get(k.userId);
        if (positions) positions.push(i);
        else byUser.set(k.userId, [i]);
      });
      await whenReady(this.redis, 1000);
      const out: RateDecision[] = new Array(keys.length);
      await Promise.all(
        [...byUser].map(async ([userId, positions]) => {
          const now = Date.now();
          const key = `${this.prefix}children:${userId}:${hour(now)}`;
          const multi = this.redis.multi().pfcount(key);
          for (const i of positions) multi.pfadd(key, keys[i]!.nhsNumber);
          multi.pexpire(key, 7_200_000);
          const results = (await multi.exec()) as [Error | null, number][];
          // Any command that failed leaves the count unknown: refuse rather than guess (fail closed).
          const failed = results.find(([error]) => error);
          if (failed) throw failed[0];
          let count = results[0]![1];
          positions.forEach((i, k) => {
            const added = results[k + 1]![1] === 1;
            if (added) count++;
            out[i] =
              added && count > this.limits.childrenPerHour
                ? tooMany('childrenPerHour', this.limits, now)
                : { allowed: true };
          });
        }),
      );
      return out;
    },
    { cache: false },
  );

  async child(userId: string, nhsNumber: string): Promise<RateDecision> {
    return this.childBatches.load({ userId, nhsNumber });
  }

  async close(): Promise<void> {
    this.redis.disconnect();
  }
}

/**
 * A child's rate decision, failing closed: a limiter that cannot reach its store refuses, since a
 * bulk export must not pass just because Redis is down.
 */
export async function childRateDecision(
  limiter: RateLimiter,
  userId: string,
  nhsNumber: string,
): Promise<RateDecision> {
  return limiter.child(userId, nhsNumber).catch(() => UNREACHABLE);
}

/** A request's rate decision, failing closed like {@link childRateDecision}. */
export async function requestRateDecision(limiter: RateLimiter, userId: string): Promise<RateDecision> {
  return limiter.request(userId).catch(() => UNREACHABLE);
}

const UNREACHABLE: RateDecision = {
  allowed: false,
  limit: 'unavailable',
  message:
    'The rate limits cannot be checked right now (their store did not answer), so the request is refused and nothing was disclosed.',
  retryAfterSeconds: 5,
};
