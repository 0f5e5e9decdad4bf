import DataLoader from 'dataloader';
import type { FactOwners } from '@macpt/policies';
import type { FactsClient } from './facts-client.js';
import type { FactsCache } from './facts-cache.js';
import {
  mergeChildFacts,
  placedHouseholds,
  type ChildFacts,
  type ChildrenAnswer,
  type HouseholdAnswer,
} from './merge.js';

export type { ChildFacts } from './merge.js';

/** One child asked about by one request. */
export interface FactsKey {
  nhsNumber: string;
  requestId: string;
}

/** Most children in one `/facts` call: a caseload is at most 500, so two full caseloads fit. */
const MAX_BATCH = 1000;

/**
 * A confidential-location flag belongs to a household, and an agency may flag a household without
 * knowing every child in it (police know the refuge, not the sibling). So after the children's facts,
 * each agency that can flag households is asked about every household any agency placed the children
 * in — its own included: what it said about one child decides nothing about another. An agency that
 * does not answer leaves the households it was asked about unverified.
 */
async function householdFlags(
  client: FactsClient,
  flagging: readonly string[],
  answers: readonly ChildrenAnswer[],
  headers: (agency: string, body: string) => Promise<Record<string, string>>,
  until: number,
): Promise<Map<string, HouseholdAnswer>> {
  const uprns = placedHouseholds(answers);
  const out = new Map<string, HouseholdAnswer>();
  if (uprns.length === 0) return out;
  await Promise.all(
    flagging.map(async (agency) => {
      if (!answers.find((a) => a.agency === agency)?.facts) return void out.set(agency, null);
      try {
        const answer = await client.fetch(agency, { nhsNumbers: [], uprns }, (body) => headers(agency, body), until);
        out.set(agency, new Set(answer.flaggedUprns));
      } catch {
        out.set(agency, null);
      }
    }),
  );
  return out;
}

/** Kept facts are shared by the requests that follow: none of them may change what another reads. */
function frozen(f: ChildFacts): ChildFacts {
  for (const value of Object.values(f)) if (value && typeof value === 'object') Object.freeze(value);
  for (const d of f.decisions) Object.freeze(d);
  for (const n of f.notShared) Object.freeze(n);
  return Object.freeze(f);
}

/** Facts every agency answered for, households included: the only facts worth keeping. */
const complete = (f: ChildFacts) => f.unavailable.length === 0 && f.locationUnverifiedBy.length === 0;

/**
 * The gateway-wide fact look-up: every child asked about by any request in the same turn of the event
 * loop goes to each agency in one `/facts` call. Fact look-ups carry the gateway's own service
 * context, not the user's, so batching across requests shares no user's rights; each request gets
 * exactly the children it asked about, and the call names every request it serves. A child whose
 * complete facts were asked for less than the cache's bound ago is not asked about again.
 */
export function createFactsBatcher(
  client: FactsClient,
  /** The headers of a `/facts` call: a context signed for exactly that body, naming the requests it serves. */
  headersFor: (agency: string, requestIds: string[], body: string) => Promise<Record<string, string>>,
  /** Which agency owns each fact (read per look-up: policies change by publication). */
  factOwners: () => FactOwners,
  cache?: FactsCache<ChildFacts>,
): DataLoader<FactsKey, ChildFacts> {
  return new DataLoader<FactsKey, ChildFacts>(
    async (keys) => {
      const kept = cache?.enabled ? keys.map((k) => cache.get(k.nhsNumber)) : [];
      const missing = keys.filter((_, i) => kept[i] === undefined);
      if (missing.length === 0) return kept as ChildFacts[];
      const asked = cache?.begin();
      const fetched = await lookUp(missing);
      const byChild = new Map(missing.map((k, i) => [k.nhsNumber, fetched[i]!]));
      if (cache && asked) for (const [nhs, f] of byChild) if (complete(f)) cache.keep(nhs, frozen(f), asked);
      return keys.map((k, i) => kept[i] ?? byChild.get(k.nhsNumber)!);
    },
    { cache: false, maxBatchSize: MAX_BATCH, batchScheduleFn: (dispatch) => setImmediate(dispatch) },
  );

  async function lookUp(keys: readonly FactsKey[]): Promise<ChildFacts[]> {
    const nhsNumbers = [...new Set(keys.map((k) => k.nhsNumber))];
    const requestIds = [...new Set(keys.map((k) => k.requestId))];
    const headers = (agency: string, body: string) => headersFor(agency, requestIds, body);
    // Both rounds of a look-up share one deadline: the households' round gets what the children's left.
    const until = Date.now() + client.longestTimeoutMs;
    const answers: ChildrenAnswer[] = await Promise.all(
      client.agencies.map(async (agency) => {
        try {
          const answer = await client.fetch(agency, { nhsNumbers }, (body) => headers(agency, body));
          return { agency, facts: new Map(answer.facts.map((f) => [f.nhsNumber, f])) };
        } catch (error) {
          return { agency, facts: null, why: (error as Error).message };
        }
      }),
    );
    // Read per look-up: policies change by publication. An owner that is not served counts as not answering
    // (a flagging agency that is not served leaves every child's location unverified by it).
    const owners = factOwners();
    const flagging = owners.flags.filter((a) => client.agencies.includes(a));
    const households = await householdFlags(client, flagging, answers, headers, until);
    return keys.map(({ nhsNumber }) => mergeChildFacts(nhsNumber, answers, households, owners));
  }
}

/** A per-request loader of {@link ChildFacts}: each child looked up once per request, through the shared batcher. */
export function createChildFactsLoader(
  batcher: DataLoader<FactsKey, ChildFacts>,
  requestId: string,
): DataLoader<string, ChildFacts> {
  return new DataLoader<string, ChildFacts>(async (nhsNumbers) =>
    batcher.loadMany(nhsNumbers.map((nhsNumber) => ({ nhsNumber, requestId }))),
  );
}
