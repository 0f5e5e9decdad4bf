import {
  GraphQLError,
  getNamedType,
  isObjectType,
  Kind,
  type DocumentNode,
  type FieldNode,
  type GraphQLObjectType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import type { FieldDecision } from '@macpt/policies';
import { collectFields, subSelection, type Selections } from './collect-fields.js';
import { CHILD_KEY_ALIAS, CHILD_LINK_ALIAS } from './rewrite.js';

/** A field's fate for one child: `exempt` for the gateway's own fields (they carry no agency data). */
export type Verdict = FieldDecision | 'exempt';

/** What the final check found: per child, which fields each agency disclosed and which were withheld. */
export interface DisclosureSummary {
  /** NHS number → agency → disclosed `Type.field` coordinates. */
  disclosed: Map<string, Map<string, Set<string>>>;
  /** NHS number (or '' when no child) → withheld coordinates with their rule. */
  withheld: Map<string, Map<string, { agency: string; rule: string; class: string }>>;
  /** Fields an agency released although policy forbids them (caught here; a defect to investigate). */
  caught: { coordinate: string; path: (string | number)[] }[];
}

/** A withheld field's error (policies' `forbidden`, so gateway and agencies word it the same). */
export type WithheldError = (decision: FieldDecision, path: (string | number)[]) => GraphQLError;

/** Everything the final check needs. */
export interface EnforceInput {
  schema: GraphQLSchema;
  document: DocumentNode;
  operationName: string | null | undefined;
  variables: Record<string, unknown>;
  childLinks: Record<string, string>;
  decide: (coordinate: string, nhsNumber: string | null) => Verdict;
  withheldError: WithheldError;
}

function operationOf(document: DocumentNode, name: string | null | undefined): OperationDefinitionNode | undefined {
  const operations = document.definitions.filter(
    (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION,
  );
  return name ? operations.find((o) => o.name?.value === name) : operations.length === 1 ? operations[0] : undefined;
}

/**
 * The gateway's final check: walks the response along the client's original operation, re-decides
 * every field against the policy for the child it belongs to, withholds what must not leave (null
 * plus an error at its path), strips the hidden selections, and summarises what was disclosed.
 */
export function enforce(
  input: EnforceInput,
  data: Record<string, unknown> | null | undefined,
  errors: readonly { path?: readonly (string | number)[] }[],
) {
  const summary: DisclosureSummary = { disclosed: new Map(), withheld: new Map(), caught: [] };
  const added: ReturnType<WithheldError>[] = [];
  const erroredPaths = new Set(errors.filter((e) => e.path).map((e) => JSON.stringify(e.path)));
  const withheldPaths: string[] = [];
  const operation = operationOf(input.document, input.operationName);
  const selections: Selections = {
    fragments: Object.fromEntries(
      input.document.definitions.filter((d) => d.kind === Kind.FRAGMENT_DEFINITION).map((d) => [d.name.value, d]),
    ),
    variables: input.variables,
  };

  // What a selection set asks of an object of a type is the same for every child in the response:
  // collected once per request, with each field's coordinate, type and sub-selection.
  interface Planned {
    key: string;
    name: string;
    coordinate: string;
    objectType: GraphQLObjectType | null;
    sub: SelectionSetNode | undefined;
  }
  const planned = new Map<SelectionSetNode, Map<GraphQLObjectType, Planned[]>>();
  const plan = (type: GraphQLObjectType, selectionSet: SelectionSetNode): Planned[] => {
    let byType = planned.get(selectionSet);
    if (!byType) planned.set(selectionSet, (byType = new Map()));
    let fields = byType.get(type);
    if (!fields) {
      fields = [...collectFields(type, selectionSet, selections)].map(([key, nodes]) => {
        const name = (nodes[0] as FieldNode).name.value;
        const field = name.startsWith('__') ? undefined : type.getFields()[name];
        const named = field ? getNamedType(field.type) : undefined;
        return {
          key,
          name,
          coordinate: `${type.name}.${name}`,
          objectType: named && isObjectType(named) ? named : null,
          sub: subSelection(nodes),
        };
      });
      byType.set(type, fields);
    }
    return fields;
  };
  // Paths are linked, and only spelled out for a withheld field.
  type Path = { up: Path | null; key: string | number } | null;
  const spell = (path: Path): (string | number)[] => {
    const out: (string | number)[] = [];
    for (let p = path; p; p = p.up) out.push(p.key);
    return out.reverse();
  };

  const walkValue = (
    type: GraphQLObjectType,
    value: unknown,
    selectionSet: SelectionSetNode,
    path: Path,
    child: string | null,
  ): unknown => {
    if (Array.isArray(value))
      return value.map((item, i) => walkValue(type, item, selectionSet, { up: path, key: i }, child));
    if (value === null || typeof value !== 'object') return value;
    return walkObject(type, value as Record<string, unknown>, selectionSet, path, child);
  };

  const walkObject = (
    type: GraphQLObjectType,
    obj: Record<string, unknown>,
    selectionSet: SelectionSetNode,
    path: Path,
    inherited: string | null,
  ) => {
    let child = inherited;
    if (typeof obj[CHILD_KEY_ALIAS] === 'string') child = obj[CHILD_KEY_ALIAS] as string;
    const link = obj[CHILD_LINK_ALIAS] as { nhsNumber?: string } | null | undefined;
    if (input.childLinks[type.name] && link?.nhsNumber) child = link.nhsNumber;
    const out: Record<string, unknown> = {};
    let disclosedHere: Set<string> | null = null;
    let disclosedAgency: string | null = null;
    for (const { key, name, coordinate, objectType, sub } of plan(type, selectionSet)) {
      if (name === '__typename') {
        out[key] = obj[key] ?? type.name;
        continue;
      }
      if (name.startsWith('__')) {
        // Introspection (__schema, __type) describes the schema, never a child: it passes as it is.
        out[key] = obj[key] ?? null;
        continue;
      }
      const verdict = input.decide(coordinate, child);
      if (verdict !== 'exempt' && !verdict.allowed) {
        const fieldPath = spell({ up: path, key });
        if (obj[key] !== null && obj[key] !== undefined)
          summary.caught.push({ coordinate: verdict.coordinate, path: fieldPath });
        out[key] = null;
        withheldPaths.push(JSON.stringify(fieldPath).slice(0, -1));
        const perChild = summary.withheld.get(child ?? '') ?? new Map();
        perChild.set(verdict.coordinate, { agency: verdict.agency, rule: verdict.rule, class: verdict.class });
        summary.withheld.set(child ?? '', perChild);
        if (!erroredPaths.has(JSON.stringify(fieldPath))) added.push(input.withheldError(verdict, fieldPath));
        continue;
      }
      const value = obj[key];
      if (value === undefined || value === null) {
        out[key] = null;
        continue;
      }
      if (verdict !== 'exempt' && child) {
        if (disclosedAgency !== verdict.agency) {
          const agencies = summary.disclosed.get(child) ?? new Map<string, Set<string>>();
          summary.disclosed.set(child, agencies);
          disclosedHere = agencies.get(verdict.agency) ?? new Set<string>();
          agencies.set(verdict.agency, disclosedHere);
          disclosedAgency = verdict.agency;
        }
        disclosedHere!.add(verdict.coordinate);
      }
      out[key] = objectType && sub ? walkValue(objectType, value, sub, { up: path, key }, child) : value;
    }
    return out;
  };

  const root = operation?.operation === 'mutation' ? input.schema.getMutationType() : input.schema.getQueryType();
  const result =
    data && operation && root ? walkObject(root, data, operation.selectionSet, null, null) : (data ?? null);
  // Errors inside a withheld field would describe what is not shown: they go with it.
  const inside = (path: readonly (string | number)[] | undefined) => {
    if (!path) return false;
    const text = JSON.stringify(path);
    return withheldPaths.some((prefix) => text.startsWith(prefix) && text.length > prefix.length + 1);
  };
  return { data: result, added, keep: (e: { path?: readonly (string | number)[] }) => !inside(e.path), summary };
}
