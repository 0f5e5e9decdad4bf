import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { DecisionBook, openAgencyStore, SqlStore } from '@macpt/subgraph-kit';
import { forEachBatch, GENERATOR_VERSION, type Household, type WorldOptions } from '@macpt/synthetic';

/** The version of the stores' tables: a store of an older layout is re-seeded, as one of another world is. */
export const STORE_LAYOUT = 4;

/** What a store records about the world it was seeded from (and the layout it was seeded in). */
export function seededWorldKey(world: WorldOptions): string {
  return JSON.stringify({ ...world, layout: STORE_LAYOUT, generator: GENERATOR_VERSION });
}

/** How an agency seeds its store: its tables, and its part of each synthetic household (its `./seed` export). */
export interface AgencySeeder {
  migrate: (store: SqlStore) => void;
  writer: (store: SqlStore) => (household: Household) => void;
}

/** The world (and layout) a store file was seeded from, as {@link seededWorldKey} wrote it; null if none. */
export function seededWorldOf(file: string): string | null {
  const probe = new SqlStore(file);
  try {
    return probe.getMeta('world');
  } finally {
    probe.close();
  }
}

/** Whether the store file holds another world's (or another layout's) records: read before migrating, which an old layout could fail. */
function seededElsewhere(file: string, world: WorldOptions): boolean {
  const seeded = seededWorldOf(file);
  return seeded !== null && seeded !== seededWorldKey(world);
}

/**
 * Seeds `<dataDir>/<agency>.db` with the synthetic world, in batched transactions, unless it already
 * holds exactly that world: a store of another world (seed, size, date or layout) would disagree with
 * the other agencies', so it is started afresh. Returns how long seeding took, or null when it was not needed.
 */
export function seedAgencyStore(
  agency: string,
  seeder: AgencySeeder,
  dataDir: string,
  world: WorldOptions,
  options: { force?: boolean } = {},
): number | null {
  const file = join(dataDir, `${agency}.db`);
  if (options.force || (existsSync(file) && seededElsewhere(file, world))) {
    for (const suffix of ['', '-wal', '-shm']) rmSync(file + suffix, { force: true });
  }
  const store = openAgencyStore(file, seeder.migrate);
  try {
    if (store.getMeta('world') !== null) return null;
    const started = Date.now();
    const write = seeder.writer(store);
    const book = new DecisionBook(store, agency);
    // The decisions not to share the agency already holds (made before it joined the gateway: no chain record).
    const decide = (household: Household) => {
      for (const child of household.children)
        for (const d of child.sharingDecisions)
          if (d.agency === agency)
            book.put(
              {
                ...d,
                nhsNumber: child.nhsNumber,
                reasonText: null,
                status: 'STANDING',
                history: [
                  {
                    action: 'RECORDED',
                    by: d.decidedBy,
                    at: d.decidedAt,
                    note: null,
                    reviewBy: d.reviewBy,
                    recordId: null,
                  },
                ],
              },
              // Agencies place the household's children at its UPRN: the decision reaches its household records.
              household.uprn,
            );
    };
    forEachBatch(
      world,
      2_000,
      store.db.transaction((batch: Household[]) => {
        batch.forEach(write);
        batch.forEach(decide);
      }),
    );
    store.setMeta('world', seededWorldKey(world));
    return Date.now() - started;
  } finally {
    store.close();
  }
}
