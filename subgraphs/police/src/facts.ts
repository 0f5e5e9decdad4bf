import type { PoliceQueries } from './store/queries.js';

/** What the gateway learns from police before applying policy. */
export interface PoliceChildFacts {
  nhsNumber: string;
  known: boolean;
  /** The household's address is a refuge or otherwise must not be disclosed outside police. */
  confidentialLocation: boolean;
}

/** Police's facts for a batch of children: one statement whatever the batch size. */
export function policeFacts(q: PoliceQueries) {
  return (nhsNumbers: readonly string[]): PoliceChildFacts[] => {
    const people = new Map(q.people(nhsNumbers).map((p) => [p.nhsNumber, p]));
    return nhsNumbers.map((nhsNumber) => {
      const p = people.get(nhsNumber);
      return { nhsNumber, known: p !== undefined, confidentialLocation: p?.refugeFlag === 1 };
    });
  };
}
