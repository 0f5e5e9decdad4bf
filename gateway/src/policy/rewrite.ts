import { createHash } from 'node:crypto';
import {
  Kind,
  print,
  TypeInfo,
  visit,
  visitWithTypeInfo,
  type DocumentNode,
  type FieldNode,
  type GraphQLSchema,
  type SelectionNode,
  type SelectionSetNode,
} from 'graphql';

/** Aliases the gateway adds to learn which child each object belongs to; stripped before the response leaves. */
export const HIDDEN_ALIAS_PREFIX = '_macpt';
export const CHILD_KEY_ALIAS = '_macptNhs';
export const CHILD_LINK_ALIAS = '_macptChild';

/** The operation as the gateway sends it to planning. */
export interface RewrittenOperation {
  document: DocumentNode;
  /** SHA-256 of the rewritten text: the query-plan cache key, so one persona's plan never serves another's. */
  queryHash: string;
  /** Coordinates removed because this role and purpose can never see them. */
  removed: string[];
  /** The client used one of the gateway's reserved aliases (refused: it would be stripped). */
  usesReservedAlias: boolean;
}

/** A field selection, as the gateway adds it to an operation (optionally aliased, with a sub-selection). */
export const field = (name: string, alias?: string | null, selections?: readonly SelectionNode[]): FieldNode => ({
  kind: Kind.FIELD,
  name: { kind: Kind.NAME, value: name },
  ...(alias ? { alias: { kind: Kind.NAME, value: alias } } : {}),
  ...(selections ? { selectionSet: { kind: Kind.SELECTION_SET, selections } } : {}),
});

/**
 * Removes the fields a role and purpose can never see, before the query plan is built, so no agency
 * is asked for them; adds the hidden selections that name each object's child (for the final check).
 *
 * @param childLinks - types whose objects belong to a child, and the field that leads to it (`MacptCase` → `child`).
 */
export function rewriteOperation(
  schema: GraphQLSchema,
  document: DocumentNode,
  removable: (coordinate: string) => boolean,
  childLinks: Record<string, string>,
  /** The gateway expanded a chronology: its own hidden selections (`_macptChron…`) are in the document. */
  chronologyExpanded = false,
): RewrittenOperation {
  const typeInfo = new TypeInfo(schema);
  const removed: string[] = [];
  let usesReservedAlias = false;
  const rewritten = visit(
    document,
    visitWithTypeInfo(typeInfo, {
      Field: {
        enter(node) {
          const alias = node.alias?.value;
          if (
            alias?.startsWith(HIDDEN_ALIAS_PREFIX) &&
            !(chronologyExpanded && alias.startsWith(`${HIDDEN_ALIAS_PREFIX}Chron`))
          )
            usesReservedAlias = true;
          const parent = typeInfo.getParentType();
          if (!parent || parent.name.startsWith('__') || node.name.value.startsWith('__')) return undefined;
          const coordinate = `${parent.name}.${node.name.value}`;
          if (!removable(coordinate)) return undefined;
          removed.push(coordinate);
          return null;
        },
      },
      SelectionSet: {
        leave(node): SelectionSetNode {
          const type = typeInfo.getParentType();
          const extra: FieldNode[] = [];
          if (type?.name === 'Child') extra.push(field('nhsNumber', CHILD_KEY_ALIAS));
          const link = type ? childLinks[type.name] : undefined;
          if (link) extra.push(field(link, CHILD_LINK_ALIAS, [field('nhsNumber')]));
          if (node.selections.length === 0 && extra.length === 0) extra.push(field('__typename'));
          return extra.length > 0 ? { ...node, selections: [...node.selections, ...extra] } : node;
        },
      },
    }),
  );
  return {
    document: rewritten,
    queryHash: createHash('sha256').update(print(rewritten)).digest('hex'),
    removed: [...new Set(removed)],
    usesReservedAlias,
  };
}
