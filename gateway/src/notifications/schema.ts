import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/resolverMap.js';
import { parse, type GraphQLSchema } from 'graphql';
import { publishedFields } from '@macpt/policies';
import { notificationResolvers, type NotificationDeps } from './resolvers.js';

/** The notifications subgraph's SDL. */
export const NOTIFICATIONS_SDL = readFileSync(
  fileURLToPath(new URL('../../src/notifications/schema.graphql', import.meta.url)),
  'utf8',
);

/** Its coordinates: the gateway's own (each item was decided by the rules and recorded when delivered). */
export const NOTIFICATION_FIELDS: ReadonlySet<string> = new Set(publishedFields(NOTIFICATIONS_SDL));

/** The notifications subgraph, served in-process by the gateway. */
export function notificationsSchema(deps: NotificationDeps): GraphQLSchema {
  return buildSubgraphSchema([
    {
      typeDefs: parse(NOTIFICATIONS_SDL),
      resolvers: notificationResolvers(deps) as unknown as GraphQLResolverMap<unknown>,
    },
  ]);
}
