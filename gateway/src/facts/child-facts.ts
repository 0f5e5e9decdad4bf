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

/** A per-request loader of {@link ChildFacts}: one `/facts` call per agency per batch of children. */
export function createChildFactsLoader(client: FactsClient, headersFor: (agency: string) => Promise<Record<string, string>>): DataLoader<string, ChildFacts> {
  return new DataLoader<string, ChildFacts>(async (keys) => {
    const answers = await Promise.all(
      client.agencies.map(async (agency) => {
        try {
          return { agency, facts: await client.fetch(agency, keys, await headersFor(agency)) };
        } catch {
          return { agency, facts: null };
        }
      }),
    );
    return keys.map((nhsNumber, i) => {
      const merged: ChildFacts = { nhsNumber, knownBy: [], unavailable: [], confidentialBy: [], openCase: null, schoolUrn: null };
      for (const { agency, facts } of answers) {
        const f: AgencyFacts | undefined = facts?.[i];
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
  });
}
