import { randomUUID } from 'node:crypto';
import {
  decisionTermsProblem,
  reviewDateProblem,
  todayInEngland,
  type DecisionFact,
  type StoredDecision,
} from '@macpt/contract';
import { codedError, type ErrorCode } from '@macpt/kit';
import {
  deciderRefusal,
  DECISION_VIEWS,
  decisionView,
  forbidden,
  RULE_TEXT,
  type DecisionView,
  type PolicyEngine,
} from '@macpt/policies';
import { requireIgLead } from '../audit/access.js';
import type { GatewayContext } from '../context.js';
import { admitChild, admitOrThrow } from '../directory/admission.js';
import type { DisclosureRecord, Outcome, RecordDraft } from '../disclosure/record.js';
import type { AgencyAnswer, decisionsClient } from './agency-client.js';

type Step = NonNullable<RecordDraft['sharingDecision']>;

/** What the decision resolvers need from the gateway. */
export interface SharingDeps {
  engine: PolicyEngine;
  ask: ReturnType<typeof decisionsClient>;
  /** Appends this request's record of a step (fail closed: it throws when the log cannot take it). */
  /** Writes a step's record, charged to the user's limits unless `uncharged` (a second record of one request). */
  record: (
    ctx: GatewayContext,
    outcome: Outcome,
    step: Step,
    reason?: string,
    options?: { uncharged?: boolean },
  ) => Promise<DisclosureRecord>;
}

type Shown = DecisionFact & { agency: string; nhsNumber: string; status?: string; history?: StoredDecision['history'] };

/** A decision as the asker's view of it lets them see it: fields outside the view are withheld by the resolvers below. */
function present(d: Shown, view: DecisionView) {
  const status = d.status ?? 'STANDING';
  return {
    ...d,
    status,
    overdue: status === 'STANDING' && d.reviewBy < todayInEngland(),
    history: d.history ?? [],
    shownFields: new Set<string>(DECISION_VIEWS[view]),
  };
}
type Presented = ReturnType<typeof present>;

/** Each field of a decision, released only when the asker's view holds it; otherwise withheld at its path. */
const decisionFieldResolvers = Object.fromEntries(
  DECISION_VIEWS.ALL.map((field) => [
    field,
    (d: Presented) => {
      if (d.shownFields.has(field)) return d[field as keyof Presented];
      throw forbidden({ rule: 'DECISION_CONTENT_HOLDING_AGENCY_ONLY', agency: d.agency, class: 'SAFEGUARDING' });
    },
  ]),
);

/** A refusal for the user's rate limit, passed on as it is (not as the log being down); else null. */
const pastLimit = (error: unknown) =>
  (error as { extensions?: { code?: unknown } })?.extensions?.code === 'RATE_LIMITED' ? error : null;

