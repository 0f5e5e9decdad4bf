import DataLoader from 'dataloader';
import { groupByKey, oneByKey } from '@macpt/subgraph-kit';
import type { HealthQueries } from './store/queries.js';

/** Health's per-request DataLoaders: one SQL statement per table per batch of children. */
export function createLoaders(q: HealthQueries) {
  const byChild = <Row extends { nhsNumber: string }>(run: (keys: readonly string[]) => Row[]) =>
    new DataLoader<string, Row[]>(async (keys) => groupByKey(keys, run(keys), (r) => r.nhsNumber));
  return {
    // An NHS number health has no patient for has no row: null, not an error.
    patient: new DataLoader(async (keys: readonly string[]) => oneByKey(keys, q.patients(keys), (r) => r.nhsNumber)),
    practice: new DataLoader(async (keys: readonly string[]) => oneByKey(keys, q.practices(keys), (r) => r.odsCode)),
    ae: byChild(q.ae),
    wnb: byChild(q.wnb),
    immunisations: byChild(q.immunisations),
    camhs: byChild(q.camhs),
    sexualHealth: byChild(q.sexualHealth),
    maternity: new DataLoader(async (keys: readonly string[]) => groupByKey(keys, q.maternity(keys), (r) => r.householdId)),
  };
}

export type HealthLoaders = ReturnType<typeof createLoaders>;
