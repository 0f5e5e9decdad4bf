import DataLoader from 'dataloader';
import type { AgencyFacts, FactsClient } from './facts-client.js';

/** Everything the gateway knows about a child before policy: merged from every agency's facts. */
export interface ChildFacts {
  nhsNumber: string;
  /** Agencies that hold a record for the child. */
  knownBy: string[];
  /** Agencies that could not be asked; their absence from `knownBy` proves nothing. */
  unavailable: string[];
  /** Agencies that flagged the household's location confidential. */
  confidentialBy: string[];
  openCase: { id: string; la: string; stage: string; namedWorkers: string[] } | null;
  schoolUrn: string | null;
}

/** One child asked about by one request. */
export interface FactsKey {
  nhsNumber: string;
  requestId: string;
}

/** Most children in one `/facts` call: a caseload is at most 500, so two full caseloads fit. */
const MAX_BATCH = 1000;

/**
 * The gateway-wide fact look-up: every child asked about by any request in the same turn of the event
 * loop goes to each agency in one `/facts` call. Fact look-ups carry the gateway's own service
 * context, not the user's, so batching across requests shares no user's rights; nothing is cached,
 * each request gets exactly the children it asked about, and the call names every request it serves.
 */
export function createFactsBatcher(client: FactsClient, headersFor: (agency: string, requestIds: string[]) => Promise<Record<string, string>>): DataLoader<FactsKey, ChildFacts> {
  return new DataLoader<FactsKey, ChildFacts>(
    async (keys) => {
      const nhsNumbers = [...new Set(keys.map((k) => k.nhsNumber))];
      const requestIds = [...new Set(keys.map((k) => k.requestId))];
      const answers = await Promise.all(
        client.agencies.map(async (agency) => {
          try {
            const facts = await client.fetch(agency, nhsNumbers, await headersFor(agency, requestIds));
            return { agency, facts: new Map(facts.map((f) => [f.nhsNumber, f])) };
          } catch {
            return { agency, facts: null };
          }
        }),
      );
      return keys.map(({ nhsNumber }) => {
        const merged: ChildFacts = { nhsNumber, knownBy: [], unavailable: [], confidentialBy: [], openCase: null, schoolUrn: null };
        for (const { agency, facts } of answers) {
          const f: AgencyFacts | undefined = facts?.get(nhsNumber);
          if (!f) {
            merged.unavailable.push(agency);
            continue;
          }
          if (f.known) merged.knownBy.push(agency);
          if (f.confidentialLocation) merged.confidentialBy.push(agency);
          if (f.openCase) merged.openCase = f.openCase;
          if (f.schoolUrn) merged.schoolUrn = f.schoolUrn;
        }
        return merged;
      });
    },
    { cache: false, maxBatchSize: MAX_BATCH, batchScheduleFn: (dispatch) => setImmediate(dispatch) },
  );
}

/** A per-request loader of {@link ChildFacts}: each child looked up once per request, through the shared batcher. */
export function createChildFactsLoader(batcher: DataLoader<FactsKey, ChildFacts>, requestId: string): DataLoader<string, ChildFacts> {
  return new DataLoader<string, ChildFacts>(async (nhsNumbers) => batcher.loadMany(nhsNumbers.map((nhsNumber) => ({ nhsNumber, requestId }))));
}
