import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { discoverSubgraphs, GATEWAY_SUBGRAPHS } from '@macpt/gateway/subgraphs';
import { REPO_ROOT } from '../stack.js';
import { seedAgencyStore, type AgencySeeder } from '../seed.js';

// `npm run -s seed -- [--agency health] [--children 10000 --seed 1 --as-of 2026-12-02] [--force]`: seeds the
// embedded agency stores with the synthetic world (each store only if it does not already hold it).
const { values } = parseArgs({
  options: {
    agency: { type: 'string' },
    children: { type: 'string', default: process.env.CHILDREN ?? '10000' },
    seed: { type: 'string', default: process.env.SEED ?? '1' },
    'as-of': { type: 'string', default: process.env.AS_OF ?? new Date().toISOString().slice(0, 10) },
    'data-dir': { type: 'string', default: process.env.DATA_DIR ?? join(REPO_ROOT, 'data') },
    force: { type: 'boolean', default: false },
  },
});
const world = { seed: Number(values.seed), children: Number(values.children), asOf: values['as-of'] };
const agencies = discoverSubgraphs(REPO_ROOT)
  .filter((s) => !GATEWAY_SUBGRAPHS.includes(s.name))
  .map((s) => s.name)
  .filter((name) => !values.agency || name === values.agency);
if (agencies.length === 0) {
  console.error(`No agency named ${values.agency}.`);
  process.exit(2);
}
for (const agency of agencies) {
  const seeder = (await import(`@macpt/${agency}/seed`)) as AgencySeeder;
  const ms = seedAgencyStore(agency, seeder, values['data-dir'], world, { force: values.force });
  console.log(
    ms === null
      ? `${agency}: already holds this world`
      : `${agency}: seeded ${world.children} children (seed ${world.seed}) in ${ms} ms`,
  );
}
