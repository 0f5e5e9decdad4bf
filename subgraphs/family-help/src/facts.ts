import type { AgencyFacts } from '@macpt/contract';
import type { FamilyHelpQueries } from './store/queries.js';

/** What the gateway learns from Family Help before applying policy: whether it knows the child, and the household. */
export function familyHelpFacts(q: FamilyHelpQueries) {
  return (nhsNumbers: readonly string[]): AgencyFacts[] => {
    const children = new Map(q.children(nhsNumbers).map((c) => [c.nhsNumber, c]));
    return nhsNumbers.map((nhsNumber) => {
      const c = children.get(nhsNumber);
      return { nhsNumber, known: c !== undefined, uprn: c?.uprn ?? null, schoolUrn: null, confidentialLocation: false };
    });
  };
}
