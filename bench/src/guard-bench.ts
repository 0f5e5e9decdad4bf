import { readFileSync } from 'node:fs';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { execute, parse, type GraphQLSchema } from 'graphql';
import { compileQuery, isCompiledQuery } from 'graphql-jit';
import type { InternalContext } from '@macpt/contract';
import { SCHEMA_FILE } from '@macpt/health';
import { PolicyEngine, type ChildAttributes, type PolicyUser } from '@macpt/policies';
import { guardSchema, type GuardContext } from '@macpt/subgraph-kit';

// `npm run bench:guard`: what an agency's field guard costs, per 500-child caseload fetch, side by side in one
// process: health's published schema executed over the same rows in memory (no SQL, no HTTP: the guard and
// GraphQL's execution alone), unguarded and guarded, for a user who sees nearly everything (an LCPP, named) and
// one refused some of it (a police officer, named: CAMHS refused); every seventh child's household flagged
// confidential by another agency (its address and postcode refused to both).

const CHILDREN = 500;
const ROUNDS = 7;
const PER_ROUND = 40;

const nhsNumbers = Array.from({ length: CHILDREN }, (_, i) => String(9990000000 + i * 7));
const rows = new Map(
  nhsNumbers.map((nhsNumber, i) => [
    nhsNumber,
    {
      nhsNumber,
      name: `Synthetic Child ${i}`,
      dateOfBirth: '2015-03-01',
      sex: i % 2 ? 'F' : 'M',
      address: `${i} Test Street`,
      postcode: 'LE1 1AA',
      gpPractice: 'C81001',
      professionalKind: 'HEALTH_VISITOR',
      professionalName: 'Synthetic Visitor',
      ae: Array.from({ length: 3 }, (_, k) => ({
        id: `AE${i}-${k}`,
        date: '2026-10-01',
        hospital: 'Test Royal Infirmary',
        injuryCode: 'S00',
        description: 'Fall at home',
      })),
      immunisations: Array.from({ length: 6 }, (_, k) => ({ vaccine: `V${k}`, status: 'GIVEN', date: '2016-01-01' })),
      camhs: [{ id: `CM${i}`, referredOn: '2026-01-10', status: 'OPEN', concern: 'Anxiety' }],
    },
  ]),
);
type Row = NonNullable<ReturnType<typeof rows.get>>;
const resolvers = {
  Child: {
    __resolveReference: (ref: { nhsNumber: string }) => ({ nhsNumber: ref.nhsNumber }),
    health: (child: { nhsNumber: string }) => rows.get(child.nhsNumber) ?? null,
  },
  HealthRecord: {
    gpPractice: (p: Row) => ({ odsCode: p.gpPractice, name: 'Test Surgery' }),
    namedProfessional: (p: Row) => ({ kind: p.professionalKind, name: p.professionalName }),
    aeAttendances: (p: Row) => p.ae,
    wasNotBrought: () => [],
    immunisations: (p: Row) => p.immunisations,
    camhs: (p: Row) => p.camhs,
    sexualHealth: () => [],
    confidentialSexualHealth: () => [],
    householdMaternityConcerns: () => [],
  },
};
const schemaOf = () =>
  buildSubgraphSchema([{ typeDefs: parse(readFileSync(SCHEMA_FILE, 'utf8')), resolvers: resolvers as never }]);
const open = schemaOf();
const guarded = guardSchema(schemaOf(), new PolicyEngine());

const document =
  parse(`query($representations: [_Any!]!) { _entities(representations: $representations) { ... on Child {
  health { name dateOfBirth sex address postcode gpPractice { odsCode name } namedProfessional { kind name }
    aeAttendances { id date hospital injuryCode description } immunisations { vaccine status date }
    camhs { referredOn status concern } } } } }`);
const variableValues = { representations: nhsNumbers.map((nhsNumber) => ({ __typename: 'Child', nhsNumber })) };
const named: ChildAttributes = {
  relationship: 'NAMED',
  purposeSupported: true,
  confidentialBy: [],
  locationUnverifiedBy: [],
};

function contextFor(user: PolicyUser): GuardContext {
  // Every child vouched for; every seventh in a household another agency flagged (its location refused).
  const children = new Map<string, ChildAttributes>(
    nhsNumbers.map((n, i) => [n, i % 7 === 3 ? { ...named, confidentialBy: ['social-care'] } : named]),
  );
  const caller: InternalContext = { requestId: 'b', user, purpose: 'SECTION_47_ENQUIRY', breakGlass: false, children };
  return { caller, attributesOf: (n) => children.get(n) ?? null };
}
const lcpp: PolicyUser = { id: 'lcpp-leicester-1', role: 'LCPP', agency: 'social-care', la: 'LEICESTER' };
const officer: PolicyUser = { id: 'police-leicester-1', role: 'MACPT_POLICE', agency: 'police', la: 'LEICESTER' };

async function cpuMsPerFetch(schema: GraphQLSchema, user: PolicyUser): Promise<number> {
  const before = process.cpuUsage();
  for (let i = 0; i < PER_ROUND; i++)
    await execute({ schema, document, variableValues, contextValue: contextFor(user) });
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1000 / PER_ROUND;
}
// What graphql-jit would buy the agencies' execution, unguarded (it is not used: it reads a plain field as a
// property and does not call a function there, so the guard's projections would withhold a field without naming
// the refusal; see docs/design.md).
const compiledOrErrors = compileQuery(open, document);
if (!isCompiledQuery(compiledOrErrors)) throw new Error('graphql-jit could not compile the fetch');
const compiled = compiledOrErrors;
// The same answer both ways, or the comparison means nothing.
const byJs = JSON.stringify(await execute({ schema: open, document, variableValues, contextValue: contextFor(lcpp) }));
const byJit = JSON.stringify(await compiled.query(undefined, contextFor(lcpp), variableValues));
if (byJs !== byJit) throw new Error('graphql-jit answered differently from graphql-js');
async function jitMsPerFetch(user: PolicyUser): Promise<number> {
  const before = process.cpuUsage();
  for (let i = 0; i < PER_ROUND; i++) await compiled.query(undefined, contextFor(user), variableValues);
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1000 / PER_ROUND;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

// Warm-up (JIT), then rounds alternating the contenders so a noisy neighbour hits them alike.
for (const user of [lcpp, officer]) for (const s of [open, guarded]) await cpuMsPerFetch(s, user);
const runs: Record<string, number[]> = {};
await jitMsPerFetch(lcpp);
for (let round = 0; round < ROUNDS; round++) {
  for (const [name, schema, user] of [
    ['unguarded', open, lcpp],
    ['guarded, LCPP', guarded, lcpp],
    ['guarded, police officer', guarded, officer],
  ] as const)
    (runs[name] ??= []).push(await cpuMsPerFetch(schema, user));
  (runs['unguarded, graphql-jit'] ??= []).push(await jitMsPerFetch(lcpp));
}

const base = median(runs.unguarded!);
console.log(
  `agency field guard, CPU ms per ${CHILDREN}-child health fetch (Node ${process.version}; median of ${ROUNDS} rounds of ${PER_ROUND}, alternating)`,
);
for (const [name, xs] of Object.entries(runs))
  console.log(
    `  ${name.padEnd(26)} ${median(xs).toFixed(2).padStart(8)}   ×${(median(xs) / base).toFixed(2)} unguarded`,
  );
