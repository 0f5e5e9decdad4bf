import { listLoader, rowLoader } from '@macpt/subgraph-kit';
import type { FamilyHelpQueries } from './store/queries.js';

/** Family Help's per-request DataLoaders: one SQL statement per table per batch. */
export function createLoaders(q: FamilyHelpQueries) {
  const byFamily = <Row extends { familyId: string }>(run: (keys: readonly string[]) => Row[]) =>
    listLoader(run, (r) => r.familyId);
  return {
    // A child whose family Family Help does not know has no row: null, not an error.
    child: rowLoader(q.children, (r) => r.nhsNumber),
    family: rowLoader(q.families, (r) => r.familyId),
    assessments: byFamily(q.assessments),
    transitions: byFamily(q.transitions),
    team: byFamily(q.team),
  };
}

export type FamilyHelpLoaders = ReturnType<typeof createLoaders>;
