import { codedError, nhsNumberProblem } from '@macpt/kit';
import { childAttributes, entryRefusal, RULE_TEXT, withheldMessage, type PolicyEngine } from '@macpt/policies';
import type { GatewayContext } from '../context.js';

/** The most children one `children(...)` call may name: a caseload, not a bulk export. */
export const MAX_CHILDREN_PER_QUERY = 1000;

const NO_RELATIONSHIP = { agency: 'gateway', rule: 'NO_LEGITIMATE_RELATIONSHIP', class: 'IDENTITY' } as const;

/** Resolvers of the gateway's directory: validate the NHS number, check the caller's relationship, explain decisions. */
export function directoryResolvers(engine: PolicyEngine, options: { open?: boolean } = {}) {
  const lookUp = async (nhsNumber: string, context: GatewayContext) => {
    const problem = nhsNumberProblem(nhsNumber);
    if (problem) return codedError('BAD_USER_INPUT', `Invalid NHS number: ${problem}.`, { argument: 'nhsNumber' });
    // Benchmark mode (POLICY_ENFORCEMENT=off): the directory only validates, like any stock gateway would.
    if (options.open) return { nhsNumber };
    const rule = entryRefusal(context.user, context.purpose);
    if (rule) {
      return codedError('FORBIDDEN_BY_POLICY', withheldMessage({ agency: 'gateway', rule }), { rule, agency: 'gateway', class: 'IDENTITY' });
    }
    const facts = await context.facts.load(nhsNumber);
    if (!context.breakGlass && childAttributes(context.user, context.purpose, facts).relationship === 'NONE') {
      // Fail closed, and say why: without social care (cases) or education (rolls) no relationship can be shown.
      if (facts.unavailable.length > 0) {
        return codedError('AGENCY_UNAVAILABLE', `Your relationship with this child cannot be established while ${facts.unavailable.join(', ')} cannot be asked.`, { agency: facts.unavailable[0], unavailable: facts.unavailable });
      }
      // Unknown and unrelated children get the same answer: a child's existence is itself information.
      context.refusedChildren.push({ nhsNumber, rule: NO_RELATIONSHIP.rule });
      return codedError('FORBIDDEN_BY_POLICY', withheldMessage(NO_RELATIONSHIP), { ...NO_RELATIONSHIP });
    }
    if (facts.knownBy.length > 0) {
      // Each different child a user opens counts towards their hourly limit: a bulk export stops here.
      const rate = await context.rateLimiter.child(context.user.id, nhsNumber).catch(() => ({ allowed: true as const }));
      if (!rate.allowed) {
        context.rateLimited = true;
        context.refusedChildren.push({ nhsNumber, rule: 'RATE_LIMITED' });
        return codedError('RATE_LIMITED', `${rate.message} Try again in ${rate.retryAfterSeconds} s.`, { limit: rate.limit, retryAfterSeconds: rate.retryAfterSeconds });
      }
      context.entered.push(nhsNumber);
      return { nhsNumber };
    }
    const unreachable = facts.unavailable.length > 0 ? ` (could not ask: ${facts.unavailable.join(', ')})` : '';
    return codedError('NOT_FOUND', `No agency holds a record for NHS number ${nhsNumber}${unreachable}.`, { nhsNumber, unavailable: facts.unavailable });
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
          throw codedError('BAD_USER_INPUT', `children(nhsNumbers:) takes at most ${MAX_CHILDREN_PER_QUERY} NHS numbers; got ${args.nhsNumbers.length}.`);
        }
        // An Error in a list position becomes null with an error at that index; the rest are served.
        return args.nhsNumbers.map((n) => lookUp(n, context));
      },
      accessExplanation: async (_: unknown, args: { nhsNumber: string }, context: GatewayContext) => {
        const problem = nhsNumberProblem(args.nhsNumber);
        if (problem) throw codedError('BAD_USER_INPUT', `Invalid NHS number: ${problem}.`, { argument: 'nhsNumber' });
        const attributes = childAttributes(context.user, context.purpose, await context.facts.load(args.nhsNumber));
        const related = attributes.relationship !== 'NONE' || context.breakGlass;
        return {
          nhsNumber: args.nhsNumber,
          purpose: context.purpose,
          relationship: attributes.relationship,
          // Without a relationship, even whether the case supports a purpose would say too much.
          purposeSupported: related ? attributes.purposeSupported : null,
          breakGlass: context.breakGlass,
          entries: engine.explain(context.user, context.purpose, related ? attributes : { ...attributes, purposeSupported: false }).map((e) => ({
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
