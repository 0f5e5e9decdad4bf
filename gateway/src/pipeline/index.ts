import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { HeaderMap, type ApolloServerPlugin } from '@apollo/server';
import type { GatewayInterface } from '@apollo/server-gateway-interface';
import type { Answer, Refusal } from '@macpt/kit';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import type { GatewayContext, RequestBase } from '../context.js';
import { ChildLedger } from '../disclosure/ledger.js';
import type { RequestHead, RequestIdentity } from './identify.js';
import { logUnavailable, logUnavailableAnswer } from './refusals.js';
import type { ContextSteps, Stage } from './stage.js';

export type { ContextSteps, Stage } from './stage.js';
export { useDisclosureLog } from './disclosure-log.js';
export { useFacts } from './facts.js';
export { identifier, useIdentify, type RequestIdentity, type User } from './identify.js';
export { useMaskErrors } from './mask-errors.js';
export { usePolicy } from './policy.js';
export { usePreflight, type TrustedMode } from './preflight.js';
export { useRateLimit } from './rate-limit.js';
export { logUnavailable, logUnavailableAnswer, refusalRecorder } from './refusals.js';

/** The identity of a request nothing of which could be read: a request id, and no one. */
const unknownRequest = (): RequestIdentity => ({
  requestId: randomUUID(),
  clientName: null,
  statedPurpose: null,
  justification: null,
  user: () => Promise.reject(new Error('no request')),
  userIfKnown: async () => null,
});

/** The stages of the pipeline, joined into the hooks the HTTP server, Apollo Server and Apollo Gateway call. */
export interface Pipeline {
  /** Before GraphQL: each stage's `onRequest`, in order. */
  preflight: (req: IncomingMessage, body: unknown) => Promise<Answer | null>;
  /**
   * Requests the HTTP server refused on its own (headers or body too large, not JSON; a batch or CSRF
   * refused by Apollo Server): recorded, and answered with the request id of the record.
   */
  refused: (refusal: Refusal) => Promise<Answer>;
  /** The request's context: the pipeline's base, then each context step's part, in order. */
  context: (req: IncomingMessage) => Promise<GatewayContext>;
  wrapGateway: (inner: GatewayInterface) => GatewayInterface;
  plugins: ApolloServerPlugin<GatewayContext>[];
  formatError: (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError;
}

/**
 * Joins `stages` into one pipeline. Every refusal, at whichever stage, is recorded the same way and
 * answered with the request id of its record (`x-request-id`); a refusal that could not be recorded
 * is answered DISCLOSURE_LOG_UNAVAILABLE (503), as an answer that could not be is.
 */
export function createPipeline(
  stages: readonly Stage[],
  deps: {
    identify: (req: RequestHead) => RequestIdentity;
    /** The steps that build the request's context. */
    context: ContextSteps;
    /** Records a refusal; rejects when it could not be recorded. */
    record: (identity: RequestIdentity, code: string) => Promise<void>;
    /** One deadline for the whole request, from when its context is made. */
    requestDeadlineMs: number;
  },
): Pipeline {
  const onRecord = (identity: RequestIdentity, code: string): Promise<boolean> =>
    deps.record(identity, code).then(
      () => true,
      () => false,
    );
  /** The answer to a request refused before GraphQL: the refusal when it is on the record, 503 when not. */
  const answer = async (identity: RequestIdentity, code: string, refusal: Answer): Promise<Answer> => {
    const sent = (await onRecord(identity, code)) ? refusal : logUnavailableAnswer();
    return {
      status: sent.status,
      body: sent.body,
      headers: { ...refusal.headers, 'x-request-id': identity.requestId },
    };
  };
  return {
    async preflight(req, body) {
      const identity = deps.identify(req);
      for (const stage of stages) {
        const refusal = await stage.onRequest?.(req, body, identity);
        if (refusal)
          return answer(identity, refusal.code, {
            status: refusal.status,
            body: { errors: [{ message: refusal.message, extensions: { code: refusal.code, ...refusal.extensions } }] },
          });
      }
      return null;
    },
    refused: ({ code, req, status, body, headers }) =>
      answer(req ? deps.identify(req) : unknownRequest(), code, { status, body, ...(headers ? { headers } : {}) }),
    async context(req) {
      const identity = deps.identify(req);
      const base: RequestBase = {
        requestId: identity.requestId,
        clientName: identity.clientName,
        deadline: Date.now() + deps.requestDeadlineMs,
        caseChildren: new Map(),
        ledger: new ChildLedger(),
      };
      const steps = deps.context;
      try {
        const identified = { ...base, ...(await steps.identify.add(base, identity)) };
        const limited = { ...identified, ...(await steps.limit.add(identified, identity)) };
        const context: GatewayContext = { ...limited, ...(await steps.facts.add(limited, identity)) };
        return context;
      } catch (error) {
        const code = String((error as { extensions?: { code?: unknown } }).extensions?.code ?? 'INTERNAL_SERVER_ERROR');
        // An unexpected error is refused as one, so that its answer names its record too (its message masked).
        const refusal = !(await onRecord(identity, code))
          ? logUnavailable()
          : error instanceof GraphQLError
            ? error
            : new GraphQLError((error as Error).message, {
                originalError: error as Error,
                extensions: { http: { status: 500 } },
              });
        const http = (refusal.extensions.http ?? {}) as { status?: number };
        (refusal.extensions as Record<string, unknown>).http = {
          ...http,
          headers: new HeaderMap([['x-request-id', identity.requestId]]),
        };
        throw refusal;
      }
    },
    wrapGateway: (inner) => stages.reduce((gateway, stage) => stage.wrapGateway?.(gateway) ?? gateway, inner),
    plugins: stages.flatMap((stage) => (stage.plugin ? [stage.plugin] : [])),
    formatError: (formatted, error) => stages.reduce((f, stage) => stage.formatError?.(f, error) ?? f, formatted),
  };
}
