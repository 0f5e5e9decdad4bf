import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildASTSchema, getNamedType, isObjectType, parse, type GraphQLObjectType } from 'graphql';
import { forEachBatch, type Household } from '@macpt/synthetic';
import type { InternalContext } from '@macpt/contract';
import type { Agency, ChildAttributes, PolicyUser } from '@macpt/policies';
import { createSubgraphServer, subgraphContext, type SubgraphDefinition } from './subgraph.js';
import { SqlStore } from './store.js';

/** A fixed world for unit tests: small, fast, and the same every run. */
export const TEST_WORLD = { seed: 7, children: 6000, asOf: '2026-11-01' } as const;

/** An in-memory store of one agency, seeded from {@link TEST_WORLD}. */
export function seededMemoryStore(
  migrate: (store: SqlStore) => void,
  writer: (store: SqlStore) => (h: Household) => void,
): SqlStore {
  const store = new SqlStore(':memory:');
  migrate(store);
  const write = writer(store);
  forEachBatch(
    TEST_WORLD,
    2_000,
    store.db.transaction((batch: Household[]) => batch.forEach(write)),
  );
  return store;
}

/** Tables of a store that hold agency data (everything but `meta`). */
export function dataTables(store: SqlStore): string[] {
  // A household's location flag is read inside the query of the child's record, not by a statement of its own.
  return (
    store.db
      .prepare(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name <> 'meta' AND name NOT LIKE '%\\_location\\_flag' ESCAPE '\\' ORDER BY name",
      )
      .all() as { name: string }[]
  ).map((r) => r.name);
}

/**
 * A selection of every field reachable from `typeName` in an agency's schema (entity references
 * are followed no further than their key), so a test can ask for an agency's whole record.
 */
export function fullSelection(sdl: string, typeName: string, depth = 4): string {
  const schema = buildASTSchema(parse(sdl.replace(/^extend schema[^\n]*\n/m, '')), { assumeValidSDL: true });
  const walk = (type: GraphQLObjectType, level: number): string => {
    const parts: string[] = [];
    for (const field of Object.values(type.getFields())) {
      const named = getNamedType(field.type);
      if (!isObjectType(named)) parts.push(field.name);
      else if (named.name === 'Child') parts.push(`${field.name} { nhsNumber }`);
      else if (level < depth) parts.push(`${field.name} { ${walk(named, level + 1)} }`);
    }
    return parts.join(' ');
  };
  return walk(schema.getType(typeName) as GraphQLObjectType, 0);
}

/** A role that sees all of an agency's record it is named on (its own staff's; for Family Help, the named social worker's). */
const OWN_ROLE: Record<Agency, PolicyUser['role']> = {
  'social-care': 'SOCIAL_WORKER',
  health: 'MACPT_HEALTH',
  police: 'MACPT_POLICE',
  education: 'MACPT_EDUCATION',
  'family-help': 'SOCIAL_WORKER',
};

/** A signed-context payload as the gateway would send it: `user` named on every child, for a section 47 enquiry. */
export function callerFor(
  agency: string,
  nhsNumbers: readonly string[],
  overrides: Partial<ChildAttributes> & { user?: Partial<PolicyUser>; purpose?: InternalContext['purpose'] } = {},
): InternalContext {
  const { user, purpose, ...attributes } = overrides;
  const child: ChildAttributes = {
    relationship: 'NAMED',
    purposeSupported: true,
    confidentialBy: [],
    locationUnverifiedBy: [],
    ...attributes,
  };
  return {
    requestId: 'test',
    user: {
      id: `test-${agency}`,
      role: OWN_ROLE[agency as Agency],
      agency: agency as Agency,
      la: 'LEICESTER',
      ...user,
    },
    purpose: purpose ?? 'SECTION_47_ENQUIRY',
    breakGlass: false,
    children: new Map(nhsNumbers.map((n) => [n, child])),
  };
}

/** Resolves `Child` entities through the subgraph exactly as the gateway's `_entities` fetch does. */
export async function resolveChildren<T>(
  definition: SubgraphDefinition<T>,
  nhsNumbers: readonly string[],
  selection: string,
  caller = callerFor(definition.agency, nhsNumbers),
) {
  const server = createSubgraphServer(definition);
  await server.start();
  try {
    const response = await server.executeOperation(
      {
        query: `query($representations: [_Any!]!) { _entities(representations: $representations) { ... on Child { nhsNumber ${selection} } } }`,
        variables: { representations: nhsNumbers.map((nhsNumber) => ({ __typename: 'Child', nhsNumber })) },
      },
      { contextValue: subgraphContext(definition, caller) },
    );
    if (response.body.kind !== 'single') throw new Error('expected a single result');
    return response.body.singleResult as { data?: { _entities: unknown[] }; errors?: unknown[] };
  } finally {
    await server.stop();
  }
}

/** What {@link batchingSuite} needs to know about an agency. */
export interface BatchingSuite<T> {
  agency: string;
  schemaFile: string;
  /** The `Child` field holding the agency's record (null when it holds nothing). */
  recordField: string;
  /** The table with one row per child the agency knows. */
  childTable: string;
  migrate: (store: SqlStore) => void;
  writer: (store: SqlStore) => (h: Household) => void;
  definition: (store: SqlStore) => SubgraphDefinition<T>;
}

/**
 * The tests every agency subgraph shares: its whole record for 500 (and 50) children costs one SQL
 * statement per table, and an unknown child is null rather than an error.
 */
export function batchingSuite<T>(s: BatchingSuite<T>): void {
  describe(`${s.agency} subgraph`, () => {
    const store = seededMemoryStore(s.migrate, s.writer);
    const definition = s.definition(store);
    const selection = fullSelection(readFileSync(s.schemaFile, 'utf8'), 'Child');
    const known = (n: number) =>
      (
        store.db.prepare(`SELECT nhs_number AS n FROM ${s.childTable} ORDER BY nhs_number LIMIT ?`).all(n) as {
          n: string;
        }[]
      ).map((r) => r.n);

    it.each([500, 50])('resolves %i children with one SQL statement per table', async (n) => {
      const children = known(n);
      expect(children).toHaveLength(n);
      const before = store.statementsRun;
      const result = await resolveChildren(definition, children, selection);
      expect(result.errors).toBeUndefined();
      expect(result.data?._entities).toHaveLength(n);
      expect(store.statementsRun - before).toBe(dataTables(store).length);
    });

    it(`names the children living at a household exactly as its facts place them`, () => {
      // Three households of the seeded store, and one nobody lives at.
      const all = known(100_000);
      const placed = definition.facts(all).filter((f) => f.uprn);
      const households = [...new Set(placed.map((f) => f.uprn!))].slice(0, 3);
      expect(households).toHaveLength(3);
      const expected = placed.filter((f) => households.includes(f.uprn!)).map((f) => [f.nhsNumber, f.uprn]);
      const residents = definition.residents!([...households, 'U-NOBODY']).map((r) => [r.nhsNumber, r.uprn]);
      expect(residents.sort()).toEqual(expected.sort());
    });

    it(`returns null, not an error, for a child ${s.agency} holds nothing about`, async () => {
      const result = await resolveChildren(definition, ['9999999999'], `${s.recordField} { name }`);
      expect(result).toEqual({ data: { _entities: [{ nhsNumber: '9999999999', [s.recordField]: null }] } });
    });
  });
}
