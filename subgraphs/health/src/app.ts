import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'graphql';
import type { SqlStore, SubgraphDefinition } from '@macpt/subgraph-kit';
import { healthFacts } from './facts.js';
import { createLoaders, type HealthLoaders } from './loaders.js';
import { resolvers } from './resolvers/index.js';
import { healthQueries } from './store/queries.js';

/** The schema file this subgraph publishes (also read by the supergraph composition). */
export const SCHEMA_FILE = fileURLToPath(new URL('../schema.graphql', import.meta.url));

/** Health's subgraph over its own store. */
export function healthSubgraph(store: SqlStore): SubgraphDefinition<HealthLoaders> {
  const q = healthQueries(store);
  return {
    agency: 'health',
    typeDefs: parse(readFileSync(SCHEMA_FILE, 'utf8')),
    resolvers: resolvers(),
    createLoaders: () => createLoaders(q),
    facts: healthFacts(q),
    residents: q.residents,
    flaggedHouseholds: (uprns) => q.flaggedHouseholds(uprns).map((r) => r.uprn),
  };
}
