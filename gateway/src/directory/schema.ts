import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/resolverMap.js';
import { parse, type GraphQLSchema } from 'graphql';
import { directoryResolvers } from './resolvers.js';

/** The directory subgraph's executable schema, served in-process by the gateway. */
export function directorySchema(): GraphQLSchema {
  const typeDefs = parse(readFileSync(fileURLToPath(new URL('../../schema/directory.graphql', import.meta.url)), 'utf8'));
  return buildSubgraphSchema([{ typeDefs, resolvers: directoryResolvers as unknown as GraphQLResolverMap<unknown> }]);
}
