import { buildSchema, graphql, type GraphQLObjectType } from 'graphql';
import { describe, expect, it } from 'vitest';
import type { InternalContext } from '@macpt/contract';
import { PolicyEngine, type ChildAttributes, type PolicyUser } from '@macpt/policies';
import { guardSchema, type GuardContext } from './guard.js';

// A health-shaped schema whose resolvers always have data: the guard alone decides what leaves.
// HealthRecord and below are record types (their objects are projected per child); `Found` is a union, so its
// types stay guarded field by field; `gpPractice` has a resolver of its own that reads the stored row.
const built = buildSchema(`
    type Query { patient(nhsNumber: ID!): Child patients(nhsNumbers: [ID!]!): [Child] found(nhsNumber: ID!): [Found] }
    type Child { nhsNumber: ID! health: HealthRecord }
    type HealthRecord { name: String address: String gpPractice: GpPractice aeAttendances: [AeAttendance] camhs: [CamhsEpisode] }
    type GpPractice { odsCode: String name: String }
    type AeAttendance { id: ID }
    type CamhsEpisode { concern: String }
    union Found = HealthRecord | CamhsEpisode
  `);
// A list of promises, as a resolver may return: each item is projected once it settles.
(built.getType('HealthRecord') as GraphQLObjectType).getFields().aeAttendances!.resolve = () => [
  Promise.resolve({ id: 'AE1' }),
];
(built.getType('HealthRecord') as GraphQLObjectType).getFields().gpPractice!.resolve = (row: {
  practiceCode: string;
}) => new Promise((resolve) => setTimeout(() => resolve({ odsCode: row.practiceCode, name: 'Surgery' }), 5));
const schema = guardSchema(built, new PolicyEngine());
const recordOf = (nhsNumber: string) => ({
  name: `Ada ${nhsNumber}`,
  address: `1 Street ${nhsNumber}`,
  practiceCode: 'C81001',
  aeAttendances: [{ id: 'AE1' }],
  camhs: [{ concern: 'Anxiety' }],
});
const root = {
  patient: ({ nhsNumber }: { nhsNumber: string }) => ({ nhsNumber, health: recordOf(nhsNumber) }),
  patients: ({ nhsNumbers }: { nhsNumbers: string[] }) =>
    nhsNumbers.map((nhsNumber) => ({ nhsNumber, health: recordOf(nhsNumber) })),
  found: ({ nhsNumber }: { nhsNumber: string }) => [
    { __typename: 'HealthRecord', nhsNumber, ...recordOf(nhsNumber) },
    { __typename: 'CamhsEpisode', nhsNumber, concern: 'Anxiety' },
  ],
};
const officer: PolicyUser = { id: 'police-leicester-1', role: 'MACPT_POLICE', agency: 'police', la: 'LEICESTER' };

async function ask(
  user: PolicyUser,
  children: Map<string, ChildAttributes>,
  nhsNumber = '9990000018',
  source = `{ patient(nhsNumber: "${nhsNumber}") { nhsNumber health { name address aeAttendances { id } camhs { concern } } } }`,
) {
  const caller: InternalContext = { requestId: 't', user, purpose: 'SECTION_47_ENQUIRY', breakGlass: false, children };
  const contextValue: GuardContext = { caller, attributesOf: (n) => children.get(n) ?? null };
  return graphql({ schema, rootValue: root, contextValue, source });
}
const rules = (result: Awaited<ReturnType<typeof ask>>) =>
  Object.fromEntries((result.errors ?? []).map((e) => [e.path!.at(-1), e.extensions.rule]));
const named: ChildAttributes = {
  relationship: 'NAMED',
  purposeSupported: true,
  confidentialBy: [],
  locationUnverifiedBy: [],
};

