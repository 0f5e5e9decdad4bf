import { defaultFieldResolver, isObjectType, type GraphQLFieldResolver, type GraphQLSchema } from 'graphql';
import { type InternalContext } from '@macpt/contract';
import { forbidden, UNRELATED, type ChildAttributes, type PolicyEngine } from '@macpt/policies';

/** Marks an object returned for a child with that child's NHS number, so nested fields know whose they are. */
const CHILD = Symbol('macpt.child');

/** What a guarded resolver needs from the request context. */
export interface GuardContext {
  caller: InternalContext;
  /** The child's decision attributes, from the gateway's signed facts; null for a child it did not vouch for. */
  attributesOf: (nhsNumber: string) => ChildAttributes | null;
}

function tag(value: unknown, nhsNumber: string): unknown {
  if (Array.isArray(value)) return value.map((item) => tag(item, nhsNumber));
  if (value !== null && typeof value === 'object' && !(CHILD in value)) return { ...value, [CHILD]: nhsNumber };
  return value;
}

const UNGUARDED = new Set(['Query._entities', 'Query._service', '_Service.sdl']);

/**
 * Wraps every field resolver of an agency's schema with its policy check (defence in depth): a field
 * is released only if the agency's own compiled policy allows it for this user, purpose and child —
 * decided before the data is read, so a withheld field looks the same whether or not it holds data.
 */
export function guardSchema(schema: GraphQLSchema, engine: PolicyEngine): GraphQLSchema {
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields())) {
      const coordinate = `${type.name}.${field.name}`;
      if (UNGUARDED.has(coordinate)) continue;
      const resolve: GraphQLFieldResolver<unknown, GuardContext> = field.resolve ?? defaultFieldResolver;
      const isRoot = type.name === 'Query';
      field.resolve = (source, args, context, info) => {
        const { user, purpose } = context.caller;
        if (!user || !purpose) throw forbidden({ rule: 'NOT_GRANTED', agency: 'gateway', class: 'IDENTITY' });
        let nhsNumber: string | undefined;
        if (isRoot) {
          const entry = engine.decideEntry(user, purpose, coordinate);
          if (!entry.allowed) throw forbidden(entry);
        } else {
          const s = source as { nhsNumber?: unknown; [CHILD]?: string };
          nhsNumber = typeof s.nhsNumber === 'string' ? s.nhsNumber : s[CHILD];
          const attributes = nhsNumber ? context.attributesOf(nhsNumber) : null;
          const decision = engine.decide(user, purpose, coordinate, attributes ?? UNRELATED);
          if (!decision.allowed) throw forbidden(decision);
        }
        const value = resolve(source, args, context, info);
        if (!nhsNumber) return value;
        const child = nhsNumber;
        return value instanceof Promise ? value.then((v) => tag(v, child)) : tag(value, child);
      };
    }
  }
  return schema;
}
