import type { AgencyFacts } from '@macpt/contract';
import type { HealthQueries } from './store/queries.js';

/** What the gateway learns from health before applying policy: registration, household, S-flag. */
export function healthFacts(q: HealthQueries) {
  return (nhsNumbers: readonly string[]): AgencyFacts[] => {
    const patients = new Map(q.patients(nhsNumbers).map((p) => [p.nhsNumber, p]));
    return nhsNumbers.map((nhsNumber) => {
      const p = patients.get(nhsNumber);
      // The NHS demographics sensitive-record flag ("S-flag") is held on the household's registration.
      return {
        nhsNumber,
        known: p !== undefined,
        uprn: p?.uprn ?? null,
        confidentialLocation: p?.locationFlagged === 1,
      };
    });
  };
}
