import { codedError } from '@macpt/kit';
import { caseloadRefusal, entryRefusal, RULE_TEXT, type PolicyEngine } from '@macpt/policies';
import type { GatewayContext } from '../context.js';
import { admitChild, admitOrThrow, refusedAt } from './admission.js';

/** The most children one `children(...)` call may name: a caseload, not a bulk export. */
export const MAX_CHILDREN_PER_QUERY = 1000;

/** What an explanation tells about a child, for its record: the relationship always, the purpose's support when the asker may see the stage. */
const EXPLANATION_FIELDS = ['AccessExplanation.relationship', 'AccessExplanation.entries'];

const caseNotVisible = (id: string) =>
  codedError('NOT_FOUND', `No MACPT case you may see has id ${JSON.stringify(id.slice(0, 60))}.`);

/** Resolvers of the gateway's directory: validate identifiers, check the caller's relationship, explain decisions. */
export function directoryResolvers(engine: PolicyEngine, options: { open?: boolean } = {}) {
  const lookUp = async (nhsNumber: string, context: GatewayContext) => {
    // Benchmark mode (POLICY_ENFORCEMENT=off): the directory only validates, like any stock gateway would.
    if (options.open) return { nhsNumber };
    const admitted = await admitChild(context, nhsNumber, { unknownIsNotFound: true });
    return admitted instanceof Error ? admitted : { nhsNumber };
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
    const admitted = await Promise.all(found.map((kase) => admitChild(context, kase.nhsNumber)));
    const opened: { id: string }[] = [];
    for (const [i, kase] of found.entries()) {
      if (admitted[i] instanceof Error) continue;
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
        context.ledger.askCase(args.id);
        const rule = entryRefusal(context.user, context.purpose);
        if (rule) throw refusedAt(rule);
        const [opened] = await openCases([args.id], null, 'OPEN', context);
        // Unknown and not-yours look the same: a case's existence is itself safeguarding information.
        if (!opened) throw caseNotVisible(args.id);
        return opened;
      },
      cases: async (_: unknown, args: { la: string; status: string }, context: GatewayContext) => {
        if (options.open) return (await context.cases({ la: args.la, status: args.status })).map((c) => ({ id: c.id }));
        const rule = entryRefusal(context.user, context.purpose) ?? caseloadRefusal(context.user, args.la);
        if (rule) throw refusedAt(rule);
        return openCases(null, args.la, args.status, context);
      },
      accessExplanation: async (_: unknown, args: { nhsNumber: string }, context: GatewayContext) => {
        // An explanation says something about the child (how the asker stands to it): through the same door.
        const { attributes } = await admitOrThrow(context, args.nhsNumber);
        // Whether the case supports the purpose tells its stage: only to those who may read the stage itself.
        const toldSupport = engine.mayKnowCaseStage(context.user, context.purpose, attributes);
        context.ledger.tell(
          args.nhsNumber,
          'gateway',
          toldSupport ? [...EXPLANATION_FIELDS, 'AccessExplanation.purposeSupported'] : EXPLANATION_FIELDS,
        );
        return {
          nhsNumber: args.nhsNumber,
          purpose: context.purpose,
          relationship: attributes.relationship,
          purposeSupported: toldSupport ? attributes.purposeSupported : null,
          breakGlass: context.breakGlass,
          entries: engine.explain(context.user, context.purpose, attributes).map((e) => ({
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
