import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startRedisServer, type RedisServer } from '@macpt/kit/redis-server';
import { publishBundledAgencies } from '../publish.js';
import { REPO_ROOT, startStack } from '../stack.js';

// `npm start`: seed the embedded stores if needed, start the four subgraphs and the gateway, stop on Ctrl-C.
const { values } = parseArgs({
  options: {
    children: { type: 'string', default: process.env.CHILDREN ?? '10000' },
    seed: { type: 'string', default: process.env.SEED ?? '1' },
    'as-of': { type: 'string', default: process.env.AS_OF ?? new Date().toISOString().slice(0, 10) },
    'data-dir': { type: 'string', default: process.env.DATA_DIR ?? join(REPO_ROOT, 'data') },
    gateways: { type: 'string', default: process.env.GATEWAYS ?? '1' },
  },
});
const gateways = Number(values.gateways);
if (!Number.isInteger(gateways) || gateways < 1 || gateways > 8) {
  console.error(`--gateways: expected 1 to 8, got ${values.gateways}`);
  process.exit(2);
}
// Several gateways share Redis: the one given, or a local redis-server the launcher starts and stops.
let redis: RedisServer | null = null;
const env: Record<string, string> = {};
if (gateways > 1 && !process.env.REDIS_URL && !process.env.REDIS_SENTINELS && !process.env.REDIS_CLUSTER_NODES) {
  try {
    redis = await startRedisServer({ dir: join(values['data-dir'], 'redis') });
  } catch (error) {
    console.error(
      `${gateways} gateways need a shared Redis, and none could be started (${(error as Error).message}).\n` +
        'Set REDIS_URL, or install redis-server (apt-get install -y redis-server); the file log serves one gateway.',
    );
    process.exit(1);
  }
  env.REDIS_URL = redis.url;
  console.log(`Started redis-server for the ${gateways} gateways at ${redis.url} (data in ${redis.dir})`);
}
for (const key of ['REDIS_URL', 'REDIS_SENTINELS', 'REDIS_SENTINEL_NAME', 'REDIS_CLUSTER_NODES'] as const)
  if (process.env[key]) env[key] = process.env[key]!;
const world = { seed: Number(values.seed), children: Number(values.children), asOf: values['as-of'] };
console.log(
  `Starting the MACPT gateway: ${world.children} synthetic children (seed ${world.seed}) in ${values['data-dir']}`,
);
const stack = await startStack({ dataDir: values['data-dir'], world, ports: 'fixed', logs: 'pretty', gateways, env });
await publishBundledAgencies(stack.gatewayUrl, values['data-dir']);

const named = stack.personas.find((p) => p.role === 'LCPP' && (p.namedOn?.length ?? 0) > 0);
const child = named?.namedOn?.[0] ?? '9990000018';
console.log(`
  Console:   ${stack.gatewayUrl.replace(/graphql$/, '')}   (sign in as a demo persona)
  Gateway:   ${stack.gatewayUrl}${gateways > 1 ? `   (round-robin over ${stack.gatewayUrls.join(', ')})` : ''}
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
  await redis?.stop();
  process.exit(0);
};
process.on('SIGINT', () => void shutdown());
process.on('SIGTERM', () => void shutdown());
for (const proc of stack.processes.values()) {
  void proc.exited.then((code) => {
    if (!stopping) console.error(`${proc.name} exited unexpectedly (code ${code}); the rest keep running.`);
  });
}
