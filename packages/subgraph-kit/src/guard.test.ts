import { buildSchema, graphql } from 'graphql';
import { describe, expect, it } from 'vitest';
import type { InternalContext } from '@macpt/contract';
import { PolicyEngine, type ChildAttributes, type PolicyUser } from '@macpt/policies';
import { guardSchema, type GuardContext } from './guard.js';

// A health-shaped schema whose resolvers always have data: the guard alone decides what leaves.
const schema = guardSchema(
  buildSchema(`
    type Query { patient(nhsNumber: ID!): Child }
    type Child { nhsNumber: ID! health: HealthRecord }
    type HealthRecord { name: String address: String aeAttendances: [AeAttendance] camhs: [CamhsEpisode] }
    type AeAttendance { id: ID }
    type CamhsEpisode { concern: String }
  `),
  new PolicyEngine(),
);
const root = {
  patient: ({ nhsNumber }: { nhsNumber: string }) => ({
    nhsNumber,
    health: { name: 'Ada', address: '1 Street', aeAttendances: [{ id: 'AE1' }], camhs: [{ concern: 'Anxiety' }] },
  }),
};
const officer: PolicyUser = { id: 'police-leicester-1', role: 'MACPT_POLICE', agency: 'police', la: 'LEICESTER' };

async function ask(user: PolicyUser, children: Map<string, ChildAttributes>, nhsNumber = '9990000018') {
  const caller: InternalContext = { requestId: 't', user, purpose: 'SECTION_47_ENQUIRY', breakGlass: false, children };
  const contextValue: GuardContext = { caller, attributesOf: (n) => children.get(n) ?? null };
  return graphql({
    schema,
    rootValue: root,
    contextValue,
    source: `{ patient(nhsNumber: "${nhsNumber}") { nhsNumber health { name address aeAttendances { id } camhs { concern } } } }`,
  });
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
        health: { name: 'Ada', address: '1 Street', aeAttendances: [{ id: 'AE1' }], camhs: null },
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
});
