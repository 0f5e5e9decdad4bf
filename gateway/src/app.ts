import { GraphQLError } from 'graphql';
import { join } from 'node:path';
import { ApolloServer } from '@apollo/server';
import { createLogger, metricsRoute, processMetrics, serveGraphQL, type Logger } from '@macpt/kit';
import { loadNotificationRules, PolicyEngine } from '@macpt/policies';
import { AUDIT_FIELDS } from './audit/schema.js';
import { createAuthenticator, type IssuerConfig } from './auth/authenticate.js';
import { DEFAULT_AUDIENCE, DEV_ISSUER, devIssuerKeys } from './auth/dev-issuer.js';
import type { GatewayConfig } from './config.js';
import type { GatewayContext } from './context.js';
import { CircuitBreaker } from './datasources/circuit-breaker.js';
import { DIRECTORY_FIELDS } from './directory/schema.js';
import {
  breakGlassReviewed,
  actionRecord,
  chargeOf,
  igAction,
  notificationTold,
  schemaChange,
  sharingDecisionStep,
  streamOpened,
  webhookDelivered,
} from './disclosure/drafts.js';
import { GroupCommitter } from './disclosure/group-commit.js';
import type { RecordDraft } from './disclosure/record.js';
import { startMoving } from './disclosure/move-loop.js';
import { openDisclosureLog } from './disclosure/open.js';
import { FactsClient } from './facts/facts-client.js';
import { KnownOverLimit, RateLimitedError } from './limits/rate-limit.js';
import { readManifest } from './limits/trusted-documents.js';
import {
  createPipeline,
  identifier,
  logUnavailable,
  refusalRecorder,
  useDisclosureLog,
  useFacts,
  useIdentify,
  useMaskErrors,
  usePolicy,
  usePreflight,
  useRateLimit,
  type Stage,
} from './pipeline/index.js';
import { rateLimited } from './pipeline/rate-limit.js';
import { consoleSignIn, consoleSite, signInRoutes } from './console.js';
import { gatewayRoutes } from './routes.js';
import { createSigner, factsHeaders } from './signing.js';
import type { ChildFacts } from './facts/child-facts.js';
import { FactsCache } from './facts/facts-cache.js';
import { FactsWatch } from './facts/facts-watch.js';
import { federatedGateway } from './supergraph/federation.js';
import { gatewayMetrics } from './metrics.js';
import { supergraphFromSdl } from './supergraph/load.js';
import { deploymentSubgraphs, openRegistryStore } from './registry/open.js';
import { registryRoutes } from './registry/routes.js';
import { FileInboxStore } from './notifications/file-inbox.js';
import { RedisInboxStore } from './notifications/redis-inbox.js';
import { startSweeping } from './notifications/sweeping.js';
import { routerFacts } from './notifications/facts.js';
import { NotificationRouter } from './notifications/router.js';
import { notificationRoutes } from './notifications/routes.js';
import { notificationStream } from './notifications/stream.js';
import { startWebhooks } from './notifications/webhooks.js';
import { NOTIFICATION_FIELDS } from './notifications/schema.js';
import { decisionsClient } from './sharing/agency-client.js';
import { signedAgencyCall } from './datasources/signed-call.js';
import { SHARING_FIELDS } from './sharing/schema.js';
import { CHRONOLOGY_FIELDS } from './chronology/schema.js';
import { FIGURES_FIELDS } from './figures/schema.js';
import { figuresRoutes } from './figures/routes.js';
import { Composer } from './registry/composer.js';
import { SchemaRegistry } from './registry/service.js';
import { hashOf, type Served, watchRegistry } from './registry/watch.js';

export type { GatewayConfig } from './config.js';
export { gatewayConfig } from './config.js';
export { DEV_ISSUER, signDevToken } from './auth/dev-issuer.js';

/** A running gateway. */
export interface RunningGateway {
  url: string;
  close: () => Promise<void>;
}

async function issuerConfig(config: GatewayConfig): Promise<IssuerConfig> {
  if (config.OIDC_ISSUER && config.OIDC_JWKS_URL)
    return { issuer: config.OIDC_ISSUER, audience: config.OIDC_AUDIENCE, jwks: { url: config.OIDC_JWKS_URL } };
  const { publicJwk } = await devIssuerKeys(config.DATA_DIR);
  return { issuer: DEV_ISSUER, audience: config.OIDC_AUDIENCE ?? DEFAULT_AUDIENCE, jwks: { keys: [publicJwk] } };
}

