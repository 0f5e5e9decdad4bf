import { listLoader, rowLoader } from '@macpt/subgraph-kit';
import type { HealthQueries } from './store/queries.js';

/** Health's per-request DataLoaders: one SQL statement per table per batch of children. */
export function createLoaders(q: HealthQueries) {
  const byChild = <Row extends { nhsNumber: string }>(run: (keys: readonly string[]) => Row[]) =>
    listLoader(run, (r) => r.nhsNumber);
  return {
    // An NHS number health has no patient for has no row: null, not an error.
    patient: rowLoader(q.patients, (r) => r.nhsNumber),
    practice: rowLoader(q.practices, (r) => r.odsCode),
    ae: byChild(q.ae),
    wnb: byChild(q.wnb),
    immunisations: byChild(q.immunisations),
    camhs: byChild(q.camhs),
    sexualHealth: byChild(q.sexualHealth),
    maternity: listLoader(q.maternity, (r) => r.householdId),
  };
}

export type HealthLoaders = ReturnType<typeof createLoaders>;
