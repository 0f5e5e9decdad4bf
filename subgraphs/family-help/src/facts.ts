import type { AgencyFacts } from '@macpt/contract';
import type { FamilyHelpQueries } from './store/queries.js';

/**
 * What the gateway learns from Family Help before applying policy: whether it knows the child, the household,
 * and the family's plan with its lead practitioner (the fact a lead practitioner's relationship comes from).
 */
export function familyHelpFacts(q: FamilyHelpQueries) {
  return (nhsNumbers: readonly string[]): AgencyFacts[] => {
    const children = new Map(q.children(nhsNumbers).map((c) => [c.nhsNumber, c]));
    const families = new Map(
      q.families([...new Set([...children.values()].map((c) => c.familyId))]).map((f) => [f.familyId, f]),
    );
    return nhsNumbers.map((nhsNumber) => {
      const c = children.get(nhsNumber);
      const family = c ? families.get(c.familyId) : undefined;
      return {
        nhsNumber,
        known: c !== undefined,
        uprn: c?.uprn ?? null,
        confidentialLocation: false,
        familyPlan: family
          ? { la: family.la, status: family.planStatus, leadPractitioners: [family.leadUserId] }
          : null,
      };
    });
  };
}
