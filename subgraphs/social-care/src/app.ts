import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'graphql';
import type { SqlStore, SubgraphDefinition } from '@macpt/subgraph-kit';
import { caseFacts, socialCareFacts } from './facts.js';
import { SOCIAL_CARE_FIGURE_TABLES, socialCareFigures } from './figures.js';
import { createLoaders, type SocialCareLoaders } from './loaders.js';
import { resolvers } from './resolvers/index.js';
import { socialCareQueries } from './store/queries.js';

/** The schema file this subgraph publishes (also read by the supergraph composition). */
export const SCHEMA_FILE = fileURLToPath(new URL('../schema.graphql', import.meta.url));

/** Social care's subgraph over its own store. */
export function socialCareSubgraph(store: SqlStore): SubgraphDefinition<SocialCareLoaders> {
  const q = socialCareQueries(store);
  return {
    agency: 'social-care',
    typeDefs: parse(readFileSync(SCHEMA_FILE, 'utf8')),
    resolvers: resolvers(),
    createLoaders: () => createLoaders(q),
    facts: socialCareFacts(q),
    residents: q.residents,
    cases: caseFacts(q),
    flaggedHouseholds: (uprns) => q.flaggedHouseholds(uprns).map((r) => r.uprn),
    figures: socialCareFigures(store),
    figureTables: SOCIAL_CARE_FIGURE_TABLES,
  };
}
