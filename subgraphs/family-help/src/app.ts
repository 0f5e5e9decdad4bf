import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'graphql';
import type { SqlStore, SubgraphDefinition } from '@macpt/subgraph-kit';
import { familyHelpFacts } from './facts.js';
import { FAMILY_HELP_FIGURE_TABLES, familyHelpFigures } from './figures.js';
import { createLoaders, type FamilyHelpLoaders } from './loaders.js';
import { resolvers } from './resolvers/index.js';
import { familyHelpQueries } from './store/queries.js';

/** The schema file this subgraph publishes (also read by the supergraph composition). */
export const SCHEMA_FILE = fileURLToPath(new URL('../schema.graphql', import.meta.url));

/** Family Help's subgraph over its own store. */
export function familyHelpSubgraph(store: SqlStore): SubgraphDefinition<FamilyHelpLoaders> {
  const q = familyHelpQueries(store);
  return {
    agency: 'family-help',
    typeDefs: parse(readFileSync(SCHEMA_FILE, 'utf8')),
    resolvers: resolvers(),
    createLoaders: () => createLoaders(q),
    facts: familyHelpFacts(q),
    residents: q.residents,
    figures: familyHelpFigures(store),
    figureTables: FAMILY_HELP_FIGURE_TABLES,
  };
}
