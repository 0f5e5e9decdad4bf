import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { ApolloGateway, LocalGraphQLDataSource } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { createLogger, serveGraphQL, type Logger } from '@macpt/kit';
import type { GatewayConfig } from './config.js';
import type { GatewayContext } from './context.js';
import { AgencyDataSource } from './datasources/agency-data-source.js';
import { directorySchema } from './directory/schema.js';
import { createChildFactsLoader } from './facts/child-facts.js';
import { FactsClient } from './facts/facts-client.js';
import { createFormatError } from './plugins/format-error.js';
import { loadSupergraph } from './supergraph/load.js';
import { DIRECTORY_SUBGRAPH } from './supergraph/subgraphs.js';

export type { GatewayConfig } from './config.js';
export { gatewayConfig } from './config.js';

/** A running gateway. */
export interface RunningGateway {
  url: string;
  close: () => Promise<void>;
}

/** Builds and starts the gateway: Apollo Gateway over the static supergraph, inside Apollo Server. */
export async function startGateway(config: GatewayConfig, logger: Logger = createLogger('gateway')): Promise<RunningGateway> {
  const supergraph = loadSupergraph(config.SUPERGRAPH_FILE, config.urlOverrides);
  const sources: AgencyDataSource[] = [];
  const gateway = new ApolloGateway({
    supergraphSdl: supergraph.sdl,
    logger,
    buildService: ({ name, url }) => {
      if (name === DIRECTORY_SUBGRAPH) return new LocalGraphQLDataSource(directorySchema());
      const source = new AgencyDataSource({ name, url: supergraph.agencies[name] ?? url!, timeoutMs: config.SUBGRAPH_TIMEOUT_MS });
      sources.push(source);
      return source;
    },
  });
  const factsClient = new FactsClient(supergraph.agencies, config.SUBGRAPH_TIMEOUT_MS);
  const server = new ApolloServer<GatewayContext>({
    gateway,
    formatError: createFormatError(logger),
    includeStacktraceInErrorResponses: false,
    introspection: config.NODE_ENV !== 'production',
  });
  await server.start();
  const served = await serveGraphQL({
    server,
    port: config.PORT,
    host: config.HOST,
    maxHeaderBytes: 32 * 1024,
    routes: { '/health': async () => ({ status: 200, body: { status: 'ok', agencies: Object.keys(supergraph.agencies) } }) },
    context: async (req: IncomingMessage): Promise<GatewayContext> => {
      const requestId = randomUUID();
      return { requestId, facts: createChildFactsLoader(factsClient, async () => ({ 'x-request-id': requestId })) };
    },
  });
  logger.info({ url: served.url, agencies: supergraph.agencies }, 'gateway ready');
  return {
    url: served.url,
    close: async () => {
      await served.close();
      await server.stop();
      await Promise.all([factsClient.close(), ...sources.map((s) => s.close())]);
    },
  };
}
