import { codedError, nhsNumberProblem } from '@macpt/kit';
import {
  caseloadRefusal,
  childAttributes,
  entryRefusal,
  forbidden,
  RULE_TEXT,
  type PolicyEngine,
} from '@macpt/policies';
import type { GatewayContext } from '../context.js';
import type { ChildFacts } from '../facts/child-facts.js';
import { childRateDecision } from '../limits/rate-limit.js';

/** The most children one `children(...)` call may name: a caseload, not a bulk export. */
export const MAX_CHILDREN_PER_QUERY = 1000;

/** An entry point's refusal: the gateway's own, about identity (whether the child or case may be named at all). */
const refused = (rule: string) => forbidden({ rule, agency: 'gateway', class: 'IDENTITY' });
const NO_RELATIONSHIP = 'NO_LEGITIMATE_RELATIONSHIP';
const caseNotVisible = (id: string) =>
  codedError('NOT_FOUND', `No MACPT case you may see has id ${JSON.stringify(id.slice(0, 60))}.`);

/**
 * Lets a child into this request's answer, or says why not. Every entry point (`child`, `children`,
 * `case`, `cases`) goes through here, so a child is admitted by the same facts and rules whichever
 * way it is reached, and every refusal is noted for the record.
 */
async function admit(nhsNumber: string, facts: ChildFacts, context: GatewayContext): Promise<Error | null> {
  const relationship = (await context.attributesOf(nhsNumber))?.relationship ?? 'NONE';
  if (!context.breakGlass && relationship === 'NONE') {
    // Fail closed, and say why: without social care (cases) or education (rolls) no relationship can be shown.
    if (facts.unavailable.length > 0) {
      context.refusedChildren.push({ nhsNumber, rule: 'AGENCY_UNAVAILABLE' });
      return codedError(
        'AGENCY_UNAVAILABLE',
        `Your relationship with this child cannot be established while ${facts.unavailable.join(', ')} cannot be asked.`,
        { agency: facts.unavailable[0], unavailable: facts.unavailable },
      );
    }
    context.refusedChildren.push({ nhsNumber, rule: NO_RELATIONSHIP });
    return refused(NO_RELATIONSHIP);
  }
  // Each different child a user opens counts towards their hourly limit: a bulk export stops here.
  const rate = await childRateDecision(context.rateLimiter, context.user.id, nhsNumber);
  if (!rate.allowed) {
    context.rateLimited = rate.limit !== 'unavailable';
    context.refusedChildren.push({
      nhsNumber,
      rule: rate.limit === 'unavailable' ? 'RATE_LIMIT_UNAVAILABLE' : 'RATE_LIMITED',
    });
    return codedError(
      rate.limit === 'unavailable' ? 'RATE_LIMIT_UNAVAILABLE' : 'RATE_LIMITED',
      `${rate.message} Try again in ${rate.retryAfterSeconds} s.`,
      { limit: rate.limit, retryAfterSeconds: rate.retryAfterSeconds },
    );
  }
  context.entered.push(nhsNumber);
  return null;
}

