import { Kind, valueFromASTUntyped, type DocumentNode, type OperationDefinitionNode, type ValueNode } from 'graphql';
import { isNhsNumber } from '@macpt/kit';

/**
 * The one child an operation is about, when that is known before planning: every root field takes an
 * `nhsNumber` argument and they all name the same valid one. Otherwise null (a case, a caseload, a
 * list of children, or several children: what is withheld for one must not be removed for another).
 */
export function singleChildOf(
  document: DocumentNode,
  operationName: string | null | undefined,
  variables: Record<string, unknown>,
): string | null {
  const operations = document.definitions.filter(
    (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION,
  );
  const operation = operationName ? operations.find((o) => o.name?.value === operationName) : operations[0];
  if (!operation || (operations.length > 1 && !operationName)) return null;
  const named = new Set<string>();
  for (const selection of operation.selectionSet.selections) {
    if (selection.kind !== Kind.FIELD) return null;
    if (selection.name.value === '__typename') continue;
    const arg = selection.arguments?.find((a) => a.name.value === 'nhsNumber');
    if (!arg) return null;
    const value =
      arg.value.kind === Kind.STRING
        ? arg.value.value
        : arg.value.kind === Kind.VARIABLE
          ? variables[arg.value.name.value]
          : undefined;
    if (typeof value !== 'string' || !isNhsNumber(value)) return null;
    named.add(value);
  }
  return named.size === 1 ? [...named][0]! : null;
}

/** Root fields that reach several children without naming them: a caseload, an inbox, an overdue list. */
const REACHES_MANY = new Set(['cases', 'notifications', 'overdueNotifications']);

/**
 * How many different children an operation names before it runs (for break-glass, which is for one):
 * NHS numbers in `nhsNumber`/`nhsNumbers` arguments (or an input's), and case ids; a root field that
 * lists children without naming them counts as many (Infinity), as does an operation that cannot be read.
 */
export function childrenNamed(
  document: DocumentNode,
  operationName: string | null | undefined,
  variables: Record<string, unknown>,
): number {
  const operations = document.definitions.filter(
    (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION,
  );
  const operation = operationName ? operations.find((o) => o.name?.value === operationName) : operations[0];
  if (!operation) return 0;
  const named = new Set<string>();
  const valueOf = (node: ValueNode): unknown => valueFromASTUntyped(node, variables);
  for (const selection of operation.selectionSet.selections) {
    if (selection.kind !== Kind.FIELD) return Number.POSITIVE_INFINITY;
    if (REACHES_MANY.has(selection.name.value)) return Number.POSITIVE_INFINITY;
    for (const arg of selection.arguments ?? []) {
      const value = valueOf(arg.value);
      const input = value !== null && typeof value === 'object' && !Array.isArray(value) ? value : null;
      const nhs = arg.name.value === 'nhsNumber' ? value : (input as { nhsNumber?: unknown } | null)?.nhsNumber;
      if (typeof nhs === 'string') named.add(`nhs:${nhs}`);
      if (arg.name.value === 'nhsNumbers' && Array.isArray(value)) for (const n of value) named.add(`nhs:${String(n)}`);
      if (selection.name.value === 'case' && arg.name.value === 'id') named.add(`case:${String(value)}`);
    }
  }
  return named.size;
}
