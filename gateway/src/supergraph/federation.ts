import { ApolloGateway } from '@apollo/gateway';
import { LocalSubgraph } from './local-source.js';
import type { Logger } from '@macpt/kit';
import type { PolicyEngine } from '@macpt/policies';
import { auditSchema } from '../audit/schema.js';
import type { AuditDeps } from '../audit/resolvers.js';
import { AgencyDataSource } from '../datasources/agency-data-source.js';
import type { CircuitBreaker } from '../datasources/circuit-breaker.js';
import { directorySchema } from '../directory/schema.js';
import { agencyRequestSigner, type createSigner } from '../signing.js';
import type { LoadedSupergraph } from './load.js';
import type { NotificationDeps } from '../notifications/resolvers.js';
import { notificationsSchema } from '../notifications/schema.js';
import type { SharingDeps } from '../sharing/resolvers.js';
import { sharingSchema } from '../sharing/schema.js';
import { figuresSchema } from '../figures/schema.js';
import type { FiguresDeps } from '../figures/service.js';
import { chronologySchema } from '../chronology/schema.js';
import {
  AUDIT_SUBGRAPH,
  CHRONOLOGY_SUBGRAPH,
  DIRECTORY_SUBGRAPH,
  FIGURES_SUBGRAPH,
  NOTIFICATIONS_SUBGRAPH,
  SHARING_SUBGRAPH,
} from './subgraphs.js';

/**
 * Apollo Gateway over the static supergraph: the gateway's own directory and IG review subgraphs in
 * process, each agency through its own data source (signed context, deadline, circuit breaker).
 */
export function federatedGateway(deps: {
  supergraph: LoadedSupergraph;
  engine: PolicyEngine;
  audit: AuditDeps;
  notifications: NotificationDeps;
  sharing: SharingDeps;
  figures: FiguresDeps;
  /** Signs agency requests; absent in benchmark mode (POLICY_ENFORCEMENT=off). */
  sign: Awaited<ReturnType<typeof createSigner>> | null;
  breakers: Record<string, CircuitBreaker>;
  timeoutOf: (agency: string) => number;
  logger: Logger;
  /** Given the function that swaps in a new supergraph (a publication took effect), without a restart. */
  onUpdatable?: (update: (supergraphSdl: string) => void) => void;
}): { gateway: ApolloGateway; sources: AgencyDataSource[] } {
  const sources: AgencyDataSource[] = [];
  const gateway = new ApolloGateway({
    supergraphSdl: async ({ update }) => {
      deps.onUpdatable?.(update);
      return { supergraphSdl: deps.supergraph.sdl };
    },
    logger: deps.logger,
    buildService: ({ name, url }) => {
      if (name === DIRECTORY_SUBGRAPH) return new LocalSubgraph(directorySchema(deps.engine, { open: !deps.sign }));
      if (name === AUDIT_SUBGRAPH) return new LocalSubgraph(auditSchema(deps.audit));
      if (name === NOTIFICATIONS_SUBGRAPH) return new LocalSubgraph(notificationsSchema(deps.notifications));
      if (name === SHARING_SUBGRAPH) return new LocalSubgraph(sharingSchema(deps.sharing));
      if (name === FIGURES_SUBGRAPH) return new LocalSubgraph(figuresSchema(deps.figures));
      if (name === CHRONOLOGY_SUBGRAPH) return new LocalSubgraph(chronologySchema(deps.engine));
      const breaker = deps.breakers[name];
      const source = new AgencyDataSource({
        name,
        url: deps.supergraph.agencies[name] ?? url!,
        timeoutMs: deps.timeoutOf(name),
        ...(deps.sign ? { signRequest: agencyRequestSigner(deps.sign) } : {}),
        ...(breaker ? { breaker } : {}),
      });
      sources.push(source);
      return source;
    },
  });
  return { gateway, sources };
}
