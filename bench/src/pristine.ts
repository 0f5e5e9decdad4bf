import { copyFileSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { agencySubgraphs, seededWorldKey, seededWorldOf } from '@macpt/dev';
import { SqlStore } from '@macpt/subgraph-kit';
import type { WorldOptions } from '@macpt/synthetic';

/**
 * Every run starts from the world as seeded. A run writes into the agencies' stores (the notification
 * measurement records A&E attendances at health for the children on plans, the ones the mix asks about most),
 * so stores reused as the last run left them would answer each run with more than the one before: twenty runs
 * on gave those children about seventy attendances more each, and tripled health's CPU for a caseload.
 *
 * The first run of a world keeps a copy of its stores as seeded (`<dataDir>/pristine/`); each later run
 * starts from that copy. Returns whether it did: when it did not, the stores are removed so that the stack
 * seeds them afresh, and {@link keepPristine} is to be called once it has.
 */
export function restorePristine(dataDir: string, world: WorldOptions, agencies: readonly string[]): boolean {
  const pristine = join(dataDir, 'pristine');
  const copies = agencies.map((agency) => ({
    from: join(pristine, `${agency}.db`),
    to: join(dataDir, `${agency}.db`),
  }));
  const usable = copies.every(({ from }) => existsSync(from) && worldOf(from) === seededWorldKey(world));
  for (const { from, to } of copies) {
    for (const suffix of ['', '-wal', '-shm']) rmSync(to + suffix, { force: true });
    if (usable) copyFileSync(from, to);
  }
  if (!usable) rmSync(pristine, { recursive: true, force: true });
  return usable;
}

/** Keeps a copy of each agency's store as it is now (just seeded), consistent while the agencies run. */
export function keepPristine(dataDir: string, agencies: readonly string[]): void {
  const pristine = join(dataDir, 'pristine');
  mkdirSync(pristine, { recursive: true });
  for (const agency of agencies) {
    const store = new SqlStore(join(dataDir, `${agency}.db`), { readonly: true });
    try {
      store.db.prepare('VACUUM INTO ?').run(join(pristine, `${agency}.db`));
    } finally {
      store.close();
    }
  }
}

/** The agencies a stack starts, each keeping its own store `<agency>.db`. */
export function stackAgencies(): string[] {
  return agencySubgraphs().map((s) => s.name);
}

/** A copy's world, or null when it cannot be read (then the stores are seeded afresh). */
function worldOf(file: string): string | null {
  try {
    return seededWorldOf(file);
  } catch {
    return null;
  }
}
