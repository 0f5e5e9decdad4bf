import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { publishBundledAgencies } from '../publish.js';
import { REPO_ROOT, startStack } from '../stack.js';

// `npm start`: seed the embedded stores if needed, start the four subgraphs and the gateway, stop on Ctrl-C.
const { values } = parseArgs({
  options: {
    children: { type: 'string', default: process.env.CHILDREN ?? '10000' },
    seed: { type: 'string', default: process.env.SEED ?? '1' },
    'as-of': { type: 'string', default: process.env.AS_OF ?? new Date().toISOString().slice(0, 10) },
    'data-dir': { type: 'string', default: process.env.DATA_DIR ?? join(REPO_ROOT, 'data') },
  },
});
const world = { seed: Number(values.seed), children: Number(values.children), asOf: values['as-of'] };
console.log(
  `Starting the MACPT gateway: ${world.children} synthetic children (seed ${world.seed}) in ${values['data-dir']}`,
);
const stack = await startStack({ dataDir: values['data-dir'], world, ports: 'fixed', logs: 'pretty' });
await publishBundledAgencies(stack.gatewayUrl, values['data-dir']);

const named = stack.personas.find((p) => p.role === 'LCPP' && (p.namedOn?.length ?? 0) > 0);
const child = named?.namedOn?.[0] ?? '9990000018';
console.log(`
  Console:   ${stack.gatewayUrl.replace(/graphql$/, '')}   (sign in as a demo persona)
  Gateway:   ${stack.gatewayUrl}
  Agencies:  ${Object.entries(stack.subgraphUrls)
    .map(([n, u]) => `${n} ${u}`)
    .join(', ')}
  Personas:  npm run -s token -- --list   (${stack.personas.length}; ${named?.id ?? 'lcpp-leicester'} is named on ${child})
  Token:     npm run -s token -- <persona id>

  Try:
    TOKEN=$(npm run -s token -- ${named?.id ?? 'lcpp-leicester'})
    curl -s ${stack.gatewayUrl} -H "authorization: Bearer $TOKEN" -H 'x-purpose-of-use: STRATEGY_DISCUSSION' \\
      -H 'content-type: application/json' \\
      -d '{"query":"{ child(nhsNumber: \\"${child}\\") { socialCare { name currentCase { stage } cpPlan { category } } health { gpPractice { name } aeAttendances { date injuryCode } } police { incidents { date kind } } education { school { name } attendance { rate } } } }"}'

  Press Ctrl-C to stop.
`);

let stopping = false;
const shutdown = async () => {
  if (stopping) return;
  stopping = true;
  console.log('\nStopping…');
  await stack.stop();
  process.exit(0);
};
process.on('SIGINT', () => void shutdown());
process.on('SIGTERM', () => void shutdown());
for (const proc of stack.processes.values()) {
  void proc.exited.then((code) => {
    if (!stopping) console.error(`${proc.name} exited unexpectedly (code ${code}); the rest keep running.`);
  });
}
