import { Kind, type DocumentNode, type OperationDefinitionNode } from 'graphql';
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