describe("an agency's field guard", () => {
  it("releases only what its policy allows for this user and child, decided before the resolver's data is read", async () => {
    const result = await ask(officer, new Map([['9990000018', named]]));
    expect(result.data).toEqual({
      patient: {
        nhsNumber: '9990000018',
        health: { name: 'Ada 9990000018', address: '1 Street 9990000018', aeAttendances: [{ id: 'AE1' }], camhs: null },
      },
    });
    expect(rules(result)).toEqual({ camhs: 'SENSITIVE_ROLE_NOT_LISTED' });
  });

  it('withholds the location of a household an agency flagged, or could not be asked about', async () => {
    expect(
      rules(await ask(officer, new Map([['9990000018', { ...named, confidentialBy: ['social-care'] }]]))),
    ).toMatchObject({ address: 'CONFIDENTIAL_LOCATION' });
    expect(
      rules(await ask(officer, new Map([['9990000018', { ...named, locationUnverifiedBy: ['health'] }]]))),
    ).toMatchObject({ address: 'LOCATION_FLAG_UNVERIFIED' });
  });

  it('treats a child the gateway did not vouch for as a child with no relationship', async () => {
    const result = await ask(officer, new Map([['9990000026', named]]), '9990000018');
    // Even the NHS number is withheld (non-null, so the whole child is null): nothing confirms the child exists here.
    expect(result.data?.patient).toBeNull();
    expect(Object.values(rules(result))).toEqual(expect.arrayContaining(['NO_LEGITIMATE_RELATIONSHIP']));
    expect(JSON.stringify(result)).not.toContain('Ada');
  });

  it('refuses an entry point to an IG lead outright', async () => {
    const result = await ask(
      { id: 'ig-health', role: 'IG_LEAD', agency: 'health', la: null },
      new Map([['9990000018', named]]),
    );
    expect(result.data?.patient).toBeNull();
    expect(rules(result)).toEqual({ patient: 'IG_LEAD_NO_CHILD_RECORDS' });
  });

  it('decides every child of one request by its own attributes, children of one shape sharing their decisions', async () => {
    const children = new Map<string, ChildAttributes>([
      ['9990000018', named],
      ['9990000026', { ...named, confidentialBy: ['social-care'] }],
      ['9990000034', named],
    ]);
    const result = await ask(
      officer,
      children,
      undefined,
      `{ patients(nhsNumbers: ["9990000018", "9990000026", "9990000034", "9990000042"]) { nhsNumber health { name address } } }`,
    );
    expect(result.data?.patients).toEqual([
      { nhsNumber: '9990000018', health: { name: 'Ada 9990000018', address: '1 Street 9990000018' } },
      { nhsNumber: '9990000026', health: { name: 'Ada 9990000026', address: null } },
      { nhsNumber: '9990000034', health: { name: 'Ada 9990000034', address: '1 Street 9990000034' } },
      // Not vouched for by the gateway: nothing at all, not even that the NHS number is known here.
      null,
    ]);
    const refusals = (result.errors ?? []).map((e) => [e.path!.join('.'), e.extensions.rule]);
    expect(refusals).toEqual(
      expect.arrayContaining([
        ['patients.1.health.address', 'CONFIDENTIAL_LOCATION'],
        ['patients.3.nhsNumber', 'NO_LEGITIMATE_RELATIONSHIP'],
      ]),
    );
    expect(JSON.stringify(result.data)).not.toContain('1 Street 9990000026');
  });

  it('hands a resolver of its own the row as stored, after deciding the field, and projects what it returns', async () => {
    const children = new Map([['9990000018', named]]);
    const source = `{ patient(nhsNumber: "9990000018") { health { gpPractice { odsCode name } } } }`;
    expect((await ask(officer, children, undefined, source)).data).toEqual({
      patient: { health: { gpPractice: { odsCode: 'C81001', name: 'Surgery' } } },
    });
    const unrelated = await ask(officer, new Map(), undefined, source);
    expect(JSON.stringify(unrelated.data)).not.toContain('C81001');
  });

  it("never answers one user's request with another's decisions, both asking at the same moment", async () => {
    const children = new Map([['9990000018', named]]);
    const source = `{ patient(nhsNumber: "9990000018") { health { name camhs { concern } } } }`;
    const nurse: PolicyUser = { id: 'health-leicester-1', role: 'MACPT_HEALTH', agency: 'health', la: 'LEICESTER' };
    const [asOfficer, asNurse, again] = await Promise.all([
      ask(officer, children, undefined, source),
      ask(nurse, children, undefined, source),
      ask(officer, children, undefined, source),
    ]);
    expect(asNurse.data).toEqual({ patient: { health: { name: 'Ada 9990000018', camhs: [{ concern: 'Anxiety' }] } } });
    for (const r of [asOfficer, again]) {
      expect(r.data).toEqual({ patient: { health: { name: 'Ada 9990000018', camhs: null } } });
      expect(rules(r)).toEqual({ camhs: 'SENSITIVE_ROLE_NOT_LISTED' });
    }
  });

  it("guards field by field a type returned as one of a union's (not projected), with the same decisions", async () => {
    const result = await ask(
      officer,
      new Map([['9990000018', { ...named, confidentialBy: ['social-care'] }]]),
      undefined,
      `{ found(nhsNumber: "9990000018") { ... on HealthRecord { name address } ... on CamhsEpisode { concern } } }`,
    );
    expect(result.data?.found).toEqual([{ name: 'Ada 9990000018', address: null }, { concern: null }]);
    expect(rules(result)).toEqual({ address: 'CONFIDENTIAL_LOCATION', concern: 'SENSITIVE_ROLE_NOT_LISTED' });
  });
});
