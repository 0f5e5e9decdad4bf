import type { EducationQueries } from './store/queries.js';

/** What the gateway learns from education before applying policy: the school roll, for DSLs. */
export interface EducationChildFacts {
  nhsNumber: string;
  known: boolean;
  schoolUrn: string | null;
  confidentialLocation: boolean;
}

/** Education's facts for a batch of children: one statement whatever the batch size. */
export function educationFacts(q: EducationQueries) {
  return (nhsNumbers: readonly string[]): EducationChildFacts[] => {
    const pupils = new Map(q.pupils(nhsNumbers).map((p) => [p.nhsNumber, p]));
    return nhsNumbers.map((nhsNumber) => {
      const p = pupils.get(nhsNumber);
      return { nhsNumber, known: p !== undefined, schoolUrn: p?.schoolUrn ?? null, confidentialLocation: false };
    });
  };
}
