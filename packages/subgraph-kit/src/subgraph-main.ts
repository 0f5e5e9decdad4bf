import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'graphql';
import {
  createLogger,
  ensureKeyPair,
  ensureSecret,
  metricsRoute,
  parseConfig,
  port,
  requireBenchmarkFor,
  startTracing,
  z,
} from '@macpt/kit';
import { loadAgencyPolicy } from '@macpt/policies';
import { subgraphMetrics } from './metrics.js';
import { DecisionBook, migrateDecisions } from './decisions.js';
import { EVERY_CHILD } from '@macpt/contract';
import { FactChanges, installFactChanges, type FactTables } from './fact-changes.js';
import { migrateOutbox } from './outbox.js';
import { startRelay } from './relay.js';
import { SqlStore } from './store.js';
import { policyEngine, startSubgraph, type SubgraphDefinition } from './subgraph.js';

/** How an agency's entry file describes itself to {@link runSubgraphMain}. */
export interface SubgraphEntry<TLoaders> {
  /** The agency's `package.json`, whose `macpt` block names the agency and its default port. */
  packageJson: URL;
  migrate: (store: SqlStore) => void;
  /** The tables its `/facts` answer reads, and which children a change to each concerns (its change feed). */
  factTables: FactTables;
  definition: (store: SqlStore) => SubgraphDefinition<TLoaders>;
}

/** Environment of every subgraph process; `<AGENCY>_PORT` overrides `PORT`'s default. */
export function subgraphConfig(agency: string, defaultPort: number, env: Record<string, string | undefined>) {
  const portKey = `${agency.toUpperCase().replace('-', '_')}_PORT`;
  const schema = z.object({
    PORT: port(defaultPort),
    HOST: z.string().default('127.0.0.1'),
    DATA_DIR: z.string().default(resolve('data')),
    /**
     * This agency's internal-context secret (base64url, at least 32 bytes), shared with the gateway alone;
     * else the embedded secret under DATA_DIR/keys (`internal-context-<agency>.secret.json`).
     */
    INTERNAL_CONTEXT_KEY: z
      .string()
      .regex(/^[A-Za-z0-9_-]+$/, 'base64url')
      .refine((k) => Buffer.from(k, 'base64url').length >= 32, 'a secret of at least 32 bytes')
      .optional(),
    NODE_ENV: z.string().default('development'),
    /** `off` serves without the signed context and without field checks: for benchmarks only (NODE_ENV=benchmark). */
    POLICY_ENFORCEMENT: z.enum(['on', 'off']).default('on'),
    /** The schema this subgraph serves (default: the agency's schema.graphql); publish the same one. */
    SCHEMA_FILE: z.string().optional(),
    /** The agency's sharing policy file it enforces (default: policies/agencies/<agency>.yaml); publish the same one. */
    POLICY_FILE: z.string().optional(),
    /** The gateway's notification router, to which the relay delivers this agency's outbox. Unset: no relay. */
    NOTIFY_URL: z.url().optional(),
  });
  const config = parseConfig(schema, { ...env, PORT: env[portKey] ?? env.PORT });
  requireBenchmarkFor({ POLICY_ENFORCEMENT: config.POLICY_ENFORCEMENT }, config.NODE_ENV);
  return config;
}

/** Every agency's decisions not to share are facts it owns: a household's decision may concern any child of it. */
const DECISION_FACTS: FactTables = {
  sharing_decision: `SELECT ROW.nhs_number AS s UNION ALL SELECT '${EVERY_CHILD}' AS s WHERE ROW.uprn IS NOT NULL`,
};

/** Opens (and migrates) an agency's store file. */
export function openAgencyStore(file: string, migrate: (store: SqlStore) => void): SqlStore {
  const store = new SqlStore(file);
  migrate(store);
  migrateOutbox(store);
  migrateDecisions(store);
  return store;
}

/**
 * The body of every subgraph's `main.ts`: read config, open the agency's store (seeded beforehand: the
 * dev launcher seeds the synthetic world, a real agency brings its own database), serve until SIGINT/SIGTERM.
 */
export async function runSubgraphMain<TLoaders>(entry: SubgraphEntry<TLoaders>): Promise<void> {
  const { agency, defaultPort } = (
    JSON.parse(readFileSync(entry.packageJson, 'utf8')) as { macpt: { agency: string; defaultPort: number } }
  ).macpt;
  // OpenTelemetry traces when an OTLP endpoint is configured: each call continues the gateway's trace.
  const tracing = startTracing(agency);
  const logger = createLogger(agency);
  const config = subgraphConfig(agency, defaultPort, process.env);
  const file = join(config.DATA_DIR, `${agency}.db`);
  if (!existsSync(file)) {
    logger.error({ file }, `no ${agency} store: npm start seeds one with synthetic data (or: npm run -s seed)`);
    process.exit(1);
  }
  const store = openAgencyStore(file, entry.migrate);
  store.db.pragma('optimize');
  installFactChanges(store, { ...entry.factTables, ...DECISION_FACTS });
  const secret = Buffer.from(
    config.INTERNAL_CONTEXT_KEY ?? ensureSecret(join(config.DATA_DIR, 'keys'), `internal-context-${agency}`).k,
    'base64url',
  );
  const definition = entry.definition(store);
  if (config.SCHEMA_FILE) definition.typeDefs = parse(readFileSync(config.SCHEMA_FILE, 'utf8'));
  if (config.POLICY_FILE) {
    const own = loadAgencyPolicy(config.POLICY_FILE);
    if (own.agency !== agency) throw new Error(`${config.POLICY_FILE} is ${own.agency}'s policy, not ${agency}'s`);
    policyEngine.replace(policyEngine.policies.map((p) => (p.agency === agency ? own : p)));
  }
  const server = await startSubgraph(definition, {
    port: config.PORT,
    host: config.HOST,
    logger,
    verifyKey: secret,
    open: config.POLICY_ENFORCEMENT === 'off',
    routes: metricsRoute(subgraphMetrics(agency, store)),
    decisions: new DecisionBook(
      store,
      agency,
      (scope) => policyEngine.householdReach(agency, scope),
      definition.residents,
    ),
    changes: new FactChanges(store, agency),
  });
  const relay = config.NOTIFY_URL
    ? startRelay({
        agency,
        store,
        url: config.NOTIFY_URL,
        key: (await ensureKeyPair(join(config.DATA_DIR, 'keys'), `events-${agency}`)).privateJwk,
        logger,
      })
    : null;
  const stop = async (signal: string) => {
    logger.info({ signal }, 'stopping');
    await relay?.stop();
    await server.close();
    store.close();
    await tracing?.shutdown().catch(() => undefined);
    process.exit(0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
}
