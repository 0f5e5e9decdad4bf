import type { IncomingMessage } from 'node:http';
import type { HeaderMap } from '@apollo/server';
import { ERROR_CODES, isRegisteredCode, type Answer, type Route } from '@macpt/kit';
import type { GatewayContext } from '../context.js';
import { draft, refusalOutcome } from '../disclosure/build.js';
import type { RecordDraft } from '../disclosure/record.js';
import { chargeOf, requestFacts } from '../disclosure/drafts.js';
import { RateLimitedError, type Charge } from '../limits/rate-limit.js';
import { rateLimited } from './rate-limit.js';
import { logUnavailableAnswer } from './refusals.js';

/** What a recorded route's handler answers, and what its IG-query record says was asked. */
export interface RouteAnswer extends Answer {
  query: Record<string, unknown>;
}

/** What every recorded route needs from the gateway. */
export interface RecordedRouteDeps {
  /** The pipeline's context: authenticated, purpose-checked and rate-limited; its refusals recorded by the pipeline. */
  context: (req: IncomingMessage) => Promise<GatewayContext>;
  /** Appends a record durably, charging the request to its user's limits; rejects when it cannot, or past a limit. */
  append: (record: RecordDraft, charge?: Charge) => Promise<unknown>;
}

/** The HTTP status of a refusal by its code, for a plain route (a field-level code refuses the whole download). */
function statusOf(code: string, http: number | undefined): number {
  if (http) return http;
  if (code === 'FORBIDDEN_BY_POLICY') return 403;
  if (code === 'NOT_FOUND') return 404;
  return isRegisteredCode(code) && ERROR_CODES[code].status >= 400 ? ERROR_CODES[code].status : 500;
}

/** A refusal or failure as a JSON answer, unknown errors masked; the request id the pipeline put on it kept. */
export function routeFailure(error: unknown): Answer {
  const e = error as {
    message: string;
    extensions?: { code?: string; http?: { status?: number; headers?: HeaderMap } };
  };
  const code = e.extensions?.code && isRegisteredCode(e.extensions.code) ? e.extensions.code : 'INTERNAL_SERVER_ERROR';
  const requestId = e.extensions?.http?.headers?.get('x-request-id');
  return {
    status: statusOf(code, e.extensions?.http?.status),
    body: {
      errors: [
        { message: code === 'INTERNAL_SERVER_ERROR' ? 'Internal server error' : e.message, extensions: { code } },
      ],
    },
    ...(requestId ? { headers: { 'x-request-id': requestId } } : {}),
  };
}

/**
 * A plain route (a download) answered as GraphQL is: through the pipeline's context, its answer
 * recorded before it leaves (an IG query, or the refusal with its code), every answer naming its record
 * (`x-request-id`), and DISCLOSURE_LOG_UNAVAILABLE (503), nothing else, when the record cannot be written.
 */
export function recordedRoute(
  deps: RecordedRouteDeps,
  operation: string,
  handle: (req: IncomingMessage, ctx: GatewayContext) => Promise<RouteAnswer>,
): Route {
  return async (req) => {
    let ctx: GatewayContext;
    try {
      ctx = await deps.context(req);
    } catch (error) {
      // Refused while the context was made: the pipeline recorded it (or answers 503) and named it.
      return routeFailure(error);
    }
    const facts = requestFacts(ctx, operation, null);
    let answer: Answer;
    let record: RecordDraft;
    try {
      const { query, ...answered } = await handle(req, ctx);
      answer = answered;
      record = draft('IG_QUERY', facts, 'DISCLOSED', { query });
    } catch (error) {
      answer = routeFailure(error);
      const code = (answer.body as { errors: { extensions: { code: string } }[] }).errors[0]!.extensions.code;
      record = draft('REFUSAL', facts, refusalOutcome(code), { reason: code });
    }
    const sent = await deps.append(record, chargeOf(ctx)).then(
      () => answer,
      (error: unknown) => {
        if (!(error instanceof RateLimitedError)) return logUnavailableAnswer();
        // Past a limit: the answer is withheld, and the refusal is on the record instead.
        const refused = routeFailure(rateLimited(error.refusal));
        return deps.append(draft('REFUSAL', facts, 'RATE_LIMITED', { reason: 'RATE_LIMITED' })).then(
          () => ({
            ...refused,
            headers: { ...refused.headers, 'retry-after': String(error.refusal.retryAfterSeconds) },
          }),
          () => logUnavailableAnswer(),
        );
      },
    );
    return { ...sent, headers: { ...sent.headers, 'x-request-id': ctx.requestId } };
  };
}
