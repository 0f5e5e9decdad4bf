import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { ApolloGateway, LocalGraphQLDataSource } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { codedError, createLogger, serveGraphQL, type Logger } from '@macpt/kit';
import { PolicyEngine } from '@macpt/policies';
import { AUDIT_FIELDS, auditSchema } from './audit/schema.js';
import { downloadRoutes } from './audit/routes.js';
import { createAuthenticator, type IssuerConfig } from './auth/authenticate.js';
import { DEFAULT_AUDIENCE, DEV_ISSUER, devIssuerKeys } from './auth/dev-issuer.js';
import type { GatewayConfig } from './config.js';
import type { GatewayContext } from './context.js';
import { AgencyDataSource } from './datasources/agency-data-source.js';
import { DIRECTORY_FIELDS, directorySchema } from './directory/schema.js';
import { draft } from './disclosure/build.js';
import { GroupCommitter } from './disclosure/group-commit.js';
import type { Outcome } from './disclosure/record.js';
import { openDisclosureStore } from './disclosure/open.js';
import { FactsClient } from './facts/facts-client.js';
import { CircuitBreaker } from './datasources/circuit-breaker.js';
import { createPreflight } from './limits/preflight.js';
import { MemoryRateLimiter, RedisRateLimiter } from './limits/rate-limit.js';
import { readManifest } from './limits/trusted-documents.js';
import { disclosureLogPlugin, requestFacts } from './plugins/disclosure-log.js';
import { createFormatError } from './plugins/format-error.js';
import { GovernedGateway } from './policy/governed-gateway.js';
import { requestContextFactory, type Refusal } from './request-context.js';
import { agencyRequestSigner, createSigner } from './signing.js';
import { loadSupergraph } from './supergraph/load.js';
import { AUDIT_SUBGRAPH, DIRECTORY_SUBGRAPH } from './supergraph/subgraphs.js';

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

const REFUSAL_OUTCOME: Record<string, Outcome> = { UNAUTHENTICATED: 'UNAUTHENTICATED', RATE_LIMITED: 'RATE_LIMITED', BREAK_GLASS_NOT_PERMITTED: 'BREAK_GLASS_REFUSED' };

