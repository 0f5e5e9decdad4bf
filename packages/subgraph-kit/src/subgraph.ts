import type { IncomingMessage } from 'node:http';
import { ApolloServer } from '@apollo/server';
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginInlineTraceDisabled,
  ApolloServerPluginLandingPageDisabled,
} from '@apollo/server/plugin/disabled';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/resolverMap.js';
import type { DocumentNode } from 'graphql';
import { codedError, serveGraphQL, type Logger, type Route } from '@macpt/kit';
import {
  INTERNAL_CONTEXT_HEADER,
  parseChangesRequest,
  parseFactsRequest,
  type AgencyFacts,
  type CaseFact,
  type CaseQuery,
  type FactsResponse,
  type FigureTableSpec,
  type FiguresRequest,
  parseFiguresRequest,
  type WeekCounts,
  type InternalContext,
} from '@macpt/contract';
import { figuresRefusal, PolicyEngine } from '@macpt/policies';
import { callerVerifier } from './caller.js';
import { decisionFact, type DecisionBook } from './decisions.js';
import { decisionsRoute } from './decisions-route.js';
import { answerChanges, type FactChanges } from './fact-changes.js';
import { guardSchema, type GuardContext } from './guard.js';

/** What every agency subgraph's resolvers receive. */
export interface SubgraphContext<TLoaders> extends GuardContext {
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
  facts: (nhsNumbers: readonly string[]) => AgencyFacts[];
  /**
   * The children this agency holds living at these households (UPRNs): how a decision that reaches a whole
   * household finds them. The agency's decision book keeps who lives at the households decided about, read
   * again when its store changes; without it, each call reads its children's facts.
   */
  residents?: (uprns: readonly string[]) => { nhsNumber: string; uprn: string }[];
  /** Of these households (UPRNs), those this agency has flagged confidential; absent when it flags none. */
  flaggedHouseholds?: (uprns: readonly string[]) => string[];
  /** The cases asked about, for the agency that runs MACPT cases: the gateway decides who may open them. */
  cases?: (query: CaseQuery) => CaseFact[];
  /** This agency's weekly counts for an LA's partnership figures (counts only), if it contributes any. */
  figures?: (query: FiguresRequest) => WeekCounts[];
  /** The tables those counts fill, declared by the agency (title, rows), where the gateway does not know them. */
  figureTables?: FigureTableSpec[];
}

/** The one policy engine of this process: policies compiled once, abilities cached per (role, agency, purpose). */
export const policyEngine = new PolicyEngine();

/** Builds the Apollo Server of a subgraph, its every field guarded by the agency's policy. */
export function createSubgraphServer<TLoaders>(
  definition: SubgraphDefinition<TLoaders>,
  options: { guard?: boolean } = {},
): ApolloServer<SubgraphContext<TLoaders>> {
  const schema = buildSubgraphSchema([
    { typeDefs: definition.typeDefs, resolvers: definition.resolvers as GraphQLResolverMap<unknown> },
  ]);
  return new ApolloServer<SubgraphContext<TLoaders>>({
    schema: options.guard === false ? schema : guardSchema(schema, policyEngine),
    includeStacktraceInErrorResponses: false,
    // Only the gateway calls a subgraph: no usage reporting (so no federated traces), no HTTP cache
    // hints (the cache-control plugin would hook every field of every fetch), no landing page.
    plugins: [
      ApolloServerPluginInlineTraceDisabled(),
      ApolloServerPluginCacheControlDisabled(),
      ApolloServerPluginLandingPageDisabled(),
    ],
  });
}

/**
 * Where this agency has each child living (UPRN), from the asked children's own facts: for a decision book
 * that was not given the agency's residents. Read on first use: most requests meet no decision that reaches
 * a household, and never ask.
 */
function householdsOf<TLoaders>(
  definition: SubgraphDefinition<TLoaders>,
  nhsNumbers: readonly string[],
): (nhsNumber: string) => string | null {
  let uprns: Map<string, string | null> | null = null;
  return (nhsNumber) => {
    uprns ??= new Map(definition.facts(nhsNumbers).map((f) => [f.nhsNumber, f.uprn ?? null]));
    return uprns.get(nhsNumber) ?? null;
  };
}

