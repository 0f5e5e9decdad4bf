import { randomBytes } from 'node:crypto';
import { parse } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INTERNAL_CONTEXT_HEADER, signInternalContext, type InternalContext } from '@macpt/contract';
import { createLogger } from '@macpt/kit';
import { DecisionBook, migrateDecisions } from './decisions.js';
import { SqlStore } from './store.js';
import { startSubgraph, type SubgraphDefinition } from './subgraph.js';
import { callerFor } from './testkit.js';

// A small health-shaped subgraph served over HTTP as an agency serves it: every route it answers
// (GraphQL, /facts, /figures, /decisions) takes a context signed for the exact body it came with, once.

const CHILD = '9990000018';
const definition: SubgraphDefinition<null> = {
  agency: 'health',
  typeDefs: parse(`
    extend schema @link(url: "https://specs.apollo.dev/federation/v2.5", import: ["@key"])
    type Child @key(fields: "nhsNumber") { nhsNumber: ID! health: HealthRecord }
    type HealthRecord { name: String address: String camhs: [CamhsEpisode] }
    type CamhsEpisode { concern: String }
  `),
  resolvers: {
    Child: {
      __resolveReference: (ref: { nhsNumber: string }) => ref,
      health: () => ({ name: 'Ada', address: '1 Street', camhs: [{ concern: 'Anxiety' }] }),
    },
  },
  createLoaders: () => null,
  facts: (nhsNumbers) => nhsNumbers.map((nhsNumber) => ({ nhsNumber, known: true, confidentialLocation: false })),
  figures: () => [],
};
const key = { kid: 'internal-context-health', secret: randomBytes(32) };
const store = new SqlStore(':memory:');
migrateDecisions(store);
let served: Awaited<ReturnType<typeof startSubgraph>>;
beforeAll(async () => {
  served = await startSubgraph(definition, {
    port: 0,
    logger: createLogger('health', 'silent'),
    verifyKey: key.secret,
    decisions: new DecisionBook(store, 'health'),
  });
});
afterAll(async () => {
  await served?.close();
  store.close();
});

const entities = (selection: string) =>
  JSON.stringify({
    query: `query($r: [_Any!]!) { _entities(representations: $r) { ... on Child { health { ${selection} } } } }`,
    variables: { r: [{ __typename: 'Child', nhsNumber: CHILD }] },
  });
const post = async (path: string, body: string, context: string) => {
  const response = await fetch(new URL(path, served.url), {
    method: 'POST',
    headers: { 'content-type': 'application/json', [INTERNAL_CONTEXT_HEADER]: context },
    body,
  });
  return { status: response.status, text: await response.text() };
};
const lcpp = (): InternalContext =>
  callerFor('health', [CHILD], { user: { id: 'lcpp-leicester-1', role: 'LCPP', agency: 'social-care' } });

describe("an agency's routes, each refusing a context signed for another body", () => {
  it('answers a GraphQL call for the body it was signed for, once; any other body is a 401 with no data', async () => {
    const asked = entities('name');
    const context = signInternalContext(key, 'health', lcpp(), asked);
    for (const other of [entities('name address camhs { concern }'), asked.replace('{', '{ ')]) {
      const refused = await post('/graphql', other, context);
      expect(refused.status).toBe(401);
      expect(JSON.parse(refused.text)).toMatchObject({ errors: [{ extensions: { code: 'UNAUTHENTICATED' } }] });
      expect(refused.text).not.toContain('1 Street');
    }
    const answered = await post('/graphql', asked, context);
    expect(answered.status).toBe(200);
    expect(JSON.parse(answered.text)).toEqual({ data: { _entities: [{ health: { name: 'Ada' } }] } });
    // The same call again, byte for byte: the gateway never sends one context twice.
    expect((await post('/graphql', asked, context)).status).toBe(401);
  });

  it.each([
    ['/facts', { nhsNumbers: [CHILD] }, { nhsNumbers: ['9990000026'] }],
    [
      '/figures',
      { la: 'LEICESTER', from: '2026-10-05', to: '2026-10-11' },
      { la: 'RUTLAND', from: '2026-10-05', to: '2026-10-11' },
    ],
    ['/decisions', { action: 'list' }, { action: 'withdraw', id: 'd-1', nhsNumber: CHILD }],
  ])('answers %s only for the body its context was signed for, once', async (path, asked, other) => {
    const body = JSON.stringify(asked);
    const context = signInternalContext(key, 'health', lcpp(), body);
    expect((await post(path, JSON.stringify(other), context)).status).toBe(401);
    expect((await post(path, body, context)).status).not.toBe(401);
    expect((await post(path, body, context)).status).toBe(401);
  });
});