/** Builds and starts the gateway: Apollo Gateway over the static supergraph, inside Apollo Server, governed by the policies and logged. */
export async function startGateway(config: GatewayConfig, logger: Logger = createLogger('gateway')): Promise<RunningGateway> {
  const supergraph = loadSupergraph(config.SUPERGRAPH_FILE, config.urlOverrides);
  const engine = new PolicyEngine();
  const authenticate = createAuthenticator(await issuerConfig(config));
  const sign = await createSigner(config);
  const store = openDisclosureStore(config);
  const committer = new GroupCommitter(store, config.DISCLOSURE_LOG_DEADLINE_MS);
  const baseUrl = config.PUBLIC_URL ?? `http://${config.HOST}:${config.PORT}`;
  const rateLimits = { requestsPerMinute: config.RATE_LIMIT_REQUESTS_PER_MINUTE, childrenPerHour: config.RATE_LIMIT_CHILDREN_PER_HOUR };
  const rateLimiter = config.REDIS_URL ? new RedisRateLimiter(config.REDIS_URL, rateLimits) : new MemoryRateLimiter(rateLimits);
  const breakers = Object.fromEntries(Object.keys(supergraph.agencies).map((a) => [a, new CircuitBreaker(a, config.CIRCUIT_BREAKER_FAILURES, config.CIRCUIT_BREAKER_OPEN_MS)]));
  const timeoutOf = (agency: string) => config.timeoutOverrides[agency] ?? config.SUBGRAPH_TIMEOUT_MS;

  const governed = config.POLICY_ENFORCEMENT === 'on';
  if (!governed || config.DISCLOSURE_LOG === 'off') logger.warn({ policy: config.POLICY_ENFORCEMENT, log: config.DISCLOSURE_LOG }, 'benchmark mode: protections switched off');
  const sources: AgencyDataSource[] = [];
  const inner = new ApolloGateway({
    supergraphSdl: supergraph.sdl,
    logger,
    buildService: ({ name, url }) => {
      if (name === DIRECTORY_SUBGRAPH) return new LocalGraphQLDataSource(directorySchema(engine, { open: !governed }));
      if (name === AUDIT_SUBGRAPH) {
        return new LocalGraphQLDataSource(auditSchema({
          store,
          baseUrl,
          appendReview: (ctx, review) => committer.append(draft('BREAK_GLASS_REVIEW', requestFacts(ctx, 'reviewBreakGlass', null), 'REVIEWED', { review })),
        }));
      }
      const source = new AgencyDataSource({ name, url: supergraph.agencies[name] ?? url!, timeoutMs: timeoutOf(name), ...(governed ? { signRequest: agencyRequestSigner(sign) } : {}), ...(breakers[name] ? { breaker: breakers[name] } : {}) });
      sources.push(source);
      return source;
    },
  });
  // The gateway's own fields carry no agency data, except keys it shares with an agency (a case's id): those are decided by policy.
  const gatewayFields = new Set([...DIRECTORY_FIELDS, ...AUDIT_FIELDS].filter((c) => [undefined, 'shared'].includes(engine.fieldRule(c)?.agency)));
  const gateway = governed ? new GovernedGateway(inner, engine, gatewayFields, engine.childLinks(), logger) : inner;
  const factsClient = new FactsClient(supergraph.agencies, timeoutOf, breakers);
  const server = new ApolloServer<GatewayContext>({
    gateway,
    formatError: createFormatError(logger),
    includeStacktraceInErrorResponses: false,
    // The gateway drains on SIGTERM itself (main.ts): Apollo's own handler would stop the server and
    // re-raise the signal while requests are still in flight.
    stopOnTerminationSignals: false,
    introspection: config.NODE_ENV !== 'production',
    // No "Did you mean …?" hints in production: they map the schema for an attacker.
    hideSchemaDetailsFromClientErrors: config.NODE_ENV === 'production',
    plugins: config.DISCLOSURE_LOG === 'on' ? [disclosureLogPlugin(committer, engine, logger)] : [],
  });
  await server.start();

  // Refused requests are recorded too; a refusal carries no child data, so its record is best-effort.
  const onRefused = async (r: Refusal) => {
    const facts = { requestId: r.requestId, user: r.user, purpose: r.purpose, justification: null, breakGlass: false, operationName: null, operationHash: null, clientName: r.clientName };
    await committer.append(draft('REFUSAL', facts, REFUSAL_OUTCOME[r.code] ?? 'BAD_REQUEST', { reason: r.code })).catch((e: Error) => logger.warn({ err: e.message }, 'refusal not recorded'));
  };
  const context = requestContextFactory({ authenticate, sign, factsClient, onRefused, rateLimiter, flaggingAgencies: engine.locationFlaggingAgencies(), caseAgency: engine.caseAgency(), requestDeadlineMs: config.REQUEST_DEADLINE_MS ?? Math.max(config.SUBGRAPH_TIMEOUT_MS, ...Object.values(config.timeoutOverrides)) });
  const preflight = createPreflight({
    limits: { maxDocumentBytes: config.MAX_DOCUMENT_BYTES, maxTokens: config.MAX_TOKENS, maxDepth: config.MAX_DEPTH, maxAliases: config.MAX_ALIASES, maxRootFields: config.MAX_ROOT_FIELDS },
    manifest: readManifest(config.TRUSTED_DOCUMENTS_FILE),
    mode: config.trustedDocuments,
    logger,
    identify: (authorization) => authenticate(authorization),
    onRefused,
  });
  const served = await serveGraphQL({
    server,
    port: config.PORT,
    host: config.HOST,
    maxHeaderBytes: 32 * 1024,
    preflight,
    onRefusedEarly: async ({ code, req }) => {
      const requestId = randomUUID();
      const user = req ? await authenticate(req.headers.authorization).catch(() => null) : null;
      await onRefused({ requestId, code, user, purpose: null, clientName: null });
      return requestId;
    },
    routes: {
      '/health': async () => ({ status: 200, body: { status: 'ok', agencies: Object.keys(supergraph.agencies), rssBytes: process.memoryUsage().rss } }),
      '/health/ready': async () => {
        const ready = await store.ready();
        const problem = store.problem?.() ?? null;
        return { status: ready ? 200 : 503, body: { ready, disclosureLog: store.kind, ...(problem ? { problem } : {}) } };
      },
      ...downloadRoutes({
        store,
        authenticate: (req: IncomingMessage) => context(req),
        recordDownload: async (ctx, query) => {
          await committer.append(draft('IG_QUERY', requestFacts(ctx, query.operation as string, null), 'DISCLOSED', { query })).catch(() => {
            throw codedError('DISCLOSURE_LOG_UNAVAILABLE', 'The disclosure record could not be written, so the report was not sent.');
          });
        },
      }),
    },
    context,
  });
  const problem = store.problem?.();
  if (problem) logger.error({ problem }, 'the disclosure log disagrees with its head: nothing will be appended and no child data served until `npm run -s audit:recover -- --reason "..."` is run');
  logger.info({ url: served.url, agencies: supergraph.agencies, disclosureLog: store.kind, durability: await store.durability() }, problem ? 'gateway up, NOT ready' : 'gateway ready');
  return {
    url: served.url,
    close: async () => {
      await served.close(config.SHUTDOWN_GRACE_MS);
      await server.stop();
      await committer.drain();
      await Promise.all([factsClient.close(), store.close(), rateLimiter.close(), ...sources.map((s) => s.close())]);
    },
  };
}