/** The per-request context of a subgraph for a verified caller. */
export function subgraphContext<TLoaders>(
  definition: SubgraphDefinition<TLoaders>,
  caller: InternalContext,
  book?: DecisionBook,
): SubgraphContext<TLoaders> {
  // The agency's own decisions not to share come from its own store, never from the gateway's word:
  // read once per request for every child the request may touch (none for the agency's own staff).
  const asked = [...caller.children.keys()];
  const own =
    book && caller.user && caller.user.agency !== definition.agency && asked.length > 0
      ? book.scopes(asked, householdsOf(definition, asked))
      : null;
  return {
    loaders: definition.createLoaders(),
    requestId: caller.requestId,
    caller,
    // Only the gateway's signed facts decide: a child it did not vouch for is a child with no relationship.
    attributesOf: (nhsNumber) => {
      const attributes = caller.children.get(nhsNumber) ?? null;
      const decided = own?.get(nhsNumber);
      return attributes && decided ? { ...attributes, notShared: decided } : attributes;
    },
  };
}

const unauthenticated = (agency: string) =>
  codedError(
    'UNAUTHENTICATED',
    `The ${agency} subgraph answers only the gateway: a valid signed internal context (${INTERNAL_CONTEXT_HEADER}) is required.`,
    {},
    { refusesRequest: true },
  );

