import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'graphql';
import type { SqlStore, SubgraphDefinition } from '@macpt/subgraph-kit';
import { educationFacts } from './facts.js';
import { createLoaders, type EducationLoaders } from './loaders.js';
import { resolvers } from './resolvers/index.js';
import { educationQueries } from './store/queries.js';

/** The schema file this subgraph publishes (also read by the supergraph composition). */
export const SCHEMA_FILE = fileURLToPath(new URL('../schema.graphql', import.meta.url));

/** Education's subgraph over its own store. */
export function educationSubgraph(store: SqlStore): SubgraphDefinition<EducationLoaders> {
  const q = educationQueries(store);
  return {
    agency: 'education',
    typeDefs: parse(readFileSync(SCHEMA_FILE, 'utf8')),
    resolvers: resolvers(),
    createLoaders: () => createLoaders(q),
    facts: educationFacts(q),
    residents: q.residents,
  };
}
