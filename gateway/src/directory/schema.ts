import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/resolverMap.js';
import { parse, type GraphQLSchema } from 'graphql';
import type { PolicyEngine } from '@macpt/policies';
import { publishedFields } from '@macpt/policies';
import { directoryResolvers } from './resolvers.js';

/** The directory subgraph's SDL. */
export const DIRECTORY_SDL = readFileSync(
  fileURLToPath(new URL('../../src/directory/schema.graphql', import.meta.url)),
  'utf8',
);

/** The directory's own coordinates: served by the gateway, carrying no agency data. */
export const DIRECTORY_FIELDS: ReadonlySet<string> = new Set(publishedFields(DIRECTORY_SDL));

/** The directory subgraph's executable schema, served in-process by the gateway. */
export function directorySchema(engine: PolicyEngine, options: { open?: boolean } = {}): GraphQLSchema {
  return buildSubgraphSchema([
    {
      typeDefs: parse(DIRECTORY_SDL),
      resolvers: directoryResolvers(engine, options) as unknown as GraphQLResolverMap<unknown>,
    },
  ]);
}
