import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/resolverMap.js';
import { parse, type GraphQLSchema } from 'graphql';
import { publishedFields } from '@macpt/policies';
import type { GatewayContext } from '../context.js';
import { partnershipFigures, type FiguresDeps } from './service.js';

/** The figures subgraph's SDL. */
export const FIGURES_SDL = readFileSync(
  fileURLToPath(new URL('../../src/figures/schema.graphql', import.meta.url)),
  'utf8',
);

/** Its coordinates: the gateway's own (aggregates, suppressed, each query recorded as an IG query). */
export const FIGURES_FIELDS: ReadonlySet<string> = new Set(publishedFields(FIGURES_SDL));

/** The partnership figures subgraph, served in-process by the gateway. */
export function figuresSchema(deps: FiguresDeps): GraphQLSchema {
  const resolvers = {
    Query: {
      partnershipFigures: (_: unknown, args: { la: string; from: string; to: string }, ctx: GatewayContext) =>
        partnershipFigures(deps, ctx, args),
    },
  };
  return buildSubgraphSchema([
    { typeDefs: parse(FIGURES_SDL), resolvers: resolvers as unknown as GraphQLResolverMap<unknown> },
  ]);
}
