import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/resolverMap.js';
import { parse, type GraphQLSchema } from 'graphql';
import { publishedFields } from '@macpt/policies';
import { auditResolvers, type AuditDeps } from './resolvers.js';

/** The audit subgraph's SDL. */
export const AUDIT_SDL = readFileSync(
  fileURLToPath(new URL('../../src/audit/schema.graphql', import.meta.url)),
  'utf8',
);

/** The audit API's coordinates: the gateway's own, guarded by IG-lead checks rather than the sharing matrix. */
export const AUDIT_FIELDS: ReadonlySet<string> = new Set(publishedFields(AUDIT_SDL));

/** The audit subgraph's executable schema, served in-process by the gateway. */
export function auditSchema(deps: AuditDeps): GraphQLSchema {
  return buildSubgraphSchema([
    { typeDefs: parse(AUDIT_SDL), resolvers: auditResolvers(deps) as unknown as GraphQLResolverMap<unknown> },
  ]);
}
