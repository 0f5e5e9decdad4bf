import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/resolverMap.js';
import { GraphQLError, parse, type GraphQLSchema } from 'graphql';
import { publishedFields, type PolicyEngine } from '@macpt/policies';

/** The chronology subgraph's SDL. */
export const CHRONOLOGY_SDL = readFileSync(
  fileURLToPath(new URL('../../src/chronology/schema.graphql', import.meta.url)),
  'utf8',
);

/** Its coordinates: the gateway's own (a chronology's entries are decided as the agency fields they come from). */
export const CHRONOLOGY_FIELDS: ReadonlySet<string> = new Set(publishedFields(CHRONOLOGY_SDL));

/**
 * The chronology subgraph, served in-process: it lists the kinds of event the agencies' policies put on a
 * chronology. `Child.chronology` itself is answered by the governed gateway from the agencies' own fields
 * (see expand.ts and assemble.ts), never here: asked here, it refuses.
 */
export function chronologySchema(engine: PolicyEngine): GraphQLSchema {
  const resolvers = {
    Query: {
      chronologyKinds: () => engine.chronologySources().map(({ agency, kind, label }) => ({ agency, kind, label })),
    },
    Child: {
      __resolveReference: (ref: { nhsNumber: string }) => ref,
      chronology: () => {
        throw new GraphQLError('The chronology is assembled by the governed gateway from the agencies\u2019 fields.', {
          extensions: { code: 'CHRONOLOGY_NOT_GOVERNED' },
        });
      },
    },
  };
  return buildSubgraphSchema([
    { typeDefs: parse(CHRONOLOGY_SDL), resolvers: resolvers as unknown as GraphQLResolverMap<unknown> },
  ]);
}
