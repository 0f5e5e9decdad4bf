import { listLoader, rowLoader } from '@macpt/subgraph-kit';
import type { EducationQueries } from './store/queries.js';

/** Education's per-request DataLoaders: one SQL statement per table per batch of children. */
export function createLoaders(q: EducationQueries) {
  const byChild = <Row extends { nhsNumber: string }>(run: (keys: readonly string[]) => Row[]) =>
    listLoader(run, (r) => r.nhsNumber);
  return {
    // A child not on any roll (under school age, say) has no row: null, not an error.
    pupil: rowLoader(q.pupils, (r) => r.nhsNumber),
    school: rowLoader(q.schools, (r) => r.urn),
    suspensions: byChild(q.suspensions),
    exclusions: byChild(q.exclusions),
    dslConcerns: byChild(q.dslConcerns),
  };
}

export type EducationLoaders = ReturnType<typeof createLoaders>;
