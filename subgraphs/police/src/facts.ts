import type { AgencyFacts } from '@macpt/contract';
import type { PoliceQueries } from './store/queries.js';

/** What the gateway learns from police before applying policy: whether police know the child, and refuge flags. */
export function policeFacts(q: PoliceQueries) {
  return (nhsNumbers: readonly string[]): AgencyFacts[] => {
    const people = new Map(q.people(nhsNumbers).map((p) => [p.nhsNumber, p]));
    return nhsNumbers.map((nhsNumber) => {
      const p = people.get(nhsNumber);
      // A refuge address, or another household location that must not leave police.
      return {
        nhsNumber,
        known: p !== undefined,
        uprn: p?.uprn ?? null,
        confidentialLocation: p?.locationFlagged === 1,
      };
    });
  };
}
