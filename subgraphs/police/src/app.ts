import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'graphql';
import type { SqlStore, SubgraphDefinition } from '@macpt/subgraph-kit';
import { policeFacts } from './facts.js';
import { createLoaders, type PoliceLoaders } from './loaders.js';
import { resolvers } from './resolvers/index.js';
import { policeQueries } from './store/queries.js';

/** The schema file this subgraph publishes (also read by the supergraph composition). */
export const SCHEMA_FILE = fileURLToPath(new URL('../schema.graphql', import.meta.url));

/** Police's subgraph over its own store. */
export function policeSubgraph(store: SqlStore): SubgraphDefinition<PoliceLoaders> {
  const q = policeQueries(store);
  return {
    agency: 'police',
    typeDefs: parse(readFileSync(SCHEMA_FILE, 'utf8')),
    resolvers: resolvers(),
    createLoaders: () => createLoaders(q),
    facts: policeFacts(q),
    residents: q.residents,
    flaggedHouseholds: (uprns) => q.flaggedHouseholds(uprns).map((r) => r.uprn),
  };
}
