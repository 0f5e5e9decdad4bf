import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { HeaderMap } from '@apollo/server';
import { GraphQLError } from 'graphql';
import { codedError, INTERNAL_CONTEXT_HEADER, type CaseFact, type CaseQuery } from '@macpt/kit';
import type { PolicyUser } from '@macpt/policies';
import { statedPurpose } from './auth/purpose.js';
import type { GatewayContext } from './context.js';
import { createChildFactsLoader, createFactsBatcher } from './facts/child-facts.js';
import type { FactsClient } from './facts/facts-client.js';
import { requestRateDecision, type RateLimiter } from './limits/rate-limit.js';
import { factsContext, type createSigner } from './signing.js';

/** What the gateway knows of a request it refused before execution, for the refusal's record. */
export interface Refusal {
  requestId: string;
  code: string;
  user: (PolicyUser & { name: string }) | null;
  purpose: string | null;
  clientName: string | null;
}

/**
 * Builds each request's context: authenticate (401), read the purpose of use (400), then a fresh
 * facts loader over the gateway-wide batcher, whose agency calls carry the gateway's own signed
 * service context and name the requests they serve (`x-request-id`, comma-separated).
 */
export function requestContextFactory(deps: {
  authenticate: (authorization: string | undefined) => Promise<PolicyUser & { name: string }>;
  sign: Awaited<ReturnType<typeof createSigner>>;
  factsClient: FactsClient;
  onRefused: (refusal: Refusal) => Promise<void>;
  rateLimiter: RateLimiter;
  /** Agencies that can flag a household's location confidential (from the policies). */
  flaggingAgencies: readonly string[];
  /** The agency that runs MACPT cases (from the policies). */
  caseAgency: string | undefined;
  /** One deadline for the whole request, from when it arrives. */
  requestDeadlineMs: number;
}) {
  const factsHeaders = async (agency: string, requestIds: readonly string[], body: string) => ({ [INTERNAL_CONTEXT_HEADER]: await factsContext(deps.sign, agency, body), 'x-request-id': requestIds.slice(0, 50).join(',') });
  const batcher = createFactsBatcher(deps.factsClient, factsHeaders, deps.flaggingAgencies);
  const cases = async (query: CaseQuery, requestId: string): Promise<CaseFact[]> => {
    if (!deps.caseAgency) return [];
    const agency = deps.caseAgency;
    const answer = await deps.factsClient.fetch(agency, { nhsNumbers: [], cases: query }, (body) => factsHeaders(agency, [requestId], body));
    return answer.cases ?? [];
  };
  return async (req: IncomingMessage): Promise<GatewayContext> => {
    const requestId = randomUUID();
    const deadline = Date.now() + deps.requestDeadlineMs;
    const header = req.headers['apollographql-client-name'];
    const clientName = typeof header === 'string' ? header.slice(0, 100) : null;
    let user: (PolicyUser & { name: string }) | null = null;
    try {
      user = await deps.authenticate(req.headers.authorization);
      const stated = statedPurpose(req, user);
      const rate = await requestRateDecision(deps.rateLimiter, user.id);
      if (!rate.allowed) {
        throw codedError(rate.limit === 'unavailable' ? 'RATE_LIMIT_UNAVAILABLE' : 'RATE_LIMITED', `${rate.message} Try again in ${rate.retryAfterSeconds} s.`, { limit: rate.limit, retryAfterSeconds: rate.retryAfterSeconds }, { refusesRequest: true });
      }
      return {
        requestId,
        deadline,
        user,
        ...stated,
        clientName,
        facts: createChildFactsLoader(batcher, requestId),
        cases: (query) => cases(query, requestId),
        caseChildren: new Map(),
        askedCases: [],
        entered: [],
        refusedChildren: [],
        rateLimiter: deps.rateLimiter,
      };
    } catch (error) {
      const code = String((error as { extensions?: { code?: unknown } }).extensions?.code ?? 'INTERNAL_SERVER_ERROR');
      const purpose = req.headers['x-purpose-of-use'];
      await deps.onRefused({ requestId, code, user, purpose: typeof purpose === 'string' ? purpose.slice(0, 40) : null, clientName });
      // A refused response names its record too.
      if (error instanceof GraphQLError) {
        const http = (error.extensions.http ?? {}) as { status?: number; headers?: HeaderMap };
        (error.extensions as Record<string, unknown>).http = { ...http, headers: new HeaderMap([['x-request-id', requestId]]) };
      }
      throw error;
    }
  };
}
