import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/resolverMap.js';
import type { DocumentNode } from 'graphql';
import { serveGraphQL, type Logger, type Route } from '@macpt/kit';

/** What every agency subgraph's resolvers receive. */
export interface SubgraphContext<TLoaders> {
  loaders: TLoaders;
  requestId: string;
}

/** Everything that makes one agency's subgraph; each agency's `app.ts` fills this in. */
export interface SubgraphDefinition<TLoaders> {
  agency: string;
  typeDefs: DocumentNode;
  resolvers: GraphQLResolverMap<SubgraphContext<TLoaders>>;
  /** Fresh DataLoaders for one request, so nothing is cached across users. */
  createLoaders: () => TLoaders;
  /** The facts the gateway needs about children before it applies policy (`POST /facts`). */
  facts: (nhsNumbers: readonly string[]) => unknown[];
}

/** Builds the Apollo Server of a subgraph (no network), for `executeOperation` tests and for serving. */
export function createSubgraphServer<TLoaders>(definition: SubgraphDefinition<TLoaders>): ApolloServer<SubgraphContext<TLoaders>> {
  return new ApolloServer<SubgraphContext<TLoaders>>({
    schema: buildSubgraphSchema([{ typeDefs: definition.typeDefs, resolvers: definition.resolvers }]),
    includeStacktraceInErrorResponses: false,
    // No Apollo usage reporting here, so federated traces would only cost time on every fetch.
    plugins: [ApolloServerPluginInlineTraceDisabled()],
  });
}

/** Starts a subgraph on a port: GraphQL at `/graphql`, `POST /facts`, `GET /health`. */
export async function startSubgraph<TLoaders>(
  definition: SubgraphDefinition<TLoaders>,
  options: { port: number; host?: string; logger: Logger },
): Promise<{ url: string; close: () => Promise<void> }> {
  const apollo = createSubgraphServer(definition);
  await apollo.start();
  const facts: Route = async (_req, body) => {
    const nhsNumbers = (body as { nhsNumbers?: unknown } | undefined)?.nhsNumbers;
    if (!Array.isArray(nhsNumbers) || !nhsNumbers.every((n) => typeof n === 'string')) {
      return { status: 400, body: { error: 'expected a JSON body {"nhsNumbers": ["..."]}' } };
    }
    return { status: 200, body: { agency: definition.agency, facts: definition.facts(nhsNumbers as string[]) } };
  };
  const health: Route = async () => ({ status: 200, body: { status: 'ok', agency: definition.agency } });
  const served = await serveGraphQL({
    server: apollo,
    port: options.port,
    ...(options.host ? { host: options.host } : {}),
    routes: { '/facts': facts, '/health': health },
    context: async (req: IncomingMessage) => ({
      loaders: definition.createLoaders(),
      requestId: String(req.headers['x-request-id'] ?? randomUUID()),
    }),
  });
  options.logger.info({ url: served.url }, `${definition.agency} subgraph ready`);
  return {
    url: served.url,
    close: async () => {
      await served.close();
      await apollo.stop();
    },
  };
}
