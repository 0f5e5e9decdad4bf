import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/resolverMap.js';
import { parse, type GraphQLSchema } from 'graphql';
import { publishedFields } from '@macpt/policies';
import { sharingResolvers, type SharingDeps } from './resolvers.js';

/** The decisions subgraph's SDL. */
export const SHARING_SDL = readFileSync(
  fileURLToPath(new URL('../../src/sharing/schema.graphql', import.meta.url)),
  'utf8',
);

/** Its coordinates: the gateway's own (each answer is checked by its resolvers and recorded). */
export const SHARING_FIELDS: ReadonlySet<string> = new Set(publishedFields(SHARING_SDL));

/** The decisions-not-to-share subgraph, served in-process by the gateway. */
export function sharingSchema(deps: SharingDeps): GraphQLSchema {
  return buildSubgraphSchema([
    { typeDefs: parse(SHARING_SDL), resolvers: sharingResolvers(deps) as unknown as GraphQLResolverMap<unknown> },
  ]);
}
