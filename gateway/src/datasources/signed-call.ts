import { withTraceContext } from '@macpt/kit';
import { request } from 'undici';
import { INTERNAL_CONTEXT_HEADER, type InternalContext } from '@macpt/contract';
import type { ChildAttributes } from '@macpt/policies';
import type { GatewayContext } from '../context.js';
import type { createSigner } from '../signing.js';
import { describeFailure } from './agency-data-source.js';

/** An agency's answer to a signed call: its status and JSON body, or why it could not be asked. */
export type SignedAnswer = { status: number; body: Record<string, unknown> | null } | { failed: string };

/**
 * POSTs JSON to one of an agency's own routes (`/decisions`, `/figures`), signed as the user making the
 * request (with the attributes of the children it concerns), the context bound to the exact body so it
 * cannot be replayed for anything else.
 */
export function signedAgencyCall(deps: {
  sign: Awaited<ReturnType<typeof createSigner>>;
  /** Each agency's GraphQL URL (its routes sit beside it). */
  urlOf: (agency: string) => string | undefined;
  timeoutMs: (agency: string) => number;
}) {
  return async (
    agency: string,
    path: string,
    ctx: GatewayContext,
    payload: unknown,
    children: ReadonlyMap<string, ChildAttributes> = new Map(),
  ): Promise<SignedAnswer> => {
    const url = deps.urlOf(agency);
    if (!url) return { failed: `no agency named ${agency}` };
    const body = JSON.stringify(payload);
    const { name: _name, ...user } = ctx.user;
    const context: InternalContext = {
      requestId: ctx.requestId,
      user,
      purpose: ctx.purpose,
      breakGlass: ctx.breakGlass,
      children: new Map(children),
    };
    const timeout = deps.timeoutMs(agency);
    try {
      const response = await request(new URL(path, url), {
        method: 'POST',
        headers: withTraceContext({
          'content-type': 'application/json',
          'x-request-id': ctx.requestId,
          [INTERNAL_CONTEXT_HEADER]: await deps.sign(agency, context, body),
        }),
        body,
        headersTimeout: timeout,
        bodyTimeout: timeout,
        signal: AbortSignal.timeout(timeout),
      });
      const answer = (await response.body.json().catch(() => null)) as Record<string, unknown> | null;
      return { status: response.statusCode, body: answer };
    } catch (error) {
      return { failed: describeFailure(error) };
    }
  };
}
