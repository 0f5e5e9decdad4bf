import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { HeaderMap, type ApolloServerPlugin } from '@apollo/server';
import type { GatewayInterface } from '@apollo/server-gateway-interface';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import type { GatewayContext } from '../context.js';
import type { RequestIdentity } from './identify.js';
import type { Stage } from './stage.js';

export type { Stage } from './stage.js';
export { useDisclosureLog } from './disclosure-log.js';
export { useFacts } from './facts.js';
export { identifier, useIdentify, type RequestIdentity, type User } from './identify.js';
export { useMaskErrors } from './mask-errors.js';
export { usePolicy } from './policy.js';
export { usePreflight, type TrustedMode } from './preflight.js';
export { useRateLimit } from './rate-limit.js';
export { refusalRecorder } from './refusals.js';

/** The stages of the pipeline, joined into the hooks the HTTP server, Apollo Server and Apollo Gateway call. */
export interface Pipeline {
  /** Before GraphQL: each stage's `onRequest`, in order. */
  preflight: (
    req: IncomingMessage,
    body: unknown,
  ) => Promise<{ status: number; body: unknown; headers: Record<string, string> } | null>;
  /** Requests refused before even the preflight could read them (headers or body too large, not JSON). */
  refusedEarly: (refusal: { code: string; req?: IncomingMessage }) => Promise<string>;
  /** The request's context: each stage's `onContext`, in order. */
  context: (req: IncomingMessage) => Promise<GatewayContext>;
  wrapGateway: (inner: GatewayInterface) => GatewayInterface;
  plugins: ApolloServerPlugin<GatewayContext>[];
  formatError: (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError;
}

/**
 * Joins `stages` into one pipeline. Every refusal, at whichever stage, is recorded the same way and
 * answered with the request id of its record (`x-request-id`).
 */
export function createPipeline(
  stages: readonly Stage[],
  deps: {
    identify: (req: IncomingMessage) => RequestIdentity;
    record: (identity: RequestIdentity, code: string) => Promise<void>;
    /** One deadline for the whole request, from when its context is made. */
    requestDeadlineMs: number;
  },
): Pipeline {
  const refuse = async (identity: RequestIdentity, code: string) => {
    await deps.record(identity, code);
    return identity.requestId;
  };
  return {
    async preflight(req, body) {
      const identity = deps.identify(req);
      for (const stage of stages) {
        const refusal = await stage.onRequest?.(req, body, identity);
        if (refusal) {
          await refuse(identity, refusal.code);
          return {
            status: refusal.status,
            body: { errors: [{ message: refusal.message, extensions: { code: refusal.code, ...refusal.extensions } }] },
            headers: { 'x-request-id': identity.requestId },
          };
        }
      }
      return null;
    },
    async refusedEarly({ code, req }) {
      const identity: RequestIdentity = req
        ? deps.identify(req)
        : {
            requestId: randomUUID(),
            clientName: null,
            statedPurpose: null,
            justification: null,
            user: () => Promise.reject(new Error('no request')),
            userIfKnown: async () => null,
          };
      return refuse(identity, code);
    },
    async context(req) {
      const identity = deps.identify(req);
      const context = {
        requestId: identity.requestId,
        clientName: identity.clientName,
        deadline: Date.now() + deps.requestDeadlineMs,
        caseChildren: new Map(),
        askedCases: [],
        entered: [],
        refusedChildren: [],
        sharedByGateway: [],
      } as unknown as GatewayContext;
      try {
        for (const stage of stages) await stage.onContext?.(context, identity);
        return context;
      } catch (error) {
        await refuse(
          identity,
          String((error as { extensions?: { code?: unknown } }).extensions?.code ?? 'INTERNAL_SERVER_ERROR'),
        );
        // A refused response names its record too.
        if (error instanceof GraphQLError) {
          const http = (error.extensions.http ?? {}) as { status?: number; headers?: HeaderMap };
          (error.extensions as Record<string, unknown>).http = {
            ...http,
            headers: new HeaderMap([['x-request-id', identity.requestId]]),
          };
        }
        throw error;
      }
    },
    wrapGateway: (inner) => stages.reduce((gateway, stage) => stage.wrapGateway?.(gateway) ?? gateway, inner),
    plugins: stages.flatMap((stage) => (stage.plugin ? [stage.plugin] : [])),
    formatError: (formatted, error) => stages.reduce((f, stage) => stage.formatError?.(f, error) ?? f, formatted),
  };
}
