import { randomUUID } from 'node:crypto';
import { NOTIFICATION_PURPOSE, type NotificationRule, type PolicyEngine } from '@macpt/policies';
import type { GatewayContext } from '../context.js';
import type { Charge } from '../limits/rate-limit.js';
import { addressKey, type Address, type InboxItem } from '../notifications/inbox.js';
import type { Webhook } from '../notifications/webhooks.js';
import type { RequestIdentity } from '../pipeline/identify.js';
import { agenciesOf, childDisclosures, draft, outcomeOf, refusalOutcome, type RequestFacts } from './build.js';
import type { ChildLedger } from './ledger.js';
import type { Outcome, RecordDraft } from './record.js';

// Every record's header (who asked, why, with what) is built here and only here: a request, a refusal
// before there was a request, a registry action, a notification to a recipient or a webhook. Callers
// pass what happened; they never spell out a header.

type Who = RecordDraft['user'];
type SharingStep = NonNullable<RecordDraft['sharingDecision']>;

/** The request-level facts of a record, from the gateway context. */
export function requestFacts(
  ctx: Pick<GatewayContext, 'requestId' | 'user' | 'purpose' | 'justification' | 'breakGlass' | 'clientName'>,
  operationName: string | null | undefined,
  operationHash: string | null | undefined,
): RequestFacts {
  return {
    requestId: ctx.requestId,
    user: ctx.user,
    purpose: ctx.purpose,
    justification: ctx.justification,
    breakGlass: ctx.breakGlass,
    operationName: operationName ?? null,
    operationHash: operationHash ?? null,
    clientName: ctx.clientName,
  };
}

/** A request refused before it had a context: whatever is known of who asked (an EMERGENCY stated is break-glass whatever refused it). */
export function refusalBeforeContext(
  identity: Pick<RequestIdentity, 'requestId' | 'statedPurpose' | 'justification' | 'clientName'>,
  user: Who,
  breakGlass: boolean,
  code: string,
): RecordDraft {
  return draft(
    'REFUSAL',
    {
      requestId: identity.requestId,
      user,
      purpose: identity.statedPurpose,
      justification: breakGlass ? identity.justification : null,
      breakGlass,
      operationName: null,
      operationHash: null,
      clientName: identity.clientName,
    },
    refusalOutcome(code),
    { reason: code },
  );
}

/** A publication or an IG decision on one: who acted (an agency's publisher, or an IG lead). */
export function schemaChange(outcome: Outcome, extra: Partial<RecordDraft>, actor: Who): RecordDraft {
  const operationName = outcome === 'APPROVED' || outcome === 'REJECTED' ? 'decideSchemaChange' : 'publishSubgraph';
  return draft('SCHEMA_CHANGE', system(actor, operationName, null), outcome, extra);
}

/** A notification told to a recipient (a named worker, or a role at an LA or school). */
export function notificationTold(
  to: Address,
  rule: NotificationRule,
  extra: Partial<RecordDraft>,
  eventId: string,
): RecordDraft {
  const user = {
    id: to.kind === 'user' ? to.id : addressKey(to),
    role: to.kind === 'user' ? 'NAMED_WORKER' : to.role,
    agency: 'recipient',
    la: to.kind === 'role' ? (to.la ?? null) : null,
  };
  return draft('NOTIFICATION', notification(user, rule.id, eventId, 'notification-router'), 'DISCLOSED', extra);
}

/** A notification delivered to an agency's webhook: the fields it carried, under the owning agency's basis. */
export function webhookDelivered(w: Webhook, item: InboxItem, fields: string[]): RecordDraft {
  const user = { id: `webhook:${w.name}`, role: 'AGENCY_SYSTEM', agency: w.agency, la: null };
  return draft('NOTIFICATION', notification(user, item.rule, item.eventId, 'notification-webhook'), 'DISCLOSED', {
    children: [
      {
        nhsNumber: item.nhsNumber,
        disclosed: { [item.agency]: fields.map((f) => `${item.kind}.${f}`) },
        withheld: [],
        lawfulBasis: { [item.agency]: item.lawfulBasis },
      },
    ],
    agencies: [item.agency],
    query: { rule: item.rule, eventId: item.eventId, recipient: `webhook:${w.name}`, url: w.url },
  });
}

/** A step on a decision not to share (record, review, lift), by the asker of this request. */
export function sharingDecisionStep(ctx: GatewayContext, outcome: Outcome, step: SharingStep, reason?: string) {
  return draft('SHARING_DECISION', requestFacts(ctx, `${step.action.toLowerCase()}SharingDecision`, null), outcome, {
    reason: reason ?? null,
    agencies: [step.agency],
    query: { nhsNumber: step.nhsNumber, decisionId: step.id },
    sharingDecision: step,
  });
}

/** An IG operation that changes what the log keeps (a legal hold), recorded before it is done. */
export function igAction(ctx: GatewayContext, operationName: string, query: Record<string, unknown>): RecordDraft {
  return draft('IG_QUERY', requestFacts(ctx, operationName, null), 'RECORDED', { query });
}

/** An IG lead's review of a break-glass record. */
export function breakGlassReviewed(ctx: GatewayContext, review: NonNullable<RecordDraft['review']>): RecordDraft {
  return draft('BREAK_GLASS_REVIEW', requestFacts(ctx, 'reviewBreakGlass', null), 'REVIEWED', { review });
}

function system(user: Who, operationName: string, clientName: string | null): RequestFacts {
  return {
    requestId: randomUUID(),
    user,
    purpose: null,
    justification: null,
    breakGlass: false,
    operationName,
    operationHash: null,
    clientName,
  };
}

function notification(user: Who, ruleId: string, eventId: string, clientName: string): RequestFacts {
  return { ...system(user, ruleId, clientName), requestId: `event-${eventId}`, purpose: NOTIFICATION_PURPOSE };
}

/** What a request charges to its user's rate limits when its record is written: itself, and every child it let in. */
export function chargeOf(ctx: Pick<GatewayContext, 'user' | 'ledger'>): Charge {
  return { userId: ctx.user.id, children: [...ctx.ledger.admitted] };
}

/**
 * The record of a request refused when its record was to be written, for going past a rate limit: its
 * answer was withheld whole, so each child it would have told about is named as refused (an anomaly IG
 * sees), with the children refused at a door as they were.
 */
export function rateLimitedRecord(
  facts: RequestFacts,
  ledger: Pick<ChildLedger, 'admitted' | 'refused'>,
  engine: PolicyEngine,
): RecordDraft {
  const refused = [...ledger.refused, ...ledger.admitted.map((nhsNumber) => ({ nhsNumber, rule: 'RATE_LIMITED' }))];
  return draft('REFUSAL', facts, 'RATE_LIMITED', {
    reason: 'RATE_LIMITED',
    children: childDisclosures(undefined, { admitted: [], refused, told: [] }, engine),
  });
}

/**
 * The record of a request that acts (a mutation), written before it acts so that it is charged to the
 * user's limits first: what the request has told about children so far, from its ledger.
 */
export function actionRecord(ctx: GatewayContext, operation: string, engine: PolicyEngine): RecordDraft {
  const children = childDisclosures(undefined, ctx.ledger, engine);
  return draft('DISCLOSURE', requestFacts(ctx, operation, null), outcomeOf(children), {
    children,
    agencies: agenciesOf(children),
  });
}

/** The record of a notification stream opened: nothing about a child yet (each announcement was recorded when delivered). */
export function streamOpened(ctx: GatewayContext): RecordDraft {
  return draft('DISCLOSURE', requestFacts(ctx, 'NotificationStream', null), 'NOTHING_DISCLOSED');
}
