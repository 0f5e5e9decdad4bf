import type { IncomingMessage } from 'node:http';
import type { Route } from '@macpt/kit';
import { downloadRoutes } from './audit/routes.js';
import type { GatewayContext } from './context.js';
import type { GroupCommitter } from './disclosure/group-commit.js';
import type { DisclosureStore } from './disclosure/store.js';
import type { Served } from './registry/watch.js';

/** The gateway's plain routes beside GraphQL: liveness, readiness, and IG's report downloads. */
export function gatewayRoutes(deps: {
  agencies: readonly string[];
  store: DisclosureStore;
  committer: GroupCommitter;
  /** The pipeline's context: a download is authenticated, purpose-checked and rate-limited like any request. */
  context: (req: IncomingMessage) => Promise<GatewayContext>;
  /** The supergraph in service: its hash and when it was loaded. */
  inService: Served;
}): Record<string, Route> {
  return {
    '/health': async () => ({
      status: 200,
      body: {
        status: 'ok',
        agencies: deps.agencies,
        supergraph: { hash: deps.inService.supergraphHash, loadedAt: deps.inService.loadedAt },
        rssBytes: process.memoryUsage().rss,
      },
    }),
    '/health/ready': async () => {
      const ready = await deps.store.ready();
      const problem = deps.store.problem?.() ?? null;
      return {
        status: ready ? 200 : 503,
        body: { ready, disclosureLog: deps.store.kind, ...(problem ? { problem } : {}) },
      };
    },
    ...downloadRoutes({ store: deps.store, context: deps.context, append: (r, c) => deps.committer.append(r, c) }),
  };
}