/** Builds and starts the gateway: Apollo Gateway over the static supergraph, inside Apollo Server, with the request pipeline around it. */
export async function startGateway(
  config: GatewayConfig,
  logger: Logger = createLogger('gateway'),
): Promise<RunningGateway> {
  // What is in force: each agency's latest publication in the registry (its bundled subgraph until it publishes).
  const registryStore = openRegistryStore(config);
  // The users' rate limits are charged by the log's own append (one write per batch: issue #27).
  const rateLimits = {
    requestsPerMinute: config.RATE_LIMIT_REQUESTS_PER_MINUTE,
    childrenPerHour: config.RATE_LIMIT_CHILDREN_PER_HOUR,
  };
  const { store, mover } = await openDisclosureLog(
    config,
    {
      segmentRecords: config.DISCLOSURE_LOG_SEGMENT_RECORDS,
      sealAfterMs: config.DISCLOSURE_LOG_SEAL_MS,
      hotRecords: config.DISCLOSURE_LOG_HOT_RECORDS,
    },
    undefined,
    rateLimits,
  );
  store.claim?.();
  const moving = startMoving(mover, config.DISCLOSURE_LOG_MOVE_MS, logger);
  const knownOverLimit = new KnownOverLimit(rateLimits);
  const committer = new GroupCommitter(store, config.DISCLOSURE_LOG_DEADLINE_MS, undefined, undefined, knownOverLimit);
  const composer = new Composer();
  const registry = new SchemaRegistry({
    store: registryStore,
    composer,
    ...deploymentSubgraphs(),
    keysDir: config.PUBLISH_KEYS_DIR ?? join(config.DATA_DIR, 'keys'),
    record: (d) => committer.append(d),
    onForged: (p) =>
      logger.error(
        { publication: p.id, agency: p.agency },
        'a publication in the registry is not signed by its agency: it is ignored',
      ),
    draft: schemaChange,
  });
  const registryState = await registry.state().catch((error: Error) => {
    throw new Error(`The schema registry (${registryStore.kind}) could not be read: ${error.message}`);
  });
  const inForce = await registry.composeInForce(registryState);
  if ('errors' in inForce)
    throw new Error(`The subgraphs in force do not compose:\n  - ${inForce.errors.join('\n  - ')}`);
  const supergraph = supergraphFromSdl(inForce.supergraphSdl, config.urlOverrides);
  const inService: Served = {
    supergraphHash: hashOf(inForce.supergraphSdl),
    loadedAt: new Date().toISOString(),
    registryLength: registryState.length,
  };
  const engine = new PolicyEngine(registry.inForce(registryState).map((a) => a.policy));
  const sign = await createSigner(config);
  // The agencies' facts about children, kept for FACTS_MAX_AGE_MS; all dropped when any agency fails.
  const factsCache = new FactsCache<ChildFacts>(config.FACTS_MAX_AGE_MS);
  const breakers = Object.fromEntries(
    Object.keys(supergraph.agencies).map((a) => [
      a,
      new CircuitBreaker(a, config.CIRCUIT_BREAKER_FAILURES, config.CIRCUIT_BREAKER_OPEN_MS, () =>
        factsCache.forgetAll('agency-failed'),
      ),
    ]),
  );
  const registryOfMetrics = processMetrics('gateway');
  const manifest = readManifest(config.TRUSTED_DOCUMENTS_FILE);
  const metrics = gatewayMetrics({
    registry: registryOfMetrics,
    breakers,
    operations: new Set(Object.values(manifest).map((m) => m.name)),
  });
  metrics.instrument(committer);
  const timeoutOf = (agency: string) => config.timeoutOverrides[agency] ?? config.SUBGRAPH_TIMEOUT_MS;
  const factsClient = new FactsClient(supergraph.agencies, timeoutOf, breakers);
  // Kept facts are served only while every agency's change feed vouches for them (FACTS_MAX_STALENESS_MS).
  const factsWatch = factsCache.enabled
    ? new FactsWatch({
        client: factsClient,
        headersFor: (agency, body) => factsHeaders(sign)(agency, [`facts-watch-${agency}`], body),
        cache: factsCache,
        maxStalenessMs: config.FACTS_MAX_STALENESS_MS,
        logger,
      }).start()
    : null;
  if (factsWatch) {
    factsCache.watchedBy(() => factsWatch.fresh());
    metrics.watchFeeds(() => factsWatch.ages());
    metrics.keptFacts(() => factsCache.counts());
  }
  factsCache.mergedUnder(() => engine.generation);
  // The agencies' own routes beyond GraphQL (decisions not to share, figures), called as the user.
  const agencyCall = signedAgencyCall({ sign, urlOf: (a) => supergraph.agencies[a], timeoutMs: timeoutOf });
  const inboxOptions = {
    retentionMs: config.NOTIFICATION_ITEM_RETENTION_MS,
    webhooks: config.NOTIFICATION_WEBHOOKS ?? [],
  };
  const inbox = config.REDIS_URL
    ? new RedisInboxStore(config.REDIS_URL, inboxOptions)
    : new FileInboxStore(join(config.DATA_DIR, 'notifications', 'inbox.jsonl'), inboxOptions);
  const sweeping = startSweeping(inbox, logger);
  const figures = { store, inbox, call: agencyCall, agencies: () => Object.keys(supergraph.agencies) };
  const governed = config.POLICY_ENFORCEMENT === 'on';
  const logged = config.DISCLOSURE_LOG === 'on';
  if (!governed || !logged)
    logger.warn(
      { policy: config.POLICY_ENFORCEMENT, log: config.DISCLOSURE_LOG },
      'benchmark mode: protections switched off',
    );

  // The gateway's own fields carry no agency data, except keys it shares with an agency (a case's id): those are decided by policy.
  const exempt = new Set(
    [
      ...DIRECTORY_FIELDS,
      ...AUDIT_FIELDS,
      ...NOTIFICATION_FIELDS,
      ...SHARING_FIELDS,
      ...FIGURES_FIELDS,
      ...CHRONOLOGY_FIELDS,
    ].filter((c) => [undefined, 'shared'].includes(engine.fieldRule(c)?.agency)),
  );
  // The request pipeline, in the order a request meets it.
  const stages: Stage[] = [
    usePreflight({
      limits: {
        maxDocumentBytes: config.MAX_DOCUMENT_BYTES,
        maxTokens: config.MAX_TOKENS,
        maxDepth: config.MAX_DEPTH,
        maxAliases: config.MAX_ALIASES,
        maxRootFields: config.MAX_ROOT_FIELDS,
      },
      manifest,
      mode: config.trustedDocuments,
      logger,
    }),
    ...(governed ? [usePolicy({ engine, exempt, logger })] : []),
    ...(logged ? [useDisclosureLog(committer, engine, logger)] : []),
    useMaskErrors(logger),
    metrics.stage(),
  ];
  const pipeline = createPipeline(stages, {
    identify: identifier(createAuthenticator(await issuerConfig(config))),
    context: {
      identify: useIdentify(),
      limit: useRateLimit(knownOverLimit),
      facts: useFacts({
        sign,
        client: factsClient,
        factOwners: () => engine.factOwners(),
        caseAgency: () => engine.caseAgency(),
        cache: factsCache,
      }),
    },
    record: refusalRecorder(committer, logger),
    requestDeadlineMs:
      config.REQUEST_DEADLINE_MS ?? Math.max(config.SUBGRAPH_TIMEOUT_MS, ...Object.values(config.timeoutOverrides)),
  });

  const notificationRules = loadNotificationRules();
  const notifications = new NotificationRouter({
    rules: notificationRules,
    inbox,
    keysDir: config.PUBLISH_KEYS_DIR ?? join(config.DATA_DIR, 'keys'),
    facts: routerFacts(sign, factsClient, () => engine.factOwners()),
    engine,
    record: (d) => committer.append(d),
    draft: notificationTold,
    logger,
  });
  const webhooks = config.NOTIFICATION_WEBHOOKS
    ? startWebhooks({
        webhooks: config.NOTIFICATION_WEBHOOKS,
        inbox,
        toldNow: (item) => notifications.toldToAddressNow(item),
        record: (d) => committer.append(d),
        draft: webhookDelivered,
        logger,
      })
    : null;
  /** A record a resolver writes itself, before it acts: charged to the user's limits like any request's. */
  const recordOf = (ctx: GatewayContext, record: RecordDraft) =>
    committer.append(record, chargeOf(ctx)).catch((error: unknown) => {
      throw error instanceof RateLimitedError ? rateLimited(error.refusal) : error;
    });
  /** The same, for a request that acts: 429 past a limit, 503 when the log cannot be written; nothing is done either way. */
  const recordBeforeActing = async (ctx: GatewayContext, record: RecordDraft) => {
    await recordOf(ctx, record).catch((error: unknown) => {
      throw error instanceof GraphQLError ? error : logUnavailable();
    });
    ctx.recorded = true;
  };
  let updateSupergraph: ((sdl: string) => void) | undefined;
  const { gateway, sources } = federatedGateway({
    supergraph,
    notifications: {
      inbox,
      router: notifications,
      engine,
      rules: notificationRules,
      recordBeforeActing: (ctx, operation) => recordBeforeActing(ctx, actionRecord(ctx, operation, engine)),
    },
    onUpdatable: (update) => {
      updateSupergraph = update;
    },
    engine,
    sharing: {
      engine,
      ask: decisionsClient(agencyCall),
      record: (ctx, outcome, step, reason, options) => {
        const record = sharingDecisionStep(ctx, outcome, step, reason);
        return options?.uncharged ? committer.append(record) : recordOf(ctx, record);
      },
    },
    figures,
    sign: governed ? sign : null,
    breakers,
    timeoutOf,
    logger,
    audit: {
      store,
      archive: store.archive,
      baseUrl: config.PUBLIC_URL ?? `http://${config.HOST}:${config.PORT}`,
      registry,
      appendReview: (ctx, review) => recordOf(ctx, breakGlassReviewed(ctx, review)),
      appendAction: (ctx, operation, query) => recordOf(ctx, igAction(ctx, operation, query)),
    },
  });
  const server = new ApolloServer<GatewayContext>({
    gateway: pipeline.wrapGateway(gateway),
    formatError: pipeline.formatError,
    plugins: pipeline.plugins,
    includeStacktraceInErrorResponses: false,
    // The gateway drains on SIGTERM itself (main.ts): Apollo's own handler would stop the server and
    // re-raise the signal while requests are still in flight.
    stopOnTerminationSignals: false,
    introspection: config.NODE_ENV !== 'production',
    // No "Did you mean …?" hints in production: they map the schema for an attacker.
    hideSchemaDetailsFromClientErrors: config.NODE_ENV === 'production',
  });
  await server.start();
  const signIn = consoleSignIn(config);
  const site = consoleSite(config.CONSOLE_DIR, signIn);
  const served = await serveGraphQL({
    server,
    port: config.PORT,
    host: config.HOST,
    maxHeaderBytes: 32 * 1024,
    preflight: pipeline.preflight,
    onRefused: pipeline.refused,
    context: pipeline.context,
    routes: {
      ...gatewayRoutes({
        agencies: Object.keys(supergraph.agencies),
        store,
        committer,
        context: pipeline.context,
        inService,
      }),
      ...registryRoutes(registry),
      ...figuresRoutes({ ...figures, context: pipeline.context, append: (r, c) => committer.append(r, c) }),
      ...metricsRoute(registryOfMetrics),
      ...notificationRoutes(notifications),
      ...signInRoutes(signIn, config.DATA_DIR),
    },
    streams: notificationStream({
      inbox,
      router: notifications,
      context: pipeline.context,
      recordOpening: (ctx) => recordBeforeActing(ctx, streamOpened(ctx)),
    }),
    ...(site ? { site } : {}),
  });
  const watcher = watchRegistry({
    registry,
    store: registryStore,
    engine,
    served: inService,
    update: () => updateSupergraph,
    intervalMs: config.REGISTRY_POLL_MS,
    logger,
  });
  const problem = store.problem?.();
  if (problem)
    logger.error(
      { problem },
      'the disclosure log disagrees with its head: nothing will be appended and no child data served until `npm run -s audit:recover -- --reason "..."` is run',
    );
  logger.info(
    {
      url: served.url,
      console: site ? served.url.replace(/graphql$/, '') : 'not built',
      agencies: supergraph.agencies,
      supergraphHash: inService.supergraphHash,
      registry: registryStore.kind,
      disclosureLog: store.kind,
      durability: await store.durability(),
      stages: stages.map((s) => s.name),
    },
    problem ? 'gateway up, NOT ready' : 'gateway ready',
  );
  return {
    url: served.url,
    close: async () => {
      watcher.stop();
      await webhooks?.stop();
      sweeping.stop();
      await served.close(config.SHUTDOWN_GRACE_MS);
      await server.stop();
      await committer.drain();
      await moving.stop();
      await factsWatch?.stop();
      await Promise.all([
        factsClient.close(),
        store.close(),
        registryStore.close(),
        inbox.close(),
        composer.close(),
        ...sources.map((s) => s.close()),
      ]);
    },
  };
}