/** Resolvers of decisions not to share: the gateway checks, records, then the holding agency stores and enforces. */
export function sharingResolvers(deps: SharingDeps) {
  /** Refuses a step: on the record first (outcome REFUSED, with why), then the error. */
  const refuse = async (
    ctx: GatewayContext,
    step: Step,
    code: ErrorCode,
    message: string,
    rule?: string,
  ): Promise<never> => {
    await deps.record(ctx, 'REFUSED', step, rule ?? code).catch((error: unknown) => {
      throw (
        pastLimit(error) ??
        codedError('DISCLOSURE_LOG_UNAVAILABLE', 'The refusal could not be recorded; nothing was changed.')
      );
    });
    ctx.recorded = true;
    throw codedError(code, message, rule ? { rule, agency: step.agency } : {});
  };

  /** The child's facts and the user's attributes, or a refusal: holding-agency staff with a relationship only. */
  const admitDecider = async (ctx: GatewayContext, step: Step) => {
    const early = deciderRefusal(ctx.user, ctx.purpose, { holdsRecord: true });
    if (early) return refuse(ctx, step, 'FORBIDDEN_BY_POLICY', `${RULE_TEXT[early]}.`, early);
    const admitted = await admitChild(ctx, step.nhsNumber);
    if (admitted instanceof Error) {
      const e = admitted as Error & { extensions?: { code?: string; rule?: string } };
      const code = (e.extensions?.code ?? 'FORBIDDEN_BY_POLICY') as ErrorCode;
      return refuse(ctx, step, code, `${e.message} Nothing was recorded.`, e.extensions?.rule);
    }
    const { facts, attributes } = admitted;
    if (facts.unavailable.includes(ctx.user.agency))
      return refuse(
        ctx,
        step,
        'AGENCY_UNAVAILABLE',
        `${ctx.user.agency} could not be asked about this child; nothing was recorded. Try again shortly.`,
      );
    const rule = deciderRefusal(ctx.user, ctx.purpose, {
      relationship: attributes.relationship,
      holdsRecord: facts.knownBy.includes(ctx.user.agency),
    });
    if (rule) return refuse(ctx, step, 'FORBIDDEN_BY_POLICY', `${RULE_TEXT[rule]}.`, rule);
    return { facts, attributes };
  };

  /** Sends the step to the holding agency; a step it does not store gets a NOT_STORED record after its first. */
  const store = async (ctx: GatewayContext, step: Step, answer: Promise<AgencyAnswer>): Promise<StoredDecision> => {
    const got = await answer;
    // Whatever the agency answered, its facts about the child may have changed: ask it again next time.
    ctx.forgetFacts(step.nhsNumber);
    if (got.ok && got.decision) return got.decision;
    const failure = got.ok ? { code: 'AGENCY_UNAVAILABLE', error: 'answered without the decision' } : got;
    // On the record as not stored; the request's own record, written after, is the one charged to its limits.
    await deps.record(ctx, 'NOT_STORED', step, failure.code, { uncharged: true }).catch(() => undefined);
    const code =
      (['BAD_USER_INPUT', 'FORBIDDEN_BY_POLICY', 'NOT_FOUND', 'SHARING_DECISION_CONFLICT'] as const).find(
        (c) => c === failure.code,
      ) ?? 'AGENCY_UNAVAILABLE';
    throw codedError(
      code,
      `${step.agency} did not store the decision (${failure.error}); it is on the record as not stored, and nothing changed.`,
      { agency: step.agency },
    );
  };

  const written = async (ctx: GatewayContext, outcome: Outcome, step: Step) => {
    try {
      const record = await deps.record(ctx, outcome, step);
      ctx.recorded = true;
      return record;
    } catch (error) {
      throw (
        pastLimit(error) ??
        codedError(
          'DISCLOSURE_LOG_UNAVAILABLE',
          'The decision could not be recorded in the disclosure log, so it was not made. Try again shortly.',
        )
      );
    }
  };

  return {
    SharingDecision: decisionFieldResolvers,
    Query: {
      sharingDecisions: async (_: unknown, args: { nhsNumber: string }, ctx: GatewayContext) => {
        // That a decision exists is said about the child: through the same door as its fields.
        const { facts, attributes } = await admitOrThrow(ctx, args.nhsNumber);
        // "No decisions" is only said when every agency answered: one that did not could hold one.
        if (facts.unavailable.length > 0)
          throw codedError(
            'AGENCY_UNAVAILABLE',
            `Decisions not to share cannot be listed while ${facts.unavailable.join(', ')} cannot be asked.`,
            { agency: facts.unavailable[0] },
          );
        const shown: Presented[] = [];
        for (const d of facts.decisions) {
          const view = decisionView(ctx.user, ctx.purpose, {
            relationship: attributes.relationship,
            ownAgency: d.agency === ctx.user.agency,
          });
          // Someone the policies do not tell of a decision (a school's DSL) is not told it exists.
          if (!view) continue;
          ctx.ledger.tell(
            args.nhsNumber,
            d.agency,
            DECISION_VIEWS[view].map((f) => `SharingDecision.${f}`),
          );
          shown.push(present({ ...d, nhsNumber: args.nhsNumber }, view));
        }
        return shown;
      },
      agencySharingDecisions: async (_: unknown, args: { overdueOnly?: boolean | null }, ctx: GatewayContext) => {
        requireIgLead(ctx);
        ctx.audit = { sharingDecisions: ctx.user.agency, overdueOnly: args.overdueOnly === true };
        const got = await deps.ask(ctx.user.agency, ctx, { action: 'list' });
        if (!got.ok || !got.decisions)
          throw codedError(
            'AGENCY_UNAVAILABLE',
            `${ctx.user.agency} could not list its decisions (${got.ok ? 'no list' : got.error}).`,
            { agency: ctx.user.agency },
          );
        // An IG lead reviews their own agency's decisions: all of each (the policies' view for them).
        const view = decisionView(ctx.user, ctx.purpose, { ownAgency: true }) ?? 'EXISTS';
        const all = got.decisions.map((d) => present(d, view));
        return args.overdueOnly ? all.filter((d) => d.overdue) : all;
      },
    },
    Mutation: {
      recordSharingDecision: async (
        _: unknown,
        args: {
          input: {
            nhsNumber: string;
            fields?: string[] | null;
            classes?: string[] | null;
            reason: string;
            reasonText?: string | null;
            reviewBy: string;
          };
        },
        ctx: GatewayContext,
      ) => {
        const input = args.input;
        const step: Step = {
          id: randomUUID(),
          agency: ctx.user.agency,
          nhsNumber: String(input.nhsNumber).slice(0, 20),
          action: 'RECORD',
          fields: (input.fields ?? []).map((f) => f.slice(0, 120)),
          classes: input.classes ?? [],
          reason: input.reason,
          reasonText: input.reasonText ?? null,
          reviewBy: String(input.reviewBy).slice(0, 20),
          note: null,
        };
        const { attributes } = await admitDecider(ctx, step);
        const problem = decisionTermsProblem(
          input,
          ctx.user.agency,
          (c) => deps.engine.fieldRule(c)?.agency,
          todayInEngland(),
        );
        if (problem) return refuse(ctx, step, 'BAD_USER_INPUT', `The decision was not recorded: ${problem}.`);
        const record = await written(ctx, 'RECORDED', step);
        const { name, id, role } = ctx.user;
        const decision = await store(
          ctx,
          step,
          deps.ask(
            ctx.user.agency,
            ctx,
            {
              action: 'record',
              id: step.id,
              nhsNumber: step.nhsNumber,
              fields: step.fields,
              classes: step.classes as never,
              reason: step.reason as never,
              reasonText: step.reasonText,
              reviewBy: step.reviewBy!,
              by: { id, name, role },
              at: record.time,
              recordId: record.id,
            },
            { nhsNumber: step.nhsNumber, attributes },
          ),
        );
        return present(decision, 'ALL');
      },
      reviewSharingDecision: async (
        _: unknown,
        args: {
          id: string;
          nhsNumber: string;
          outcome: 'KEEP' | 'WITHDRAW';
          reviewBy?: string | null;
          note?: string | null;
        },
        ctx: GatewayContext,
      ) => {
        const step: Step = {
          id: String(args.id).slice(0, 80),
          agency: ctx.user.agency,
          nhsNumber: String(args.nhsNumber).slice(0, 20),
          action: args.outcome,
          fields: [],
          classes: [],
          reason: null,
          reasonText: null,
          reviewBy: args.outcome === 'KEEP' ? (args.reviewBy ?? null) : null,
          note: args.note?.slice(0, 2000) ?? null,
        };
        const { facts, attributes } = await admitDecider(ctx, step);
        const standing = facts.decisions.find((d) => d.id === args.id);
        if (!standing || standing.agency !== ctx.user.agency)
          return refuse(
            ctx,
            step,
            'NOT_FOUND',
            `${ctx.user.agency} has no standing decision ${JSON.stringify(step.id)} about this child (a withdrawn one cannot be reviewed: record a new one).`,
          );
        if (args.outcome === 'KEEP') {
          const problem = reviewDateProblem(args.reviewBy, todayInEngland());
          if (problem) return refuse(ctx, step, 'BAD_USER_INPUT', `The decision was not kept: ${problem}.`);
        }
        Object.assign(step, { fields: standing.fields, classes: standing.classes, reason: standing.reason });
        const record = await written(ctx, args.outcome === 'KEEP' ? 'KEPT' : 'WITHDRAWN', step);
        const { name, id, role } = ctx.user;
        const decision = await store(
          ctx,
          step,
          deps.ask(
            ctx.user.agency,
            ctx,
            {
              action: args.outcome === 'KEEP' ? 'keep' : 'withdraw',
              id: step.id,
              nhsNumber: step.nhsNumber,
              reviewBy: step.reviewBy,
              note: step.note,
              by: { id, name, role },
              at: record.time,
              recordId: record.id,
            },
            { nhsNumber: step.nhsNumber, attributes },
          ),
        );
        return present(decision, 'ALL');
      },
    },
  };
}
