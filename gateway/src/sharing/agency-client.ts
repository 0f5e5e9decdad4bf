import { request } from 'undici';
import {
  factsBodyHash,
  INTERNAL_CONTEXT_HEADER,
  type DecisionRequest,
  type InternalContext,
  type StoredDecision,
} from '@macpt/contract';
import type { ChildAttributes } from '@macpt/policies';
import type { GatewayContext } from '../context.js';
import { describeFailure } from '../datasources/agency-data-source.js';
import type { createSigner } from '../signing.js';

/** What the holding agency answered: the decision(s), or its refusal with a code and a reason. */
export type AgencyAnswer =
  | { ok: true; decision?: StoredDecision; decisions?: StoredDecision[] }
  | { ok: false; code: string; error: string; unreachable: boolean };

/**
 * Asks the holding agency's `POST /decisions`, signed as the user (with the child's attributes), the
 * context bound to the exact body so it cannot be replayed for anything else.
 */
export function decisionsClient(deps: {
  sign: Awaited<ReturnType<typeof createSigner>>;
  /** Each agency's GraphQL URL (its `/decisions` sits beside it). */
  urlOf: (agency: string) => string | undefined;
  timeoutMs: (agency: string) => number;
}) {
  return async (
    agency: string,
    ctx: GatewayContext,
    asked: DecisionRequest,
    child?: { nhsNumber: string; attributes: ChildAttributes },
  ): Promise<AgencyAnswer> => {
    const url = deps.urlOf(agency);
    if (!url) return { ok: false, code: 'AGENCY_UNAVAILABLE', error: `no agency named ${agency}`, unreachable: true };
    const body = JSON.stringify(asked);
    const { name: _name, ...user } = ctx.user;
    const context: InternalContext = {
      requestId: ctx.requestId,
      user,
      purpose: ctx.purpose,
      breakGlass: ctx.breakGlass,
      children: new Map(child ? [[child.nhsNumber, child.attributes]] : []),
      bodyHash: factsBodyHash(body),
    };
    const timeout = deps.timeoutMs(agency);
    try {
      const response = await request(new URL('/decisions', url), {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-request-id': ctx.requestId,
          [INTERNAL_CONTEXT_HEADER]: await deps.sign(agency, context),
        },
        body,
        headersTimeout: timeout,
        bodyTimeout: timeout,
        signal: AbortSignal.timeout(timeout),
      });
      const answer = (await response.body.json().catch(() => null)) as {
        decision?: StoredDecision;
        decisions?: StoredDecision[];
        code?: string;
        error?: string;
      } | null;
      if (response.statusCode === 200 && answer && (answer.decision || answer.decisions))
        return { ok: true, ...answer };
      return {
        ok: false,
        code: answer?.code ?? 'AGENCY_UNAVAILABLE',
        error: answer?.error ?? `answered HTTP ${response.statusCode}`,
        unreachable: !answer?.code || response.statusCode >= 500 || response.statusCode === 401,
      };
    } catch (error) {
      return { ok: false, code: 'AGENCY_UNAVAILABLE', error: describeFailure(error), unreachable: true };
    }
  };
}
