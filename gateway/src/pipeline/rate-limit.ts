import { codedError } from '@macpt/kit';
import type { GraphQLError } from 'graphql';
import type { KnownOverLimit, RateRefusal } from '../limits/rate-limit.js';
import type { ContextSteps } from './stage.js';

/** A request refused for its user's rate limit (429), saying which limit and for how long. */
export function rateLimited(refusal: RateRefusal): GraphQLError {
  return codedError(
    'RATE_LIMITED',
    `${refusal.message} Try again in ${refusal.retryAfterSeconds} s.`,
    { limit: refusal.limit, retryAfterSeconds: refusal.retryAfterSeconds },
    { refusesRequest: true },
  );
}

/**
 * Rate limit: a user this gateway knows to be past their requests this minute is refused at once (429),
 * before anything is asked. Every other request is charged where it is recorded (the disclosure log's
 * append, issue #27), which refuses it there — its answer withheld — if it goes past a limit.
 */
export function useRateLimit(known: KnownOverLimit): ContextSteps['limit'] {
  return {
    name: 'rate limit',
    async add(context) {
      const refusal = known.refusal(context.user.id, Date.now());
      if (refusal) throw rateLimited(refusal);
      return {};
    },
  };
}
