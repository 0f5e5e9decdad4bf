import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';
import { nhsNumberProblem } from '@macpt/kit';

// The directory (child, children) as a plain HTTP subgraph, so stock gateways can serve the same
// supergraph our gateway does. It validates NHS numbers and nothing else, as a stock deployment would.
const sdl = readFileSync(fileURLToPath(new URL('../../gateway/src/directory/schema.graphql', import.meta.url)), 'utf8');
const lookUp = (nhsNumber: string) =>
  nhsNumberProblem(nhsNumber) ? new Error(`Invalid NHS number: ${nhsNumberProblem(nhsNumber)}`) : { nhsNumber };
const server = new ApolloServer({
  schema: buildSubgraphSchema([
    {
      typeDefs: parse(sdl),
      resolvers: {
        Query: {
          child: (_: unknown, a: { nhsNumber: string }) => {
            const r = lookUp(a.nhsNumber);
            if (r instanceof Error) throw r;
            return r;
          },
          children: (_: unknown, a: { nhsNumbers: string[] }) => a.nhsNumbers.map(lookUp),
        },
        Child: { __resolveReference: (ref: { nhsNumber: string }) => ref },
      } as never,
    },
  ]),
});
const { url } = await startStandaloneServer(server, { listen: { port: Number(process.env.PORT), host: '127.0.0.1' } });
console.log(JSON.stringify({ msg: 'directory ready', url }));
