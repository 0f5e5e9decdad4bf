import type { FactOwners } from '@macpt/policies';
import { createChildFactsLoader, createFactsBatcher, type ChildFacts } from '../facts/child-facts.js';
import type { FactsClient } from '../facts/facts-client.js';
import { factsHeaders, type createSigner } from '../signing.js';

/**
 * A child's facts for the notification router: the same `/facts` look-up queries use, signed with the
 * gateway's own service context, through a batcher of its own.
 */
export function routerFacts(
  sign: Awaited<ReturnType<typeof createSigner>>,
  client: FactsClient,
  factOwners: () => FactOwners,
): (nhsNumber: string, requestId: string) => Promise<ChildFacts> {
  const batcher = createFactsBatcher(client, factsHeaders(sign), factOwners);
  return (nhsNumber, requestId) => createChildFactsLoader(batcher, requestId).load(nhsNumber);
}
