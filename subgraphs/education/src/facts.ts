import type { AgencyFacts } from '@macpt/contract';
import type { EducationQueries } from './store/queries.js';

/** What the gateway learns from education before applying policy: the school roll (for DSLs) and the household. */
export function educationFacts(q: EducationQueries) {
  return (nhsNumbers: readonly string[]): AgencyFacts[] => {
    const pupils = new Map(q.pupils(nhsNumbers).map((p) => [p.nhsNumber, p]));
    return nhsNumbers.map((nhsNumber) => {
      const p = pupils.get(nhsNumber);
      return {
        nhsNumber,
        known: p !== undefined,
        uprn: p?.uprn ?? null,
        schoolUrn: p?.schoolUrn ?? null,
        confidentialLocation: false,
      };
    });
  };
}
