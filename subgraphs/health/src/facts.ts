import type { HealthQueries } from './store/queries.js';

/** What the gateway learns from health before applying policy. */
export interface HealthChildFacts {
  nhsNumber: string;
  known: boolean;
  /** The NHS demographics sensitive-record flag ("S-flag") on the child's registration. */
  confidentialLocation: boolean;
}

/** Health's facts for a batch of children: one statement whatever the batch size. */
export function healthFacts(q: HealthQueries) {
  return (nhsNumbers: readonly string[]): HealthChildFacts[] => {
    const patients = new Map(q.patients(nhsNumbers).map((p) => [p.nhsNumber, p]));
    return nhsNumbers.map((nhsNumber) => {
      const p = patients.get(nhsNumber);
      return { nhsNumber, known: p !== undefined, confidentialLocation: p?.sFlag === 1 };
    });
  };
}
