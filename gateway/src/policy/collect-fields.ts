import {
  Kind,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLObjectType,
  type SelectionSetNode,
} from 'graphql';

/** What decides which selections apply: the operation's fragments and variables. */
export interface Selections {
  fragments: Record<string, FragmentDefinitionNode>;
  variables: Record<string, unknown>;
}

function included(
  node: {
    directives?: readonly {
      name: { value: string };
      arguments?: readonly { name: { value: string }; value: unknown }[];
    }[];
  },
  variables: Record<string, unknown>,
): boolean {
  for (const directive of node.directives ?? []) {
    const name = directive.name.value;
    if (name !== 'skip' && name !== 'include') continue;
    const arg = directive.arguments?.find((a) => a.name.value === 'if')?.value as
      | { kind: string; value?: boolean; name?: { value: string } }
      | undefined;
    const value = arg?.kind === Kind.VARIABLE ? variables[arg.name!.value] === true : arg?.value === true;
    if (name === 'skip' && value) return false;
    if (name === 'include' && !value) return false;
  }
  return true;
}

/**
 * The fields a selection set asks of an object of `type`, grouped by response key, as GraphQL
 * execution collects them: aliases, named and inline fragments (by type condition) and @skip/@include.
 */
export function collectFields(
  type: GraphQLObjectType,
  selectionSet: SelectionSetNode,
  ctx: Selections,
  out = new Map<string, FieldNode[]>(),
  seen = new Set<string>(),
): Map<string, FieldNode[]> {
  for (const selection of selectionSet.selections) {
    if (!included(selection, ctx.variables)) continue;
    if (selection.kind === Kind.FIELD) {
      const key = selection.alias?.value ?? selection.name.value;
      const list = out.get(key);
      if (list) list.push(selection);
      else out.set(key, [selection]);
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      const condition = selection.typeCondition?.name.value;
      if (!condition || condition === type.name || type.getInterfaces().some((i) => i.name === condition))
        collectFields(type, selection.selectionSet, ctx, out, seen);
    } else {
      const name = selection.name.value;
      const fragment = ctx.fragments[name];
      if (!fragment || seen.has(name)) continue;
      seen.add(name);
      const condition = fragment.typeCondition.name.value;
      if (condition === type.name || type.getInterfaces().some((i) => i.name === condition))
        collectFields(type, fragment.selectionSet, ctx, out, seen);
    }
  }
  return out;
}

/** The merged sub-selection of several field nodes answering one response key. */
export function subSelection(nodes: readonly FieldNode[]): SelectionSetNode | undefined {
  const selections = nodes.flatMap((n) => n.selectionSet?.selections ?? []);
  return selections.length > 0 ? { kind: Kind.SELECTION_SET, selections } : undefined;
}
