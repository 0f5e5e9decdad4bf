import type { DecisionRequest, StoredDecision } from '@macpt/contract';
import type { ChildAttributes } from '@macpt/policies';
import type { GatewayContext } from '../context.js';
import type { signedAgencyCall } from '../datasources/signed-call.js';

/** What the holding agency answered: the decision(s), or its refusal with a code and a reason. */
export type AgencyAnswer =
  | { ok: true; decision?: StoredDecision; decisions?: StoredDecision[] }
  | { ok: false; code: string; error: string };

/** Asks the holding agency's `POST /decisions`, signed as the user, with the child's attributes. */
export function decisionsClient(call: ReturnType<typeof signedAgencyCall>) {
  return async (
    agency: string,
    ctx: GatewayContext,
    asked: DecisionRequest,
    child?: { nhsNumber: string; attributes: ChildAttributes },
  ): Promise<AgencyAnswer> => {
    const got = await call(
      agency,
      '/decisions',
      ctx,
      asked,
      new Map(child ? [[child.nhsNumber, child.attributes]] : []),
    );
    if ('failed' in got) return { ok: false, code: 'AGENCY_UNAVAILABLE', error: got.failed };
    const answer = got.body as {
      decision?: StoredDecision;
      decisions?: StoredDecision[];
      code?: string;
      error?: string;
    } | null;
    if (got.status === 200 && answer && (answer.decision || answer.decisions)) return { ok: true, ...answer };
    // A refusal the agency explains keeps its code; anything else is the agency not answering properly.
    const explained = got.status >= 400 && got.status < 500 && got.status !== 401 && typeof answer?.code === 'string';
    return {
      ok: false,
      code: explained ? answer!.code! : 'AGENCY_UNAVAILABLE',
      error: answer?.error ?? `answered HTTP ${got.status}`,
    };
  };
}
