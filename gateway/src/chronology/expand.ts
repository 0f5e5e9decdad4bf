import {
  getArgumentValues,
  getNamedType,
  isObjectType,
  Kind,
  TypeInfo,
  visit,
  visitWithTypeInfo,
  type DocumentNode,
  type FieldNode,
  type GraphQLSchema,
  type SelectionSetNode,
} from 'graphql';
import type { ChronologySource } from '@macpt/policies';
import { field, HIDDEN_ALIAS_PREFIX } from '../policy/rewrite.js';

/** Hidden selections of a chronology's fields start with this (a reserved alias: clients may not use it). */
export const CHRONOLOGY_ALIAS_PREFIX = `${HIDDEN_ALIAS_PREFIX}Chron`;

/** A kind of event, as the schema reaches it: the coordinates of its path, and the type of its objects. */
export interface PlacedSource extends ChronologySource {
  agency: string;
  /** `Child.police`, `PoliceRecord.incidents`: the fields the path goes through. */
  through: string[];
  /** The type of the path's objects (the entries' own fields are its fields). */
  itemType: string;
}

/** One `chronology` selection of the operation, as the gateway answers it. */
export interface ChronologySite {
  /** Its hidden aliases are this prefix and the index of a source in `sources`. */
  prefix: string;
  /** The response key the client gave it. */
  key: string;
  since: string | null;
  until: string | null;
  sources: PlacedSource[];
  /** What the client selected of the Chronology. */
  selectionSet: SelectionSetNode;
}

/** The operation with every `Child.chronology` replaced by hidden selections of the fields its entries come from. */
export interface Expansion {
  document: DocumentNode;
  sites: ChronologySite[];
  /** Names what the expansion depends on beyond the document text (the kinds each site reads). */
  signature: string;
}

/** A chronology asked for wrongly: the client's error, before anything is asked of an agency. */
export class ChronologyInputError extends Error {}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

function validDate(value: unknown, name: string): string | null {
  if (value === undefined || value === null) return null;
  const time = typeof value === 'string' && DATE.test(value) ? Date.parse(`${value}T00:00:00Z`) : Number.NaN;
  if (typeof value !== 'string' || Number.isNaN(time) || new Date(time).toISOString().slice(0, 10) !== value)
    throw new ChronologyInputError(`chronology: ${name} must be a date, YYYY-MM-DD (got ${JSON.stringify(value)}).`);
  return value;
}

/** The sources the schema can reach (a source whose agency is not in the graph now is left out), placed. */
export function placeSources(
  schema: GraphQLSchema,
  sources: readonly (ChronologySource & { agency: string })[],
): PlacedSource[] {
  const placed: PlacedSource[] = [];
  for (const source of sources) {
    let type = schema.getType('Child');
    const through: string[] = [];
    for (const name of source.path) {
      const def = isObjectType(type) ? type.getFields()[name] : undefined;
      if (!def || !isObjectType(type)) {
        type = undefined;
        break;
      }
      through.push(`${type.name}.${name}`);
      type = getNamedType(def.type);
    }
    if (!isObjectType(type)) continue;
    const fields = type.getFields();
    if (![source.date, ...source.detail].every((f) => fields[f])) continue;
    placed.push({ ...source, through, itemType: type.name });
  }
  return placed;
}

/** The hidden selection that reads one source: `_macptChron0_3: police { incidents { date kind … } }`. */
function selectionOf(source: PlacedSource, alias: string): FieldNode {
  const leaves = [...new Set([source.date, ...source.detail])].map((f) => field(f, null));
  let node: FieldNode | null = null;
  for (let i = source.path.length - 1; i >= 0; i--)
    node = field(source.path[i]!, i === 0 ? alias : null, node ? [node] : leaves);
  return node!;
}

/**
 * Replaces each `chronology` selection on `Child` with hidden selections of the fields its entries come
 * from, for the agencies and kinds asked (the others are not asked of anyone, nor recorded). The fields then
 * go through the same planning, per-child decisions and disclosure record as any other selection; the
 * entries are made from what the decisions let through ({@link assembleChronology}). Null when the
 * operation asks for no chronology. Throws {@link ChronologyInputError} for a bad date, agency or kind.
 */
export function expandChronology(
  schema: GraphQLSchema,
  document: DocumentNode,
  variables: Record<string, unknown>,
  placed: readonly PlacedSource[],
): Expansion | null {
  const typeInfo = new TypeInfo(schema);
  const replaced = new Map<FieldNode, FieldNode[]>();
  const sites: ChronologySite[] = [];
  const rewritten = visit(
    document,
    visitWithTypeInfo(typeInfo, {
      Field: {
        enter(node) {
          if (node.alias?.value.startsWith(HIDDEN_ALIAS_PREFIX))
            throw new ChronologyInputError('Aliases starting with "_macpt" are reserved by the gateway.');
          if (node.name.value !== 'chronology' || typeInfo.getParentType()?.name !== 'Child') return undefined;
          const def = typeInfo.getFieldDef();
          if (!def || !node.selectionSet) return false;
          const args = getArgumentValues(def, node, variables) as {
            since?: unknown;
            until?: unknown;
            agencies?: string[] | null;
            kinds?: string[] | null;
          };
          const since = validDate(args.since, 'since');
          const until = validDate(args.until, 'until');
          if (since && until && since > until)
            throw new ChronologyInputError(`chronology: since (${since}) is after until (${until}).`);
          const agencies = new Set(placed.map((s) => s.agency));
          const kinds = new Set(placed.map((s) => s.kind));
          for (const a of args.agencies ?? [])
            if (!agencies.has(a))
              throw new ChronologyInputError(
                `chronology: no agency "${a}" puts events on the chronology; the agencies are ${[...agencies].sort().join(', ')}.`,
              );
          for (const k of args.kinds ?? [])
            if (!kinds.has(k))
              throw new ChronologyInputError(
                `chronology: no kind "${k}"; the kinds are ${[...kinds].sort().join(', ')} (Query.chronologyKinds lists them with their agencies).`,
              );
          const sources = placed.filter(
            (s) => (!args.agencies || args.agencies.includes(s.agency)) && (!args.kinds || args.kinds.includes(s.kind)),
          );
          const prefix = `${CHRONOLOGY_ALIAS_PREFIX}${sites.length}_`;
          sites.push({
            prefix,
            key: node.alias?.value ?? node.name.value,
            since,
            until,
            sources,
            selectionSet: node.selectionSet,
          });
          // A chronology with nothing to read (every kind filtered out) keeps a hidden __typename to be found by.
          replaced.set(
            node,
            sources.length > 0
              ? sources.map((s, i) => selectionOf(s, `${prefix}${i}`))
              : [field('__typename', `${prefix}none`)],
          );
          return false;
        },
      },
      SelectionSet: {
        leave(node): SelectionSetNode | undefined {
          if (!node.selections.some((s) => s.kind === Kind.FIELD && replaced.has(s))) return undefined;
          const selections = node.selections.flatMap((s) =>
            s.kind === Kind.FIELD && replaced.has(s) ? replaced.get(s)! : [s],
          );
          return { ...node, selections };
        },
      },
    }),
  );
  if (sites.length === 0) return null;
  return {
    document: rewritten,
    sites,
    signature: sites.map((s) => s.sources.map((c) => `${c.agency}:${c.kind}`).join(',')).join('|'),
  };
}
