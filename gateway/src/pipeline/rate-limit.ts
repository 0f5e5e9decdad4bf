import { codedError } from '@macpt/kit';
import { requestRateDecision, type RateLimiter } from '../limits/rate-limit.js';
import type { ContextSteps } from './stage.js';

/**
 * Rate limit: a user's requests per minute (429), failing closed when the limits' store does not
 * answer (503). Distinct children per hour are counted where children are let in (the directory).
 */
export function useRateLimit(limiter: RateLimiter): ContextSteps['limit'] {
  return {
    name: 'rate limit',
    async add(context) {
      const rate = await requestRateDecision(limiter, context.user.id);
      if (!rate.allowed) {
        throw codedError(
          rate.limit === 'unavailable' ? 'RATE_LIMIT_UNAVAILABLE' : 'RATE_LIMITED',
          `${rate.message} Try again in ${rate.retryAfterSeconds} s.`,
          { limit: rate.limit, retryAfterSeconds: rate.retryAfterSeconds },
          { refusesRequest: true },
        );
      }
      return { rateLimiter: limiter };
    },
  };
}