/** Starts a subgraph on a port: GraphQL at `/graphql`, `POST /facts`, `GET /health`; all but health need the gateway's signature. */
export async function startSubgraph<TLoaders>(
  definition: SubgraphDefinition<TLoaders>,
  options: {
    port: number;
    host?: string;
    logger: Logger;
    /** This agency's internal-context secret. */
    verifyKey: Uint8Array;
    /** Benchmarks only: no signed context, no field checks. */
    open?: boolean;
    /** More plain routes (e.g. `/metrics`). */
    routes?: Record<string, Route>;
    /** The agency's decisions not to share (from its own store): reported in `/facts`, enforced on every field. */
    decisions?: DecisionBook;
    /** The feed of changes to the facts it owns (`POST /facts/changes`), which the gateway follows. */
    changes?: FactChanges;
  },
): Promise<{ url: string; close: () => Promise<void> }> {
  const apollo = createSubgraphServer(definition, { guard: !options.open });
  if (options.open)
    options.logger.warn('POLICY_ENFORCEMENT=off: this subgraph answers anyone, unchecked (benchmark mode)');
  const OPEN: InternalContext = {
    requestId: 'benchmark',
    user: null,
    purpose: null,
    breakGlass: false,
    children: new Map(),
  };
  await apollo.start();
  // Every call — GraphQL, facts, figures, decisions — carries a context signed for its exact body, used once.
  const verifyCaller = callerVerifier(definition.agency, options.verifyKey);
  const verify = async (req: IncomingMessage, raw: string) => {
    if (options.open) return OPEN;
    try {
      return await verifyCaller(req, raw);
    } catch (error) {
      options.logger.warn(
        { reason: (error as Error).message, path: req.url },
        'refused a request without a valid signed context',
      );
      throw unauthenticated(definition.agency);
    }
  };
  /** The gateway's own calls (facts, the change feed): a 401 in GraphQL's error shape unless signed. */
  const unsigned = async (req: IncomingMessage, raw: string) => {
    try {
      await verify(req, raw);
      return null;
    } catch (error) {
      return {
        status: 401,
        body: { errors: [{ message: (error as Error).message, extensions: { code: 'UNAUTHENTICATED' } }] },
      };
    }
  };
  const facts: Route = async (req, body, raw) => {
    const refused = await unsigned(req, raw);
    if (refused) return refused;
    const asked = parseFactsRequest(body);
    if (typeof asked === 'string') return { status: 400, body: { error: asked } };
    const uprns = asked.uprns ?? [];
    // Asked about households or cases it cannot answer for, an agency says so rather than "none": the
    // gateway then counts the question unanswered (a location stays withheld), never answered "no".
    if ((uprns.length > 0 && !definition.flaggedHouseholds) || (asked.cases && !definition.cases)) {
      return {
        status: 400,
        body: {
          error: `${definition.agency} keeps no ${uprns.length > 0 ? 'household location flags' : 'MACPT cases'}`,
        },
      };
    }
    const facts = asked.nhsNumbers.length > 0 ? definition.facts(asked.nhsNumbers) : [];
    const livesAt = new Map(facts.map((f) => [f.nhsNumber, f.uprn ?? null]));
    const standing = options.decisions?.standing(asked.nhsNumbers, (n) => livesAt.get(n) ?? null);
    const answer: FactsResponse = {
      agency: definition.agency,
      facts: standing?.size
        ? facts.map((f) => {
            const decisions = standing.get(f.nhsNumber);
            return decisions ? { ...f, decisions: decisions.map(decisionFact) } : f;
          })
        : facts,
      flaggedUprns: uprns.length > 0 && definition.flaggedHouseholds ? definition.flaggedHouseholds(uprns) : [],
      ...(asked.cases && definition.cases ? { cases: definition.cases(asked.cases) } : {}),
    };
    return { status: 200, body: answer };
  };
  let closing = false;
  // The gateway's poll of the fact-change feed: signed like every call, answered when something changed
  // or after the wait it asked for (a heartbeat).
  const changes: Route = async (req, body, raw) => {
    const refused = await unsigned(req, raw);
    if (refused) return refused;
    const asked = parseChangesRequest(body);
    if (typeof asked === 'string') return { status: 400, body: { error: asked } };
    return { status: 200, body: await answerChanges(options.changes!, asked, () => closing) };
  };
  const health: Route = async () => ({ status: 200, body: { status: 'ok', agency: definition.agency } });
  // Counts for the partnership figures: the agency checks for itself who is asking (its LA's LCPP or board).
  const figures: Route = async (req, body, raw) => {
    let caller: InternalContext;
    try {
      caller = await verify(req, raw);
    } catch {
      return { status: 401, body: { code: 'UNAUTHENTICATED', error: "the gateway's signed context is required" } };
    }
    const asked = parseFiguresRequest(body);
    if (typeof asked === 'string') return { status: 400, body: { code: 'BAD_USER_INPUT', error: asked } };
    const refusal = caller.user ? figuresRefusal(caller.user, asked.la) : 'FIGURES_LCPP_AND_BOARD_ONLY';
    if (refusal) return { status: 403, body: { code: 'FORBIDDEN_BY_POLICY', error: refusal } };
    return {
      status: 200,
      body: {
        agency: definition.agency,
        weeks: definition.figures!(asked),
        ...(definition.figureTables ? { tables: definition.figureTables } : {}),
      },
    };
  };
  const served = await serveGraphQL({
    server: apollo,
    port: options.port,
    ...(options.host ? { host: options.host } : {}),
    routes: {
      ...options.routes,
      '/facts': facts,
      ...(options.changes ? { '/facts/changes': changes } : {}),
      '/health': health,
      ...(definition.figures ? { '/figures': figures } : {}),
      ...(options.decisions
        ? {
            '/decisions': decisionsRoute({
              agency: definition.agency,
              book: options.decisions,
              verify,
              holds: (nhs) => definition.facts([nhs])[0]?.known === true,
              uprnOf: (nhs) => definition.facts([nhs])[0]?.uprn ?? null,
              ownerOf: (c) => policyEngine.fieldRule(c)?.agency,
              logger: options.logger,
            }),
          }
        : {}),
    },
    context: async (req: IncomingMessage, raw: string) =>
      subgraphContext(definition, await verify(req, raw), options.decisions),
  });
  options.logger.info({ url: served.url }, `${definition.agency} subgraph ready`);
  return {
    url: served.url,
    close: async () => {
      closing = true;
      await served.close();
      await apollo.stop();
    },
  };
}
