import type { ApolloGateway } from '@apollo/gateway';
import type { GatewayGraphQLRequestContext } from '@apollo/server-gateway-interface';
import { buildSchema, parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { createLogger } from '@macpt/kit';
import { PolicyEngine, type ChildAttributes } from '@macpt/policies';
import type { GatewayContext } from '../context.js';
import { GovernedGateway } from './governed-gateway.js';
import { CHILD_KEY_ALIAS, CHILD_LINK_ALIAS } from './rewrite.js';

// The final check around a plan's result: each child's fields decided by that child's attributes, read as the
// request derived them, whether or not they were derived before the result came back.

const schema = buildSchema(`
  type Query { children(nhsNumbers: [ID!]!): [Child] }
  type Child { nhsNumber: ID! health: HealthRecord socialCare: SocialCareRecord }
  type HealthRecord { name: String aeAttendances: [AeAttendance] }
  type AeAttendance { injuryCode: String }
  type SocialCareRecord { currentCase: MacptCase }
  type MacptCase { id: ID stage: String child: Child }
`);
const query = `{ children(nhsNumbers: ["9990000018", "9990000026"]) { nhsNumber health { name aeAttendances { injuryCode } } } }`;
const named: ChildAttributes = {
  relationship: 'NAMED',
  purposeSupported: true,
  confidentialBy: [],
  locationUnverifiedBy: [],
};
const attributes = new Map([
  ['9990000018', named],
  ['9990000026', { ...named, relationship: 'TEAM' as const }],
]);
// What the plan returned, hidden selections included: both children's A&E, which only a named worker may see.
const planned = {
  children: ['9990000018', '9990000026'].map((n, i) => ({
    nhsNumber: n,
    [CHILD_KEY_ALIAS]: n,
    health: { name: ['Ada', 'Ben'][i], aeAttendances: [{ injuryCode: 'BURN' }] },
  })),
};

async function ask(settledBeforehand: boolean, asking = { query, planned }) {
  const inner = {
    load: async () => ({ executor: async () => ({ data: structuredClone(asking.planned) }) }),
  } as unknown as ApolloGateway;
  const gateway = new GovernedGateway(
    inner,
    new PolicyEngine(),
    new Set(['Query.children', 'Child.nhsNumber']),
    createLogger('test', 'silent'),
  );
  const { executor } = await gateway.load({} as never);
  const settled = new Map<string, ChildAttributes | null>(settledBeforehand ? attributes : []);
  const asked: string[] = [];
  const context = {
    requestId: 'r-1',
    user: { id: 'police-leicester-1', role: 'MACPT_POLICE', agency: 'police', la: 'LEICESTER', name: 'P' },
    purpose: 'SECTION_47_ENQUIRY',
    breakGlass: false,
    attributesOf: async (n: string) => {
      asked.push(n);
      await new Promise((r) => setTimeout(r, 5));
      settled.set(n, attributes.get(n) ?? null);
      return settled.get(n)!;
    },
    // As the facts step keeps them (the final check reads only the attributes).
    settled: (n: string) => (settled.has(n) ? { facts: null, attributes: settled.get(n)! } : undefined),
  } as unknown as GatewayContext;
  const response = await executor({
    schema,
    document: parse(asking.query),
    source: asking.query,
    queryHash: asking.query,
    operationName: undefined,
    request: { query: asking.query, variables: {} },
    context,
  } as unknown as GatewayGraphQLRequestContext);
  return {
    data: response.data,
    withheld: response.errors?.map((e) => [e.path, e.extensions?.rule]),
    disclosed: [...(context.disclosure?.disclosed ?? [])].map(([n, byAgency]) => [
      n,
      [...byAgency].map(([agency, fields]) => [agency, [...fields].sort()]),
    ]),
    withheldFrom: [...(context.disclosure?.withheld ?? [])].map(([n, fields]) => [n, [...fields.keys()]]),
    asked,
  };
}

const expected = {
  data: {
    children: [
      { nhsNumber: '9990000018', health: { name: 'Ada', aeAttendances: [{ injuryCode: 'BURN' }] } },
      { nhsNumber: '9990000026', health: { name: 'Ben', aeAttendances: null } },
    ],
  },
  withheld: [[['children', 1, 'health', 'aeAttendances'], 'SAFEGUARDING_NAMED_WORKERS_ONLY']],
  disclosed: [
    [
      '9990000018',
      [['health', ['AeAttendance.injuryCode', 'Child.health', 'HealthRecord.aeAttendances', 'HealthRecord.name']]],
    ],
    ['9990000026', [['health', ['Child.health', 'HealthRecord.name']]]],
  ],
  withheldFrom: [['9990000026', ['HealthRecord.aeAttendances']]],
};

// A case reached through one child's record whose own child is another (the case's link names it): met only once
// the first child's record is let through, so decided on a third check.
const throughCase = {
  query: `{ children(nhsNumbers: ["9990000018"]) { nhsNumber socialCare { currentCase { id stage } } } }`,
  planned: {
    children: [
      {
        nhsNumber: '9990000018',
        [CHILD_KEY_ALIAS]: '9990000018',
        socialCare: {
          currentCase: { id: 'CASE-1', stage: 'SECTION_47', [CHILD_LINK_ALIAS]: { nhsNumber: '9990000026' } },
        },
      },
    ],
  },
};

describe('the final check of a plan’s result', () => {
  it('decides each child by the attributes the request already derived, without deriving them again', async () => {
    expect(await ask(true)).toEqual({ ...expected, asked: [] });
  });

  it('derives the attributes of a child not derived yet, then decides it by them (not as unrelated)', async () => {
    expect(await ask(false)).toEqual({ ...expected, asked: ['9990000018', '9990000026'] });
  });

  it('decides a child met only through another child’s record by its own attributes, however late it is met', async () => {
    const settled = await ask(true, throughCase);
    // The case's child is in its team, not named: the case is shown, its stage withheld as from the team.
    expect(settled).toMatchObject({
      data: { children: [{ socialCare: { currentCase: { id: 'CASE-1', stage: null } } }] },
      withheld: [[['children', 0, 'socialCare', 'currentCase', 'stage'], 'SAFEGUARDING_NAMED_WORKERS_ONLY']],
      withheldFrom: [['9990000026', ['MacptCase.stage']]],
    });
    expect(await ask(false, throughCase)).toEqual({ ...settled, asked: ['9990000018', '9990000026'] });
  });
});
