import { readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { forEachBatch, type Household, type WorldOptions } from '@macpt/synthetic';
import { createLogger, ensureKeyPair, importKey, parseConfig, port, requireBenchmarkFor, z } from '@macpt/kit';
import { SqlStore } from './store.js';
import { startSubgraph, type SubgraphDefinition } from './subgraph.js';

/** How an agency's entry file describes itself to {@link runSubgraphMain}. */
export interface SubgraphEntry<TLoaders> {
  /** The agency's `package.json`, whose `macpt` block names the agency and its default port. */
  packageJson: URL;
  migrate: (store: SqlStore) => void;
  writer: (store: SqlStore) => (household: Household) => void;
  definition: (store: SqlStore) => SubgraphDefinition<TLoaders>;
}

const today = () => new Date().toISOString().slice(0, 10);

/** Environment of every subgraph process; `<AGENCY>_PORT` overrides `PORT`'s default. */
export function subgraphConfig(agency: string, defaultPort: number, env: Record<string, string | undefined>) {
  const portKey = `${agency.toUpperCase().replace('-', '_')}_PORT`;
  const schema = z.object({
    PORT: port(defaultPort),
    HOST: z.string().default('127.0.0.1'),
    DATA_DIR: z.string().default(resolve('data')),
    SEED: z.coerce.number().int().default(1),
    CHILDREN: z.coerce.number().int().positive().default(10_000),
    AS_OF: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date YYYY-MM-DD').default(today()),
    /** The gateway's public JWK (JSON) for verifying signed contexts; else the embedded key pair under DATA_DIR/keys. */
    INTERNAL_CONTEXT_PUBLIC_JWK: z.string().optional(),
    NODE_ENV: z.string().default('development'),
    /** `off` serves without the signed context and without field checks: for benchmarks only (NODE_ENV=benchmark). */
    POLICY_ENFORCEMENT: z.enum(['on', 'off']).default('on'),
  });
  const config = parseConfig(schema, { ...env, PORT: env[portKey] ?? env.PORT });
  requireBenchmarkFor({ POLICY_ENFORCEMENT: config.POLICY_ENFORCEMENT }, config.NODE_ENV);
  return config;
}

/** The version of the stores' tables: a store of an older layout is re-seeded, as one of another world is. */
export const STORE_LAYOUT = 2;

/** What a store records about the world it was seeded from (and the layout it was seeded in). */
export function seededWorldKey(world: WorldOptions): string {
  return JSON.stringify({ ...world, layout: STORE_LAYOUT });
}

/** Writes the synthetic world's records for this agency into its store, in batched transactions. */
export function seedStore(store: SqlStore, write: (household: Household) => void, world: WorldOptions): void {
  const insert = store.db.transaction((batch: Household[]) => {
    for (const household of batch) write(household);
  });
  forEachBatch(world, 2_000, insert);
  store.setMeta('world', seededWorldKey(world));
}

/** Whether the store file holds another world's (or another layout's) records: read before migrating, which an old layout could fail. */
function seededElsewhere(file: string, world: WorldOptions): boolean {
  const probe = new SqlStore(file);
  try {
    const seeded = probe.getMeta('world');
    return seeded !== null && seeded !== seededWorldKey(world);
  } finally {
    probe.close();
  }
}

/** Opens (and migrates) an agency's store file. */
export function openAgencyStore(file: string, migrate: (store: SqlStore) => void): SqlStore {
  const store = new SqlStore(file);
  migrate(store);
  return store;
}

/**
 * The body of every subgraph's `main.ts`: read config, seed the store when it is empty (or when run
 * as `main.js seed`), then serve until SIGINT/SIGTERM.
 */
export async function runSubgraphMain<TLoaders>(entry: SubgraphEntry<TLoaders>, argv = process.argv.slice(2)): Promise<void> {
  const { agency, defaultPort } = (JSON.parse(readFileSync(entry.packageJson, 'utf8')) as { macpt: { agency: string; defaultPort: number } }).macpt;
  const logger = createLogger(agency);
  const config = subgraphConfig(agency, defaultPort, process.env);
  const file = join(config.DATA_DIR, `${agency}.db`);
  const reseed = argv[0] === 'seed';
  const world: WorldOptions = { seed: config.SEED, children: config.CHILDREN, asOf: config.AS_OF };
  if (reseed || seededElsewhere(file, world)) {
    // A store seeded from another world (seed, size, date or layout) would disagree with the other agencies': start afresh.
    for (const suffix of ['', '-wal', '-shm']) rmSync(file + suffix, { force: true });
  }
  const store = openAgencyStore(file, entry.migrate);
  if (store.getMeta('world') === null) {
    const started = Date.now();
    seedStore(store, entry.writer(store), world);
    logger.info({ ...world, ms: Date.now() - started, file }, 'seeded synthetic records');
  }
  if (reseed) {
    store.close();
    return;
  }
  store.db.pragma('optimize');
  const jwk = config.INTERNAL_CONTEXT_PUBLIC_JWK ? JSON.parse(config.INTERNAL_CONTEXT_PUBLIC_JWK) : (await ensureKeyPair(join(config.DATA_DIR, 'keys'), 'internal-context')).publicJwk;
  const server = await startSubgraph(entry.definition(store), { port: config.PORT, host: config.HOST, logger, verifyKey: await importKey(jwk), open: config.POLICY_ENFORCEMENT === 'off' });
  const stop = async (signal: string) => {
    logger.info({ signal }, 'stopping');
    await server.close();
    store.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
}
