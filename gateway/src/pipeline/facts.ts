import type { CaseFact, CaseQuery } from '@macpt/contract';
import { childAttributes, type ChildAttributes, type FactOwners } from '@macpt/policies';
import { createChildFactsLoader, createFactsBatcher, type ChildFacts } from '../facts/child-facts.js';
import type { FactsCache } from '../facts/facts-cache.js';
import type { FactsClient } from '../facts/facts-client.js';
import { factsHeaders, type createSigner } from '../signing.js';
import type { ContextSteps } from './stage.js';

/**
 * Facts: what the agencies know about each child asked about (looked up once per child per request,
 * through one gateway-wide batch per event-loop turn), and each child's decision attributes, derived
 * once per request and used by the directory, the agency calls and the final check alike.
 */
export function useFacts(deps: {
  sign: Awaited<ReturnType<typeof createSigner>>;
  client: FactsClient;
  /** Which agency owns each fact (from the policies in force). */
  factOwners: () => FactOwners;
  /** The agency that runs MACPT cases (from the policies in force). */
  caseAgency: () => string | undefined;
  /** The agencies' complete facts, kept for a bounded time (FACTS_MAX_AGE_MS). */
  cache: FactsCache<ChildFacts>;
}): ContextSteps['facts'] {
  const headers = factsHeaders(deps.sign);
  const { cache } = deps;
  const batcher = createFactsBatcher(deps.client, headers, deps.factOwners, cache);
  const cases = async (query: CaseQuery, requestId: string): Promise<CaseFact[]> => {
    const agency = deps.caseAgency();
    if (!agency) return [];
    const answer = await deps.client.fetch(agency, { nhsNumbers: [], cases: query }, (body) =>
      headers(agency, [requestId], body),
    );
    return answer.cases ?? [];
  };
  return {
    name: 'facts',
    async add(context) {
      const facts = createChildFactsLoader(batcher, context.requestId);
      const derived = new Map<string, Promise<ChildAttributes | null>>();
      const settled = new Map<string, { facts: ChildFacts | null; attributes: ChildAttributes | null }>();
      return {
        facts,
        cases: (query: CaseQuery) => cases(query, context.requestId),
        forgetFacts: (nhsNumber: string) => cache.forget(nhsNumber),
        attributesOf: (nhsNumber: string) => {
          let attributes = derived.get(nhsNumber);
          if (!attributes) {
            attributes = facts.load(nhsNumber).then(
              (f) => {
                const a = childAttributes(context.user, context.purpose, f);
                settled.set(nhsNumber, { facts: f, attributes: a });
                return a;
              },
              () => {
                settled.set(nhsNumber, { facts: null, attributes: null });
                return null;
              },
            );
            derived.set(nhsNumber, attributes);
          }
          return attributes;
        },
        settled: (nhsNumber: string) => settled.get(nhsNumber),
      };
    },
  };
}
