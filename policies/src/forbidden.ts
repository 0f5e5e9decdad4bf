import { GraphQLError } from 'graphql';
import { withheldMessage } from './compile.js';
import type { DataClass } from './vocabulary.js';

/** What a refusal names: the rule, the agency whose data (or whose entry point) it is, and the class. */
export interface Withholding {
  rule: string;
  agency: string;
  class: DataClass | 'UNCLASSIFIED';
}

/**
 * The one FORBIDDEN_BY_POLICY error, in the gateway and every agency alike: the same words and
 * extensions whether or not the field holds data (withheld is not absent).
 */
export function forbidden(d: Withholding, path?: readonly (string | number)[]): GraphQLError {
  // A refusal is the policy's answer, not a fault: its stack would say nothing and costs most of making it
  // (several times over on a caseload refused field by field). Given its path, GraphQL takes it as it is.
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return new GraphQLError(withheldMessage(d), {
      ...(path ? { path } : {}),
      extensions: { code: 'FORBIDDEN_BY_POLICY', rule: d.rule, agency: d.agency, class: d.class },
    });
  } finally {
    Error.stackTraceLimit = limit;
  }
}
