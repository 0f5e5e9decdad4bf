/** Per-user limits: requests per minute, and distinct children per hour (the bulk-export signal). */
export interface RateLimits {
  requestsPerMinute: number;
  childrenPerHour: number;
}

export const DEFAULT_RATE_LIMITS: RateLimits = { requestsPerMinute: 300, childrenPerHour: 1_500 };

/** Which limit a request went past. */
export type Limit = keyof RateLimits;

/** Whether a user may go on, and if not, which limit they hit. */
export type RateDecision = { allowed: true } | RateRefusal;
export type RateRefusal = { allowed: false; limit: Limit; message: string; retryAfterSeconds: number };

/**
 * What one request's record charges to its user's limits: the request itself, and every child it told
 * them about (each different child counts once an hour). Charged in the same call that appends the record
 * (issue #27: one round trip to Redis per batch), so a request is counted exactly when it is recorded.
 */
export interface Charge {
  userId: string;
  children: readonly string[];
}

/** The windows a charge falls in: the minute of its requests and the hour of its children. */
export function windowsAt(now: number): { minute: number; hour: number } {
  return { minute: Math.floor(now / 60_000), hour: Math.floor(now / 3_600_000) };
}

const secondsLeft = (now: number, span: number) => Math.ceil((span - (now % span)) / 1000);

/** The refusal of a limit, worded for the user, with how long until its window ends. */
export function tooMany(limit: Limit, limits: RateLimits, now: number): RateRefusal {
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

/**
 * A store's answer to a batch in which some charges would take their users past a limit: nothing of the
 * batch was written or counted. `refused` names them by their place in the batch.
 */
export class OverLimit extends Error {
  constructor(
    readonly refused: ReadonlyMap<number, Limit>,
    readonly at: number,
  ) {
    super(`${refused.size} request(s) past a rate limit`);
  }
}

/** What one appender is told when its request went past a limit: its record was not written, its answer must not leave. */
export class RateLimitedError extends Error {
  constructor(readonly refusal: RateRefusal) {
    super(refusal.message);
  }
}

/**
 * The rule every store applies to a batch's charges, in order, as if asked one at a time: a request past
 * the minute's limit is refused; so is one that would tell its user about more different children than the
 * hour allows (children already counted this hour are free). A refused charge counts for nothing, and the
 * batch is written only when none is refused. Here for one process (the embedded log); the Redis append
 * function applies the same rule in Redis, atomically for every gateway.
 */
export class MemoryLimits {
  private readonly requests = new Map<string, { window: number; count: number }>();
  private readonly children = new Map<string, { window: number; seen: Set<string> }>();

  constructor(readonly limits: RateLimits = DEFAULT_RATE_LIMITS) {}

  /** Charges the batch, or counts nothing and names the refused charges by index. */
  charge(charges: readonly (Charge | null | undefined)[], now: number): Map<number, Limit> {
    const { minute, hour } = windowsAt(now);
    const refused = new Map<number, Limit>();
    const requests = new Map<string, number>();
    const added = new Map<string, Set<string>>();
    charges.forEach((charge, i) => {
      if (!charge) return;
      const stored = this.requests.get(charge.userId);
      const count = requests.get(charge.userId) ?? (stored?.window === minute ? stored.count : 0);
      if (count + 1 > this.limits.requestsPerMinute) return void refused.set(i, 'requestsPerMinute');
      const seen = this.children.get(charge.userId);
      const held = seen?.window === hour ? seen.seen : new Set<string>();
      const mine = added.get(charge.userId) ?? new Set<string>();
      const fresh = new Set(charge.children.filter((n) => !held.has(n) && !mine.has(n)));
      if (fresh.size > 0 && held.size + mine.size + fresh.size > this.limits.childrenPerHour)
        return void refused.set(i, 'childrenPerHour');
      requests.set(charge.userId, count + 1);
      for (const n of fresh) mine.add(n);
      added.set(charge.userId, mine);
    });
    if (refused.size > 0) return refused;
    for (const [userId, count] of requests) this.requests.set(userId, { window: minute, count });
    for (const [userId, fresh] of added) {
      const seen = this.children.get(userId);
      const held = seen?.window === hour ? seen.seen : new Set<string>();
      for (const n of fresh) held.add(n);
      this.children.set(userId, { window: hour, seen: held });
    }
    return refused;
  }
}

/**
 * The users this gateway has been told are past their requests-per-minute limit (by a refused append),
 * until that minute ends: their next requests are refused at once, before any agency is asked and
 * without a round trip. Only ever more restrictive than the store: a user it has not been told about is
 * decided at the append. (Past the children's limit, a child already counted is still free, so that one
 * is always decided at the append.)
 */
export class KnownOverLimit {
  private readonly over = new Map<string, number>();

  constructor(private readonly limits: RateLimits) {}

  /** Notes a refusal the store gave, and words it. */
  learn(userId: string, limit: Limit, now: number): RateRefusal {
    const refusal = tooMany(limit, this.limits, now);
    if (limit === 'requestsPerMinute') this.over.set(userId, (windowsAt(now).minute + 1) * 60_000);
    return refusal;
  }

  /** The refusal of a user known to be past the minute's limit, or null. */
  refusal(userId: string, now: number): RateRefusal | null {
    const until = this.over.get(userId);
    if (until === undefined) return null;
    if (until > now) return tooMany('requestsPerMinute', this.limits, now);
    this.over.delete(userId);
    return null;
  }
}
