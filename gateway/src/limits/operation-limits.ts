import { createHash } from 'node:crypto';
import {
  GraphQLError,
  Kind,
  parse,
  type DocumentNode,
  type FragmentDefinitionNode,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';

/** Limits checked before anything else touches an operation (defaults at least as strict as OWASP's advice). */
export interface OperationLimits {
  /** @default 16384 bytes */
  maxDocumentBytes: number;
  /** @default 4000 (Apollo Router's parser limit is 15,000) */
  maxTokens: number;
  /** @default 10 */
  maxDepth: number;
  /** @default 15 */
  maxAliases: number;
  /** @default 5 */
  maxRootFields: number;
}

export const DEFAULT_LIMITS: OperationLimits = {
  maxDocumentBytes: 16_384,
  maxTokens: 4_000,
  maxDepth: 10,
  maxAliases: 15,
  maxRootFields: 5,
};

/** Why an operation was refused. */
export interface LimitViolation {
  limit: keyof OperationLimits | 'fragmentCycle' | 'syntax' | 'variables';
  message: string;
}

interface Measure {
  depth: number;
  aliases: number;
}

function measure(
  selectionSet: SelectionSetNode,
  fragments: Map<string, FragmentDefinitionNode>,
  path: string[],
  memo: Map<string, Measure>,
): Measure | LimitViolation {
  let depth = 0;
  let aliases = 0;
  for (const selection of selectionSet.selections) {
    let inner: Measure | LimitViolation = { depth: 0, aliases: 0 };
    if (selection.kind === Kind.FIELD) {
      if (selection.alias) aliases++;
      if (selection.selectionSet) {
        inner = measure(selection.selectionSet, fragments, path, memo);
        if ('limit' in inner) return inner;
        inner = { depth: inner.depth + 1, aliases: inner.aliases };
      }
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      inner = measure(selection.selectionSet, fragments, path, memo);
    } else {
      const name = selection.name.value;
      if (path.includes(name))
        return {
          limit: 'fragmentCycle',
          message: `Fragment "${name}" spreads itself (${[...path, name].join(' → ')}): fragment cycles are refused.`,
        };
      const fragment = fragments.get(name);
      if (!fragment) continue; // validation will name the unknown fragment
      const cached = memo.get(name);
      inner = cached ?? measure(fragment.selectionSet, fragments, [...path, name], memo);
      if ('limit' in inner) return inner;
      memo.set(name, inner);
    }
    if ('limit' in inner) return inner;
    depth = Math.max(depth, inner.depth);
    aliases += inner.aliases;
  }
  return { depth, aliases };
}

/**
 * Checks a document against the limits without executing, validating or planning it: size first,
 * then a token-limited parse, then one pass for depth, aliases and root fields (fragments measured once).
 * Every operation in the document is checked, whichever the request names: the limits then hold for
 * whatever Apollo Server picks to execute (a name in the URL, in the body, or none).
 */
export function checkOperation(
  query: string,
  limits: OperationLimits,
): { document: DocumentNode; variables: ReadonlySet<string> } | LimitViolation {
  const bytes = Buffer.byteLength(query);
  if (bytes > limits.maxDocumentBytes)
    return {
      limit: 'maxDocumentBytes',
      message: `The operation is ${bytes} bytes; at most ${limits.maxDocumentBytes} are accepted.`,
    };
  let document: DocumentNode;
  try {
    document = parse(query, { maxTokens: limits.maxTokens, noLocation: true });
  } catch (error) {
    const message = (error as GraphQLError).message;
    return /tokens/.test(message)
      ? { limit: 'maxTokens', message: `The operation has more than ${limits.maxTokens} tokens.` }
      : { limit: 'syntax', message };
  }
  const fragments = new Map(
    document.definitions
      .filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION)
      .map((d) => [d.name.value, d]),
  );
  const operations = document.definitions.filter(
    (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION,
  );
  const memo = new Map<string, Measure>();
  for (const operation of operations) {
    const roots = operation.selectionSet.selections.length;
    if (roots > limits.maxRootFields)
      return {
        limit: 'maxRootFields',
        message: `The operation selects ${roots} root fields; at most ${limits.maxRootFields} are accepted.`,
      };
    const m = measure(operation.selectionSet, fragments, [], memo);
    if ('limit' in m) return m;
    if (m.depth + 1 > limits.maxDepth)
      return {
        limit: 'maxDepth',
        message: `The operation is ${m.depth + 1} levels deep; at most ${limits.maxDepth} are accepted.`,
      };
    if (m.aliases > limits.maxAliases)
      return {
        limit: 'maxAliases',
        message: `The operation uses ${m.aliases} aliases; at most ${limits.maxAliases} are accepted.`,
      };
  }
  for (const fragment of fragments.values()) {
    const m = memo.get(fragment.name.value) ?? measure(fragment.selectionSet, fragments, [fragment.name.value], memo);
    if ('limit' in m) return m;
  }
  const variables = new Set(operations.flatMap((o) => (o.variableDefinitions ?? []).map((v) => v.variable.name.value)));
  return { document, variables };
}

/** Most bytes of variables a request may carry: a 1,000-child caseload is about 15 KB. */
export const MAX_VARIABLES_BYTES = 64 * 1024;

/** Variables no operation of the document declares, or too many bytes of them: refused, since parsing them is work an attacker chooses. */
export function checkVariables(variables: unknown, declared: ReadonlySet<string>): LimitViolation | null {
  if (variables === undefined || variables === null) return null;
  if (typeof variables !== 'object' || Array.isArray(variables))
    return { limit: 'variables', message: 'Variables must be a JSON object.' };
  const undeclared = Object.keys(variables).filter((name) => !declared.has(name));
  if (undeclared.length > 0)
    return {
      limit: 'variables',
      message: `The operation declares no variable ${undeclared
        .slice(0, 5)
        .map((v) => `$${v.slice(0, 40)}`)
        .join(', ')}${undeclared.length > 5 ? ` (and ${undeclared.length - 5} more)` : ''}.`,
    };
  const bytes = Buffer.byteLength(JSON.stringify(variables));
  if (bytes > MAX_VARIABLES_BYTES)
    return {
      limit: 'variables',
      message: `The variables are ${bytes} bytes; at most ${MAX_VARIABLES_BYTES} are accepted.`,
    };
  return null;
}

/** The SHA-256 of an operation's text: its identity in the trusted-documents manifest. */
export function documentHash(query: string): string {
  return createHash('sha256').update(query).digest('hex');
}
