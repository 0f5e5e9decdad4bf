import type { ApolloGateway } from '@apollo/gateway';
import type { GatewayGraphQLRequestContext } from '@apollo/server-gateway-interface';
import { buildSchema, parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { createLogger } from '@macpt/kit';
import { PolicyEngine, type ChildAttributes } from '@macpt/policies';
import type { GatewayContext } from '../context.js';
import { GovernedGateway } from './governed-gateway.js';
import { CHILD_KEY_ALIAS } from './rewrite.js';

// The final check around a plan's result: each child's fields decided by that child's attributes, read as the
// request derived them, whether or not they were derived before the result came back.

const schema = buildSchema(`
  type Query { children(nhsNumbers: [ID!]!): [Child] }
  type Child { nhsNumber: ID! health: HealthRecord }
  type HealthRecord { name: String aeAttendances: [AeAttendance] }
  type AeAttendance { injuryCode: String }
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

async function ask(settledBeforehand: boolean) {
  const inner = {
    load: async () => ({ executor: async () => ({ data: structuredClone(planned) }) }),
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
    attributesSettled: (n: string) => settled.get(n),
  } as unknown as GatewayContext;
  const response = await executor({
    schema,
    document: parse(query),
    source: query,
    queryHash: 'h',
    operationName: undefined,
    request: { query, variables: {} },
    context,
  } as unknown as GatewayGraphQLRequestContext);
  return {
    data: response.data,
    withheld: response.errors?.map((e) => [e.path, e.extensions?.rule]),
    disclosed: [...(context.disclosure?.disclosed.keys() ?? [])],
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
  disclosed: ['9990000018', '9990000026'],
};

describe('the final check of a plan’s result', () => {
  it('decides each child by the attributes the request already derived, without deriving them again', async () => {
    expect(await ask(true)).toEqual({ ...expected, asked: [] });
  });

  it('derives the attributes of a child not derived yet, then decides it by them (not as unrelated)', async () => {
    expect(await ask(false)).toEqual({ ...expected, asked: ['9990000018', '9990000026'] });
  });
});
