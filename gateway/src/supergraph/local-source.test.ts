import { graphql, GraphQLObjectType, GraphQLSchema, GraphQLString } from 'graphql';
import { describe, expect, it } from 'vitest';
import { LocalSubgraph } from './local-source.js';

const schema = new GraphQLSchema({
  query: new GraphQLObjectType({
    name: 'Query',
    fields: {
      hello: {
        type: GraphQLString,
        args: { name: { type: GraphQLString } },
        resolve: async (_s, { name }, ctx: { greeting: string }) => `${ctx.greeting}, ${name}`,
      },
      broken: {
        type: GraphQLString,
        resolve: () => {
          throw new Error('no');
        },
      },
    },
  }),
});

const ask = (source: LocalSubgraph, query: string, variables: Record<string, unknown> = {}) =>
  source.process({
    kind: 'user',
    request: { query, variables },
    context: { greeting: 'Hello' },
  } as never);

describe('a subgraph the gateway serves itself', () => {
  it('answers as graphql() would: data, resolver errors, invalid and unparsable documents — the same every time', async () => {
    const source = new LocalSubgraph(schema);
    const queries = [
      ['query($n: String) { hello(name: $n) }', { n: 'world' }],
      ['{ hello broken }', {}],
      ['{ nope }', {}],
      ['{ hello(', {}],
    ] as const;
    for (let round = 0; round < 2; round++)
      for (const [query, variables] of queries) {
        const expected = await graphql({
          schema,
          source: query,
          variableValues: variables,
          contextValue: { greeting: 'Hello' },
        });
        expect(JSON.parse(JSON.stringify(await ask(source, query, variables)))).toEqual(
          JSON.parse(JSON.stringify(expected)),
        );
      }
  });
});
