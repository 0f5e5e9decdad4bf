import { randomUUID } from 'node:crypto';
import {
  decisionTermsProblem,
  reviewDateProblem,
  todayInEngland,
  type DecisionFact,
  type StoredDecision,
} from '@macpt/contract';
import { codedError, nhsNumberProblem, type ErrorCode } from '@macpt/kit';
import { entryRefusal, forbidden, type ChildAttributes, type PolicyEngine } from '@macpt/policies';
import { requireIgLead } from '../audit/access.js';
import type { GatewayContext } from '../context.js';
import type { DisclosureRecord, Outcome, RecordDraft } from '../disclosure/record.js';
import type { AgencyAnswer, decisionsClient } from './agency-client.js';

type Step = NonNullable<RecordDraft['sharingDecision']>;

/** What the decision resolvers need from the gateway. */
export interface SharingDeps {
  engine: PolicyEngine;
  ask: ReturnType<typeof decisionsClient>;
  /** Appends this request's record of a step (fail closed: it throws when the log cannot take it). */
  record: (ctx: GatewayContext, outcome: Outcome, step: Step, reason?: string) => Promise<DisclosureRecord>;
}

/** What everyone with a relationship sees of a decision; the holding agency's own staff see all of it. */
function present(
  d: DecisionFact & { agency: string; nhsNumber: string; status?: string; history?: StoredDecision['history'] },
  ctx: GatewayContext,
) {
  const own = ctx.user.agency === d.agency;
  return {
    ...d,
    reasonText: own ? d.reasonText : null,
    status: d.status ?? 'STANDING',
    overdue: (d.status ?? 'STANDING') === 'STANDING' && d.reviewBy < todayInEngland(),
    history: own ? (d.history ?? []) : [],
  };
}

/** The fields of a decision someone outside the holding agency is told (for the disclosure record). */
const EXISTENCE_FIELDS = [
  'SharingDecision.decidedAt',
  'SharingDecision.decidedBy',
  'SharingDecision.reason',
  'SharingDecision.reviewBy',
];

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
    await deps.record(ctx, 'REFUSED', step, rule ?? code).catch(() => {
      throw codedError('DISCLOSURE_LOG_UNAVAILABLE', 'The refusal could not be recorded; nothing was changed.');
    });
    ctx.recorded = true;
    throw codedError(code, message, rule ? { rule, agency: step.agency } : {});
  };

  /** The child's facts and the user's attributes, or a refusal: holding-agency staff with a relationship only. */
  const admitDecider = async (ctx: GatewayContext, step: Step) => {
    if (ctx.user.role === 'IG_LEAD' || entryRefusal(ctx.user, ctx.purpose) || ctx.purpose === 'EMERGENCY')
      return refuse(
        ctx,
        step,
        'FORBIDDEN_BY_POLICY',
        "A decision not to share is made by the holding agency's staff working with the child, stating the purpose their case supports (not IG_AUDIT or EMERGENCY).",
        'DECIDER_NOT_PERMITTED',
      );
    const problem = nhsNumberProblem(step.nhsNumber);
    if (problem) return refuse(ctx, step, 'BAD_USER_INPUT', `Invalid NHS number: ${problem}.`);
    const facts = await ctx.facts.load(step.nhsNumber);
    const attributes = await ctx.attributesOf(step.nhsNumber);
    if (facts.unavailable.includes(ctx.user.agency) || !attributes)
      return refuse(
        ctx,
        step,
        'AGENCY_UNAVAILABLE',
        `${ctx.user.agency} could not be asked about this child; nothing was recorded. Try again shortly.`,
      );
    if (attributes.relationship === 'NONE')
      return refuse(
        ctx,
        step,
        'FORBIDDEN_BY_POLICY',
        'You have no relationship with this child: a decision is made by staff working with the child.',
        'NO_LEGITIMATE_RELATIONSHIP',
      );
    if (!facts.knownBy.includes(ctx.user.agency))
      return refuse(
        ctx,
        step,
        'FORBIDDEN_BY_POLICY',
        `${ctx.user.agency} holds no record of this child: only the agency that holds the information decides not to share it.`,
        'NOT_HOLDING_AGENCY',
      );
    return { facts, attributes };
  };

  /** Sends the step to the holding agency; a step it does not store gets a NOT_STORED record after its first. */
  const store = async (ctx: GatewayContext, step: Step, answer: Promise<AgencyAnswer>): Promise<StoredDecision> => {
    const got = await answer;
    // Whatever the agency answered, its facts about the child may have changed: ask it again next time.
    ctx.forgetFacts(step.nhsNumber);
    if (got.ok && got.decision) return got.decision;
    const failure = got.ok ? { code: 'AGENCY_UNAVAILABLE', error: 'answered without the decision' } : got;
    await deps.record(ctx, 'NOT_STORED', step, failure.code).catch(() => undefined);
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
    } catch {
      throw codedError(
        'DISCLOSURE_LOG_UNAVAILABLE',
        'The decision could not be recorded in the disclosure log, so it was not made. Try again shortly.',
      );
    }
  };

  return {
    Query: {
      sharingDecisions: async (_: unknown, args: { nhsNumber: string }, ctx: GatewayContext) => {
        const problem = nhsNumberProblem(args.nhsNumber);
        if (problem) {
          ctx.refusedChildren.push({ nhsNumber: args.nhsNumber.slice(0, 20), rule: 'BAD_USER_INPUT' });
          throw codedError('BAD_USER_INPUT', `Invalid NHS number: ${problem}.`, { argument: 'nhsNumber' });
        }
        const rule = entryRefusal(ctx.user, ctx.purpose);
        const attributes: ChildAttributes | null = rule ? null : await ctx.attributesOf(args.nhsNumber);
        const refusal =
          rule ??
          (!attributes || (attributes.relationship === 'NONE' && !ctx.breakGlass)
            ? 'NO_LEGITIMATE_RELATIONSHIP'
            : null);
        if (refusal) {
          ctx.refusedChildren.push({ nhsNumber: args.nhsNumber, rule: refusal });
          throw forbidden({ rule: refusal, agency: 'gateway', class: 'IDENTITY' });
        }
        const facts = await ctx.facts.load(args.nhsNumber);
        // "No decisions" is only said when every agency answered: one that did not could hold one.
        if (facts.unavailable.length > 0)
          throw codedError(
            'AGENCY_UNAVAILABLE',
            `Decisions not to share cannot be listed while ${facts.unavailable.join(', ')} cannot be asked.`,
            { agency: facts.unavailable[0] },
          );
        ctx.entered.push(args.nhsNumber);
        for (const d of facts.decisions)
          if (d.agency !== ctx.user.agency)
            ctx.sharedByGateway.push({ nhsNumber: args.nhsNumber, agency: d.agency, fields: EXISTENCE_FIELDS });
        return facts.decisions.map((d) => present({ ...d, nhsNumber: args.nhsNumber }, ctx));
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
        const all = got.decisions.map((d) => present(d, ctx));
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
        return present(decision, ctx);
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
        return present(decision, ctx);
      },
    },
  };
}
