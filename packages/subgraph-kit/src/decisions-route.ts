import type { IncomingMessage } from 'node:http';
import {
  decisionTermsProblem,
  reviewDateProblem,
  todayInEngland,
  type DecisionRequest,
  type InternalContext,
  type StoredDecision,
} from '@macpt/contract';
import type { Logger, Route } from '@macpt/kit';
import { auditRefusal, deciderRefusal, holdingAgencyRefusal, RULE_TEXT } from '@macpt/policies';
import type { DecisionBook } from './decisions.js';

type Answer = Awaited<ReturnType<Route>>;

const refuse = (status: number, code: string, error: string): Answer => ({ status, body: { code, error } });

/**
 * `POST /decisions`: the holding agency's side of a decision not to share. It checks for itself what
 * the gateway checked (its own staff, a child it holds and they are related to, its own fields), so a
 * decision is never recorded on another agency's say-so, then stores it; it enforces it from then on.
 */
export function decisionsRoute(deps: {
  agency: string;
  book: DecisionBook;
  /** The caller's signed context, verified for this body (`raw`, as received); throws when there is none. */
  verify: (req: IncomingMessage, raw: string) => Promise<InternalContext>;
  /** Whether this agency holds a record of the child. */
  holds: (nhsNumber: string) => boolean;
  /** Where the agency has the child living (UPRN): a decision reaches the household's records through it. */
  uprnOf: (nhsNumber: string) => string | null;
  ownerOf: (coordinate: string) => string | undefined;
  logger: Logger;
}): Route {
  return async (req, body, raw) => {
    let caller: InternalContext;
    try {
      caller = await deps.verify(req, raw);
    } catch (error) {
      deps.logger.warn(
        { reason: (error as Error).message },
        'refused a /decisions call without a valid signed context',
      );
      return refuse(401, 'UNAUTHENTICATED', `${deps.agency} answers /decisions only with the gateway's signed context`);
    }
    const asked = body as DecisionRequest;
    const user = caller.user;
    if (!user || holdingAgencyRefusal(user, deps.agency))
      return refuse(
        403,
        'FORBIDDEN_BY_POLICY',
        `only ${deps.agency}'s own staff decide about ${deps.agency}'s information`,
      );
    if (asked?.action === 'list') {
      if (!caller.purpose || auditRefusal(user, caller.purpose))
        return refuse(403, 'FORBIDDEN_BY_POLICY', `the list is for ${deps.agency}'s IG leads`);
      return { status: 200, body: { decisions: deps.book.all() } };
    }
    if (!asked || !['record', 'keep', 'withdraw'].includes(asked.action) || typeof asked.nhsNumber !== 'string')
      return refuse(400, 'BAD_USER_INPUT', 'expected {"action": "record" | "keep" | "withdraw" | "list", …}');
    const related = caller.children.get(asked.nhsNumber)?.relationship ?? 'NONE';
    // The agency asks the same policies as the gateway: its own staff, working with the child, not as IG.
    const refusal = caller.purpose
      ? deciderRefusal(user, caller.purpose, { relationship: related, holdsRecord: true })
      : 'DECIDER_NOT_PERMITTED';
    if (refusal) return refuse(403, 'FORBIDDEN_BY_POLICY', `${refusal}: ${RULE_TEXT[refusal] ?? refusal}`);
    const today = todayInEngland();
    if (asked.action === 'record') {
      const problem = decisionTermsProblem(asked, deps.agency, deps.ownerOf, today);
      if (problem) return refuse(400, 'BAD_USER_INPUT', problem);
      if (!deps.holds(asked.nhsNumber))
        return refuse(403, 'FORBIDDEN_BY_POLICY', `${deps.agency} holds no record of this child to decide about`);
      const existing = deps.book.get(asked.id);
      if (existing) return { status: 200, body: { decision: existing } }; // a retry of the same step
      const decision: StoredDecision = {
        id: asked.id,
        agency: deps.agency,
        nhsNumber: asked.nhsNumber,
        fields: [...new Set(asked.fields)].sort(),
        classes: [...new Set(asked.classes)].sort(),
        reason: asked.reason,
        reasonText: asked.reasonText?.trim() || null,
        decidedBy: asked.by,
        decidedAt: asked.at,
        reviewBy: asked.reviewBy,
        status: 'STANDING',
        history: [
          {
            action: 'RECORDED',
            by: asked.by,
            at: asked.at,
            note: null,
            reviewBy: asked.reviewBy,
            recordId: asked.recordId,
          },
        ],
      };
      deps.book.put(decision, deps.uprnOf(decision.nhsNumber));
      deps.logger.info({ decision: decision.id, by: user.id }, 'decision not to share recorded');
      return { status: 200, body: { decision } };
    }
    const decision = deps.book.get(asked.id);
    if (!decision || decision.nhsNumber !== asked.nhsNumber)
      return refuse(404, 'NOT_FOUND', `${deps.agency} holds no decision ${JSON.stringify(asked.id)} about this child`);
    if (decision.history.some((s) => s.recordId === asked.recordId)) return { status: 200, body: { decision } };
    if (decision.status !== 'STANDING')
      return refuse(409, 'SHARING_DECISION_CONFLICT', 'the decision was withdrawn: record a new one');
    if (asked.action === 'keep') {
      const problem = reviewDateProblem(asked.reviewBy, today);
      if (problem) return refuse(400, 'BAD_USER_INPUT', problem);
    }
    const next = deps.book.step(decision, {
      action: asked.action === 'keep' ? 'KEPT' : 'WITHDRAWN',
      by: asked.by,
      at: asked.at,
      note: asked.note,
      reviewBy: asked.action === 'keep' ? asked.reviewBy : null,
      recordId: asked.recordId,
    });
    deps.logger.info({ decision: next.id, by: user.id, action: asked.action }, 'decision not to share reviewed');
    return { status: 200, body: { decision: next } };
  };
}
