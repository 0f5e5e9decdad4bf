import { codedError, nhsNumberProblem } from '@macpt/kit';
import type { GatewayContext } from '../context.js';

/** The most children one `children(...)` call may name: a caseload, not a bulk export. */
export const MAX_CHILDREN_PER_QUERY = 1000;

async function lookUp(nhsNumber: string, context: GatewayContext) {
  const problem = nhsNumberProblem(nhsNumber);
  if (problem) return codedError('BAD_USER_INPUT', `Invalid NHS number: ${problem}.`, { argument: 'nhsNumber' });
  const facts = await context.facts.load(nhsNumber);
  if (facts.knownBy.length > 0) return { nhsNumber };
  const unreachable = facts.unavailable.length > 0 ? ` (could not ask: ${facts.unavailable.join(', ')})` : '';
  return codedError('NOT_FOUND', `No agency holds a record for NHS number ${nhsNumber}${unreachable}.`, { nhsNumber, unavailable: facts.unavailable });
}

/** Resolvers of the gateway's directory: validate the NHS number, confirm some agency knows the child. */
export const directoryResolvers = {
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
  },
  Child: {
    __resolveReference: (ref: { nhsNumber: string }) => ({ nhsNumber: ref.nhsNumber }),
  },
};
