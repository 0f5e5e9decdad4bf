import {
  getNamedType,
  isAbstractType,
  responsePathAsArray,
  isLeafType,
  isObjectType,
  type GraphQLFieldResolver,
  type GraphQLResolveInfo,
  type GraphQLObjectType,
  type GraphQLSchema,
} from 'graphql';
import { type InternalContext } from '@macpt/contract';
import { forbidden, UNRELATED, type FieldMask, type PolicyEngine } from '@macpt/policies';
import type { ChildAttributes } from '@macpt/policies';

/** What a guarded resolver needs from the request context. */
export interface GuardContext {
  caller: InternalContext;
  /** The child's decision attributes, from the gateway's signed facts; null for a child it did not vouch for. */
  attributesOf: (nhsNumber: string) => ChildAttributes | null;
}

/** Marks an object returned for a child with that child's NHS number, so nested fields know whose they are. */
const CHILD = Symbol('macpt.child');
/** A projected object's field decisions (its child's mask) and the row it was projected from. */
const MASK = Symbol('macpt.mask');
const RAW = Symbol('macpt.raw');

type Tagged = { nhsNumber?: unknown; [CHILD]?: string; [MASK]?: FieldMask; [RAW]?: object };

/** What a type's objects look like to one shape of child: its allowed plain fields, and a prototype refusing the rest. */
interface Projection {
  allowed: string[];
  prototype: object;
}

const UNGUARDED = new Set(['Query._entities', 'Query._service', '_Service.sdl']);

/**
 * Wraps an agency's schema with its policy check (defence in depth): a field is released only if the
 * agency's own compiled policy allows it for this user, purpose and child, decided before the data is read,
 * so a withheld field looks the same whether or not it holds data.
 *
 * Decisions are made once per shape (issue #27): each child's decisions come from one {@link FieldMask},
 * shared by every child of the same shape. An object of a record type (one reached only through guarded
 * fields, e.g. `HealthRecord`, `AeAttendance`) is projected as it is returned: a copy holding only the plain
 * fields its child's mask allows, over a prototype (built once per mask and type) whose every withheld field
 * is a function GraphQL's default resolver calls, which throws that field's refusal. Its plain fields are then read by GraphQL's own default resolver,
 * with no check of ours per field per child. Every other field (a custom resolver, a nested object, an entry
 * point, a field of an entity type that federation resolves by reference) is wrapped, and decided by the
 * mask of its child before its resolver runs.
 */
