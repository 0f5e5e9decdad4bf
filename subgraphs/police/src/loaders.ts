import { listLoader, rowLoader } from '@macpt/subgraph-kit';
import type { PoliceQueries } from './store/queries.js';

/** Police's per-request DataLoaders: one SQL statement per table per batch of children. */
export function createLoaders(q: PoliceQueries) {
  const byChild = <Row extends { nhsNumber: string }>(run: (keys: readonly string[]) => Row[]) =>
    listLoader(run, (r) => r.nhsNumber);
  const byHousehold = <Row extends { householdId: string }>(run: (keys: readonly string[]) => Row[]) =>
    listLoader(run, (r) => r.householdId);
  return {
    // A child police hold nothing about has no row: null, not an error.
    person: rowLoader(q.people, (r) => r.nhsNumber),
    incidents: byChild(q.incidents),
    domesticAbuse: byHousehold(q.domesticAbuse),
    encompass: byChild(q.encompass),
    missing: byChild(q.missing),
    exploitation: rowLoader(q.exploitation, (r) => r.nhsNumber),
    protection: byChild(q.protection),
    intelligence: byChild(q.intelligence),
    offences: byHousehold(q.offences),
  };
}

export type PoliceLoaders = ReturnType<typeof createLoaders>;