/** Resolvers of the gateway's directory: validate identifiers, check the caller's relationship, explain decisions. */
export function directoryResolvers(engine: PolicyEngine, options: { open?: boolean } = {}) {
  const lookUp = async (nhsNumber: string, context: GatewayContext) => {
    const problem = nhsNumberProblem(nhsNumber);
    if (problem) {
      // A malformed identifier is a refused attempt too: the record keeps what was asked (capped), for IG.
      context.refusedChildren.push({ nhsNumber: nhsNumber.slice(0, 20), rule: 'BAD_USER_INPUT' });
      return codedError('BAD_USER_INPUT', `Invalid NHS number: ${problem}.`, { argument: 'nhsNumber' });
    }
    // Benchmark mode (POLICY_ENFORCEMENT=off): the directory only validates, like any stock gateway would.
    if (options.open) return { nhsNumber };
    const rule = entryRefusal(context.user, context.purpose);
    if (rule) {
      context.refusedChildren.push({ nhsNumber, rule });
      return refused(rule);
    }
    const facts = await context.facts.load(nhsNumber);
    // Unknown and unrelated children get the same answer (admit refuses both): a child's existence is
    // itself information. Only break-glass, which needs no relationship, can tell that no agency knows one.
    if (facts.knownBy.length === 0 && context.breakGlass) {
      context.refusedChildren.push({ nhsNumber, rule: 'NOT_FOUND' });
      const unreachable = facts.unavailable.length > 0 ? ` (could not ask: ${facts.unavailable.join(', ')})` : '';
      return codedError('NOT_FOUND', `No agency holds a record for NHS number ${nhsNumber}${unreachable}.`, {
        nhsNumber,
        unavailable: facts.unavailable,
      });
    }
    return (await admit(nhsNumber, facts, context)) ?? { nhsNumber };
  };

  /** Opens the cases asked about: each one only if its child would be let in by `child()`. */
  const openCases = async (
    ids: readonly string[] | null,
    la: string | null,
    status: string,
    context: GatewayContext,
  ) => {
    let found;
    try {
      found = await context.cases(ids ? { ids: [...ids] } : { la: la!, status });
    } catch {
      throw codedError(
        'AGENCY_UNAVAILABLE',
        'The agency that runs MACPT cases did not answer, so no case can be opened.',
        { agency: engine.caseAgency() ?? 'unknown' },
      );
    }
    const facts = await context.facts.loadMany(found.map((c) => c.nhsNumber));
    const opened: { id: string }[] = [];
    for (const [i, kase] of found.entries()) {
      const f = facts[i];
      if (!f || f instanceof Error || (await admit(kase.nhsNumber, f, context))) continue;
      context.caseChildren.set(kase.id, kase.nhsNumber);
      opened.push({ id: kase.id });
    }
    return opened;
  };

  return {
    Query: {
      child: async (_: unknown, args: { nhsNumber: string }, context: GatewayContext) => {
        const found = await lookUp(args.nhsNumber, context);
        if (found instanceof Error) throw found;
        return found;
      },
      children: (_: unknown, args: { nhsNumbers: string[] }, context: GatewayContext) => {
        if (args.nhsNumbers.length > MAX_CHILDREN_PER_QUERY) {
          throw codedError(
            'BAD_USER_INPUT',
            `children(nhsNumbers:) takes at most ${MAX_CHILDREN_PER_QUERY} NHS numbers; got ${args.nhsNumbers.length}.`,
          );
        }
        // An Error in a list position becomes null with an error at that index; the rest are served.
        return args.nhsNumbers.map((n) => lookUp(n, context));
      },
      case: async (_: unknown, args: { id: string }, context: GatewayContext) => {
        if (options.open) return { id: args.id };
        context.askedCases.push(args.id.slice(0, 60));
        const rule = entryRefusal(context.user, context.purpose);
        if (rule) throw refused(rule);
        const [opened] = await openCases([args.id], null, 'OPEN', context);
        // Unknown and not-yours look the same: a case's existence is itself safeguarding information.
        if (!opened) throw caseNotVisible(args.id);
        return opened;
      },
      cases: async (_: unknown, args: { la: string; status: string }, context: GatewayContext) => {
        if (options.open) return (await context.cases({ la: args.la, status: args.status })).map((c) => ({ id: c.id }));
        const rule = entryRefusal(context.user, context.purpose) ?? caseloadRefusal(context.user, args.la);
        if (rule) throw refused(rule);
        return openCases(null, args.la, args.status, context);
      },
      accessExplanation: async (_: unknown, args: { nhsNumber: string }, context: GatewayContext) => {
        const problem = nhsNumberProblem(args.nhsNumber);
        if (problem) {
          context.refusedChildren.push({ nhsNumber: args.nhsNumber.slice(0, 20), rule: 'BAD_USER_INPUT' });
          throw codedError('BAD_USER_INPUT', `Invalid NHS number: ${problem}.`, { argument: 'nhsNumber' });
        }
        const attributes =
          (await context.attributesOf(args.nhsNumber)) ??
          childAttributes(context.user, context.purpose, { openCase: null, schoolUrn: null, confidentialBy: [] });
        const related = attributes.relationship !== 'NONE' || context.breakGlass;
        return {
          nhsNumber: args.nhsNumber,
          purpose: context.purpose,
          relationship: attributes.relationship,
          // Without a relationship, even whether the case supports a purpose would say too much.
          purposeSupported: related ? attributes.purposeSupported : null,
          breakGlass: context.breakGlass,
          entries: engine
            .explain(context.user, context.purpose, related ? attributes : { ...attributes, purposeSupported: false })
            .map((e) => ({
              ...e,
              reason: RULE_TEXT[e.rule] ?? e.rule,
              lawfulBasis: engine.lawfulBasis(e.agency) ?? '',
            })),
        };
      },
    },
    Child: {
      __resolveReference: (ref: { nhsNumber: string }) => ({ nhsNumber: ref.nhsNumber }),
    },
  };
}
