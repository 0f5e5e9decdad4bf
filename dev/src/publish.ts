import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from './stack.js';

/**
 * First start: each bundled agency that has never published publishes its subgraph, as an agency would
 * (`npm run -s subgraph -- publish <agency>`, signed with its development key), so the registry holds
 * what is in force from then on. Identical to what the gateway started with, so it takes effect at once.
 */
export async function publishBundledAgencies(gatewayUrl: string, dataDir: string): Promise<void> {
  const inForce = (await fetch(gatewayUrl.replace(/graphql$/, 'registry/in-force')).then((r) => r.json())) as {
    agencies?: { agency: string; publicationId: string | null }[];
  };
  for (const { agency } of (inForce.agencies ?? []).filter((a) => a.publicationId === null)) {
    const child = spawn(process.execPath, [join(REPO_ROOT, 'gateway/dist/registry/cli.js'), 'publish', agency], {
      env: { ...process.env, GATEWAY_URL: gatewayUrl, DATA_DIR: dataDir },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    const code = await new Promise((resolve) => child.on('exit', resolve));
    // Quiet when it works (the console's address is the first thing `npm start` prints).
    if (code !== 0) console.error(`Publishing ${agency}'s bundled subgraph failed (exit ${code}):\n${out}`);
  }
}
