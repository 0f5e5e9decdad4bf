import DataLoader from 'dataloader';
import type { DecisionFact } from '@macpt/contract';
import type { NotSharedScope } from '@macpt/policies';
import type { AgencyFacts, FactsClient } from './facts-client.js';
import type { FactsCache } from './facts-cache.js';

/** Everything the gateway knows about a child before policy: merged from every agency's facts. */
export interface ChildFacts {
  nhsNumber: string;
  /** Agencies that hold a record for the child. */
  knownBy: string[];
  /** Agencies that could not be asked; their absence from `knownBy` proves nothing. */
  unavailable: string[];
  /** Why each unavailable agency could not be asked (timed out, not JSON, …), for the errors that name it. */
  unavailableWhy: Record<string, string>;
  /** Agencies that flagged the location of the child's household (by UPRN) confidential. */
  confidentialBy: string[];
  /** Agencies that can flag a household but did not answer: their flag cannot be ruled out, so it is assumed. */
  locationUnverifiedBy: string[];
  openCase: { id: string; la: string; stage: string; namedWorkers: string[] } | null;
  schoolUrn: string | null;
  /** Standing decisions not to share, each from the agency that made it (and holds what it covers). */
  decisions: (DecisionFact & { agency: string })[];
  /** What those decisions withhold, for policy. */
  notShared: NotSharedScope[];
}

const isDecision = (d: unknown): d is DecisionFact => {
  const x = d as Partial<DecisionFact> | null;
  return (
    typeof x?.id === 'string' &&
    Array.isArray(x.fields) &&
    x.fields.every((f) => typeof f === 'string') &&
    Array.isArray(x.classes) &&
    x.classes.every((c) => typeof c === 'string')
  );
};

/** One child asked about by one request. */
export interface FactsKey {
  nhsNumber: string;
  requestId: string;
}

/** Most children in one `/facts` call: a caseload is at most 500, so two full caseloads fit. */
const MAX_BATCH = 1000;

type Answer = { agency: string; facts: Map<string, AgencyFacts> | null; why?: string };

/**
 * A confidential-location flag belongs to a household, and an agency may flag a household without
 * knowing every child in it (police know the refuge, not the sibling). So after the children's facts,
 * each agency that can flag households is asked about the households the others placed the children
 * in; an agency that does not answer either question leaves every household's location unverified.
 */
async function householdFlags(
  client: FactsClient,
  flagging: readonly string[],
  answers: readonly Answer[],
  headers: (agency: string, body: string) => Promise<Record<string, string>>,
  until: number,
) {
  const placed = new Set<string>();
  for (const { facts } of answers) for (const f of facts?.values() ?? []) if (f.uprn) placed.add(f.uprn);
  const flagged = new Map<string, Set<string>>();
  const unverified = new Set<string>();
  await Promise.all(
    flagging.map(async (agency) => {
      const own = answers.find((a) => a.agency === agency)?.facts;
      if (!own) return void unverified.add(agency);
      // The agency already said whether it flags the households where it has the children itself.
      const told = new Set([...own.values()].map((f) => f.uprn).filter(Boolean));
      const uprns = [...placed].filter((u) => !told.has(u));
      if (uprns.length === 0) return;
      try {
        const answer = await client.fetch(agency, { nhsNumbers: [], uprns }, (body) => headers(agency, body), until);
        flagged.set(agency, new Set(answer.flaggedUprns));
      } catch {
        unverified.add(agency);
      }
    }),
  );
  return { flagged, unverified };
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
  /** Agencies whose policy says they can flag a household's location confidential (read per look-up: policies change by publication). */
  flagging: () => readonly string[],
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
    const answers: Answer[] = await Promise.all(
      client.agencies.map(async (agency) => {
        try {
          const answer = await client.fetch(agency, { nhsNumbers }, (body) => headers(agency, body));
          return { agency, facts: new Map(answer.facts.map((f) => [f.nhsNumber, f])) };
        } catch (error) {
          return { agency, facts: null, why: (error as Error).message };
        }
      }),
    );
    const households = await householdFlags(
      client,
      flagging().filter((a) => client.agencies.includes(a)),
      answers,
      headers,
      until,
    );
    return keys.map(({ nhsNumber }) => {
      const merged: ChildFacts = {
        nhsNumber,
        knownBy: [],
        unavailable: [],
        unavailableWhy: {},
        confidentialBy: [],
        locationUnverifiedBy: [...households.unverified],
        openCase: null,
        schoolUrn: null,
        decisions: [],
        notShared: [],
      };
      const uprns = new Set<string>();
      for (const { agency, facts, why } of answers) {
        const f = facts?.get(nhsNumber);
        if (!f) {
          merged.unavailable.push(agency);
          merged.unavailableWhy[agency] = why ?? 'no answer for this child';
          continue;
        }
        if (f.known) merged.knownBy.push(agency);
        if (f.uprn) uprns.add(f.uprn);
        if (f.confidentialLocation) merged.confidentialBy.push(agency);
        if (f.openCase) merged.openCase = f.openCase;
        if (f.schoolUrn) merged.schoolUrn = f.schoolUrn;
        // An agency speaks for its own decisions only: the scope is its own, whatever the answer says.
        for (const d of Array.isArray(f.decisions) ? f.decisions.filter(isDecision) : []) {
          merged.decisions.push({ ...d, agency });
          merged.notShared.push({ agency, fields: d.fields, classes: d.classes });
        }
      }
      for (const [agency, flagged] of households.flagged) {
        if (!merged.confidentialBy.includes(agency) && [...uprns].some((u) => flagged.has(u)))
          merged.confidentialBy.push(agency);
      }
      return merged;
    });
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
