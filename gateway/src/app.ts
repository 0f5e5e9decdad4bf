import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { ApolloGateway, LocalGraphQLDataSource } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import type { GatewayGraphQLRequest } from '@apollo/server-gateway-interface';
import { createLogger, ensureKeyPair, importKey, INTERNAL_CONTEXT_HEADER, serveGraphQL, signInternalContext, type InternalContext, type Logger } from '@macpt/kit';
import { childAttributes, PolicyEngine, type ChildAttributes } from '@macpt/policies';
import { join } from 'node:path';
import { createAuthenticator, type IssuerConfig } from './auth/authenticate.js';
import { DEFAULT_AUDIENCE, DEV_ISSUER, devIssuerKeys } from './auth/dev-issuer.js';
import { statedPurpose } from './auth/purpose.js';
import type { GatewayConfig } from './config.js';
import type { GatewayContext } from './context.js';
import { AgencyDataSource } from './datasources/agency-data-source.js';
import { DIRECTORY_FIELDS, directorySchema } from './directory/schema.js';
import { createChildFactsLoader } from './facts/child-facts.js';
import { FactsClient } from './facts/facts-client.js';
import { createFormatError } from './plugins/format-error.js';
import { GovernedGateway } from './policy/governed-gateway.js';
import { loadSupergraph } from './supergraph/load.js';
import { DIRECTORY_SUBGRAPH } from './supergraph/subgraphs.js';

export type { GatewayConfig } from './config.js';
export { gatewayConfig } from './config.js';
export { DEV_ISSUER, signDevToken } from './auth/dev-issuer.js';

/** A running gateway. */
export interface RunningGateway {
  url: string;
  close: () => Promise<void>;
}

async function issuerConfig(config: GatewayConfig): Promise<IssuerConfig> {
  if (config.OIDC_ISSUER && config.OIDC_JWKS_URL) return { issuer: config.OIDC_ISSUER, audience: config.OIDC_AUDIENCE, jwks: { url: config.OIDC_JWKS_URL } };
  const { publicJwk } = await devIssuerKeys(config.DATA_DIR);
  return { issuer: DEV_ISSUER, audience: config.OIDC_AUDIENCE ?? DEFAULT_AUDIENCE, jwks: { keys: [publicJwk] } };
}

/** Signs the internal context each agency request carries: who, why, and the facts of the children it names. */
async function createSigner(config: GatewayConfig) {
  const pair = config.INTERNAL_CONTEXT_PRIVATE_JWK
    ? { privateJwk: JSON.parse(config.INTERNAL_CONTEXT_PRIVATE_JWK), kid: JSON.parse(config.INTERNAL_CONTEXT_PRIVATE_JWK).kid ?? 'internal-context' }
    : await ensureKeyPair(join(config.DATA_DIR, 'keys'), 'internal-context');
  const key = await importKey(pair.privateJwk);
  return (agency: string, context: InternalContext) => signInternalContext(key, pair.kid, agency, context);
}

/** Builds and starts the gateway: Apollo Gateway over the static supergraph, inside Apollo Server, governed by the policies. */
export async function startGateway(config: GatewayConfig, logger: Logger = createLogger('gateway')): Promise<RunningGateway> {
  const supergraph = loadSupergraph(config.SUPERGRAPH_FILE, config.urlOverrides);
  const engine = new PolicyEngine();
  const authenticate = createAuthenticator(await issuerConfig(config));
  const sign = await createSigner(config);

  const signAgencyRequest = async (agency: string, ctx: GatewayContext, request: GatewayGraphQLRequest) => {
    const representations = (request.variables?.representations ?? []) as { __typename?: string; nhsNumber?: string }[];
    const nhsNumbers = representations.filter((r) => r.__typename === 'Child' && typeof r.nhsNumber === 'string').map((r) => r.nhsNumber as string);
    const facts = await ctx.facts.loadMany(nhsNumbers);
    const children = new Map<string, ChildAttributes>();
    nhsNumbers.forEach((n, i) => {
      const f = facts[i];
      if (f && !(f instanceof Error)) children.set(n, childAttributes(ctx.user, ctx.purpose, f));
    });
    const { name: _name, ...user } = ctx.user;
    return { [INTERNAL_CONTEXT_HEADER]: await sign(agency, { requestId: ctx.requestId, user, purpose: ctx.purpose, breakGlass: ctx.breakGlass, children }) };
  };

  const sources: AgencyDataSource[] = [];
  const inner = new ApolloGateway({
    supergraphSdl: supergraph.sdl,
    logger,
    buildService: ({ name, url }) => {
      if (name === DIRECTORY_SUBGRAPH) return new LocalGraphQLDataSource(directorySchema(engine));
      const source = new AgencyDataSource({ name, url: supergraph.agencies[name] ?? url!, timeoutMs: config.SUBGRAPH_TIMEOUT_MS, signRequest: signAgencyRequest });
      sources.push(source);
      return source;
    },
  });
  const gateway = new GovernedGateway(inner, engine, DIRECTORY_FIELDS, engine.childLinks(), logger);
  const factsClient = new FactsClient(supergraph.agencies, config.SUBGRAPH_TIMEOUT_MS);
  const server = new ApolloServer<GatewayContext>({
    gateway,
    formatError: createFormatError(logger),
    includeStacktraceInErrorResponses: false,
    introspection: config.NODE_ENV !== 'production',
  });
  await server.start();

  const context = async (req: IncomingMessage): Promise<GatewayContext> => {
    const user = await authenticate(req.headers.authorization);
    const stated = statedPurpose(req, user);
    const requestId = randomUUID();
    const serviceContext = (agency: string) => sign(agency, { requestId, user: null, purpose: null, breakGlass: false, children: new Map() });
    const clientName = req.headers['apollographql-client-name'];
    return {
      requestId,
      user,
      ...stated,
      clientName: typeof clientName === 'string' ? clientName.slice(0, 100) : null,
      facts: createChildFactsLoader(factsClient, async (agency) => ({ [INTERNAL_CONTEXT_HEADER]: await serviceContext(agency), 'x-request-id': requestId })),
    };
  };
  const served = await serveGraphQL({
    server,
    port: config.PORT,
    host: config.HOST,
    maxHeaderBytes: 32 * 1024,
    routes: { '/health': async () => ({ status: 200, body: { status: 'ok', agencies: Object.keys(supergraph.agencies) } }) },
    context,
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