export function guardSchema(schema: GraphQLSchema, engine: PolicyEngine): GraphQLSchema {
  const roots = new Set([schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()]);
  const projectable = projectableTypes(schema, roots);
  // Read before any field is wrapped: a plain field is one with no resolver of its own.
  const plainOf = new Map([...projectable].map((type) => [type, plainFields(type)]));
  const masksByRequest = new WeakMap<GuardContext, Map<string | undefined, FieldMask>>();

  /** The mask of one child for this request's user and purpose; a child the gateway did not vouch for is unrelated. */
  const maskOf = (context: GuardContext, nhsNumber: string | undefined): FieldMask => {
    let masks = masksByRequest.get(context);
    if (!masks) {
      masks = new Map();
      masksByRequest.set(context, masks);
    }
    let mask = masks.get(nhsNumber);
    if (!mask) {
      const { user, purpose } = context.caller;
      const attributes = nhsNumber ? context.attributesOf(nhsNumber) : null;
      mask = engine.mask(user!, purpose!, attributes ?? UNRELATED);
      masks.set(nhsNumber, mask);
    }
    return mask;
  };

  const projectionOf = (mask: FieldMask, type: GraphQLObjectType): Projection => {
    let projection = mask.derived.get(type) as Projection | undefined;
    if (!projection) {
      const allowed: string[] = [];
      const prototype = Object.create(null) as object;
      for (const name of plainOf.get(type) ?? []) {
        const decision = mask.decide(`${type.name}.${name}`);
        if (decision.allowed) allowed.push(name);
        // GraphQL's default resolver calls a function it finds, with the field's info: the refusal names its path.
        else
          Object.defineProperty(prototype, name, {
            value: (_args: unknown, _context: unknown, info: GraphQLResolveInfo) => {
              throw forbidden(decision, responsePathAsArray(info.path));
            },
          });
      }
      projection = { allowed, prototype };
      mask.derived.set(type, projection);
    }
    return projection;
  };

  /** A record type's object as this child's mask lets it be read (its own NHS number names its child, if it has one). */
  const project = (
    value: unknown,
    type: GraphQLObjectType,
    parent: string | undefined,
    context: GuardContext,
  ): unknown => {
    if (value === null || value === undefined) return value;
    if (Array.isArray(value)) return value.map((item) => project(item, type, parent, context));
    // A promise (or thenable) in a list: projected once it settles, never read as a row itself.
    if (typeof (value as { then?: unknown }).then === 'function')
      return Promise.resolve(value).then((v) => project(v, type, parent, context));
    // A record type's object is an object: anything else is not read at all.
    if (typeof value !== 'object') return null;
    const row = value as Record<string, unknown>;
    const nhsNumber = typeof row.nhsNumber === 'string' ? row.nhsNumber : parent;
    const mask = maskOf(context, nhsNumber);
    const { allowed, prototype } = projectionOf(mask, type);
    const projected = Object.create(prototype) as Record<string | symbol, unknown>;
    for (const name of allowed) projected[name] = row[name];
    projected[CHILD] = nhsNumber;
    projected[MASK] = mask;
    projected[RAW] = row;
    return projected;
  };

  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    // Only queries are entry points: an agency publishes no mutations, and any field of another root type is
    // decided as a field of no child (unclassified: refused).
    const isRoot = type === schema.getQueryType();
    const plain = new Set(plainOf.get(type) ?? []);
    for (const field of Object.values(type.getFields())) {
      const coordinate = `${type.name}.${field.name}`;
      if (UNGUARDED.has(coordinate) || plain.has(field.name)) continue;
      const resolve: GraphQLFieldResolver<unknown, GuardContext> = field.resolve ?? defaultResolver;
      const returned = getNamedType(field.type);
      const projectsTo = isObjectType(returned) && projectable.has(returned) ? returned : null;
      field.resolve = (source, args, context, info) => {
        const { user, purpose } = context.caller;
        if (!user || !purpose)
          throw forbidden(
            { rule: 'NOT_GRANTED', agency: 'gateway', class: 'IDENTITY' },
            responsePathAsArray(info.path),
          );
        let nhsNumber: string | undefined;
        let row = source;
        if (isRoot) {
          const entry = engine.decideEntry(user, purpose, coordinate);
          if (!entry.allowed) throw forbidden(entry, responsePathAsArray(info.path));
        } else {
          const s = (source ?? {}) as Tagged;
          // A projected object knows its child (never read its fields here: a withheld one throws).
          const projected = s[MASK];
          nhsNumber = projected ? s[CHILD] : typeof s.nhsNumber === 'string' ? s.nhsNumber : s[CHILD];
          const decision = (projected ?? maskOf(context, nhsNumber)).decide(coordinate);
          if (!decision.allowed) throw forbidden(decision, responsePathAsArray(info.path));
          if (projected) row = s[RAW];
        }
        const value = resolve(row, args, context, info);
        const child = nhsNumber;
        if (projectsTo)
          return value instanceof Promise
            ? value.then((v) => project(v, projectsTo, child, context))
            : project(value, projectsTo, child, context);
        if (child === undefined) return value;
        return value instanceof Promise ? value.then((v) => tag(v, child)) : tag(value, child);
      };
    }
  }
  return schema;
}

/** GraphQL's default resolver (a property of the source, called if it is a function). */
const defaultResolver: GraphQLFieldResolver<unknown, unknown> = (source, args, context, info) => {
  if (source === null || typeof source !== 'object') return undefined;
  const property = (source as Record<string, unknown>)[info.fieldName];
  return typeof property === 'function' ? property.call(source, args, context, info) : property;
};

function tag(value: unknown, nhsNumber: string): unknown {
  if (Array.isArray(value)) return value.map((item) => tag(item, nhsNumber));
  if (value !== null && typeof value === 'object' && !(CHILD in value)) return { ...value, [CHILD]: nhsNumber };
  return value;
}

/**
 * The record types: object types whose every object is returned by a guarded field (so it is projected),
 * never by an entry point's unguarded field (`_entities`, an entity resolved by reference) nor as one of an
 * interface's or union's types (whose concrete type is known only after it is returned).
 */
function projectableTypes(
  schema: GraphQLSchema,
  roots: Set<GraphQLObjectType | null | undefined>,
): Set<GraphQLObjectType> {
  const excluded = new Set<string>();
  for (const type of Object.values(schema.getTypeMap())) {
    if (isAbstractType(type)) for (const member of schema.getPossibleTypes(type)) excluded.add(member.name);
    if (!isObjectType(type)) continue;
    for (const field of Object.values(type.getFields()))
      if (UNGUARDED.has(`${type.name}.${field.name}`)) excluded.add(getNamedType(field.type).name);
  }
  return new Set(
    Object.values(schema.getTypeMap()).filter(
      (type): type is GraphQLObjectType =>
        isObjectType(type) && !type.name.startsWith('__') && !roots.has(type) && !excluded.has(type.name),
    ),
  );
}

/**
 * A record type's plain fields: a scalar or enum read straight from the object (no resolver of its own). A field
 * named `then` is not one: a projection holding a function there would be taken for a promise.
 */
function plainFields(type: GraphQLObjectType): string[] {
  return Object.values(type.getFields())
    .filter((field) => !field.resolve && field.name !== 'then' && isLeafType(getNamedType(field.type)))
    .map((field) => field.name);
}
