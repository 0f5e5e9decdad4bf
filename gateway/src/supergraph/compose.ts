import { readFileSync } from 'node:fs';
import { composeServices } from '@apollo/composition';
import { parse, printSchema } from 'graphql';
import type { SubgraphManifest } from './subgraphs.js';

/** Thrown when the subgraph schemas do not compose; carries composition's own messages. */
export class CompositionError extends Error {
  constructor(readonly messages: string[]) {
    super(`Supergraph composition failed:\n${messages.map((m) => `  - ${m}`).join('\n')}`);
  }
}

/**
 * Composes the supergraph from the subgraphs' schema files (throws {@link CompositionError}): its SDL for
 * the gateway, and the API schema clients see (the console's typed operations are generated from it).
 */
export function composeSupergraph(subgraphs: readonly SubgraphManifest[]): {
  supergraphSdl: string;
  apiSchemaSdl: string;
} {
  const result = composeServices(
    subgraphs.map((s) => ({
      name: s.name,
      url: s.url,
      typeDefs: parse(readFileSync(s.schemaFile, 'utf8'), { noLocation: false }),
    })),
  );
  if (result.errors) throw new CompositionError(result.errors.map((e) => e.message));
  return {
    supergraphSdl: result.supergraphSdl,
    apiSchemaSdl: printSchema(result.schema.toAPISchema().toGraphQLJSSchema()),
  };
}
