import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { signDevToken } from '@macpt/gateway/dev-issuer';
import { discoverSubgraphs, GATEWAY_SUBGRAPHS } from '@macpt/gateway/subgraphs';
import { ensureKeyPair, ensureSecret, freePort } from '@macpt/kit';
import { generateWorld, PersonaCollector, type Persona, type WorldOptions } from '@macpt/synthetic';
import { startFront, type Front } from './front.js';
import { startProcess, stopProcess, waitForHealth, type LogMode, type StackProcess } from './process.js';

/** The repository root (this file is dev/dist/stack.js). */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Options for {@link startStack}. */
export interface StackOptions {
  dataDir: string;
  world: WorldOptions;
  /** `fixed` uses each subgraph's default port and 4000; `free` picks free ports (tests). */
  ports: 'fixed' | 'free';
  logs: LogMode;
  /** Extra environment for every process (e.g. REDIS_URL). */
  env?: Record<string, string>;
  /** Environment for the gateway alone, applied last (e.g. `POLICE_URL` to route through a recording proxy). */
  gatewayEnv?: Record<string, string>;
  /** How long seeding plus start-up may take. @default 120 s */
  startTimeoutMs?: number;
  /** CPU lists for taskset (benchmarks), e.g. `{ gateway: '0', agencies: '1' }`. */
  cpus?: { gateway?: string; agencies?: string };
  /**
   * Gateway processes, behind a round-robin front on the gateway port when more than one (they share
   * the disclosure log, rate limits, registry and inboxes through Redis, so `env.REDIS_URL` is then needed).
   * @default 1
   */
  gateways?: number;
}

/** A running system: four agency subgraphs and the gateway. */
export interface Stack {
  /** The gateway's GraphQL URL: the front's, when there are several gateways. */
  gatewayUrl: string;
  /** Each gateway process's own GraphQL URL (`gateway`, `gateway-2`, …). */
  gatewayUrls: string[];
  /** The round-robin front, when there are several gateways. */
  front: Front | null;
  /** Agency name → its subgraph's GraphQL URL. */
  subgraphUrls: Record<string, string>;
  processes: Map<string, StackProcess>;
  personas: Persona[];
  env: Record<string, string>;
  /** Starts (again) one process by name, e.g. after stopping it in a fault test; `env` adds to its environment from then on. */
  start: (name: string, env?: Record<string, string>) => Promise<void>;
  stop: (name?: string) => Promise<void>;
  /** A development-issuer token for a persona (by id), optionally with changed claims or lifetime. */
  tokenFor: (
    id: string,
    options?: { claims?: Record<string, unknown>; ttl?: string | number; audience?: string },
  ) => Promise<string>;
}

/** Streams the world once to list the demo personas; writes `<dataDir>/personas.json`. */
export function writePersonas(dataDir: string, world: WorldOptions): Persona[] {
  const collector = new PersonaCollector();
  for (const household of generateWorld(world)) collector.add(household);
  const personas = collector.personas();
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(join(dataDir, 'personas.json'), JSON.stringify({ world, personas }, null, 1));
  return personas;
}

const run = promisify(execFile);

/** Seeds one agency's store with the synthetic world, in a child process (`dev/dist/bin/seed.js`). */
async function seedInProcess(agency: string, options: StackOptions): Promise<void> {
  const { seed, children, asOf } = options.world;
  const args = [
    join(REPO_ROOT, 'dev', 'dist', 'bin', 'seed.js'),
    '--agency',
    agency,
    '--data-dir',
    options.dataDir,
    '--seed',
    String(seed),
    '--children',
    String(children),
    '--as-of',
    asOf,
  ];
  const cpus = options.cpus?.agencies;
  const { stdout } = await run(
    cpus ? 'taskset' : process.execPath,
    cpus ? ['-c', cpus, process.execPath, ...args] : args,
    { maxBuffer: 1 << 20 },
  ).catch((error: { stderr?: string; message: string }) => {
    throw new Error(`seeding ${agency} failed: ${error.stderr || error.message}`);
  });
  if (options.logs !== 'quiet') process.stdout.write(stdout);
}

/** The agencies' subgraphs a stack starts (the gateway serves its own): each keeps its own store `<agency>.db`. */
export function agencySubgraphs() {
  return discoverSubgraphs(REPO_ROOT).filter((s) => !GATEWAY_SUBGRAPHS.includes(s.name));
}

/** Seeds the four agencies' stores (where needed), starts the four subgraphs and then the gateway. */
export async function startStack(options: StackOptions): Promise<Stack> {
  const agencies = agencySubgraphs();
  const common: Record<string, string> = {
    DATA_DIR: options.dataDir,
    SEED: String(options.world.seed),
    CHILDREN: String(options.world.children),
    AS_OF: options.world.asOf,
    ...options.env,
  };
  const specs = new Map<string, { script: string; env: Record<string, string>; health: string }>();
  const subgraphUrls: Record<string, string> = {};
  const count = options.gateways ?? 1;
  if (count > 1 && !options.env?.REDIS_URL && !options.env?.REDIS_SENTINELS && !options.env?.REDIS_CLUSTER_NODES)
    throw new Error(
      `${count} gateways need a shared disclosure log: set REDIS_URL (or REDIS_SENTINELS, or REDIS_CLUSTER_NODES); the file log serves one gateway`,
    );
  const gatewayPort = options.ports === 'fixed' ? (options.env?.PORT ?? '4000') : String(await freePort());
  // With several gateways, the front takes the gateway port and each gateway a port of its own.
  const gatewayPorts =
    count === 1
      ? [gatewayPort]
      : await Promise.all(
          Array.from({ length: count }, async (_, i) =>
            options.ports === 'fixed' ? String(4010 + i + 1) : String(await freePort()),
          ),
        );
  const gatewayNames = gatewayPorts.map((_, i) => (i === 0 ? 'gateway' : `gateway-${i + 1}`));
  for (const agency of agencies) {
    const port = options.ports === 'fixed' ? new URL(agency.url).port : String(await freePort());
    subgraphUrls[agency.name] = `http://127.0.0.1:${port}/graphql`;
    specs.set(agency.name, {
      script: join(REPO_ROOT, 'subgraphs', agency.name, 'dist', 'main.js'),
      // Each agency's relay delivers its outbox to the gateway's notification router.
      env: { ...common, PORT: port, NOTIFY_URL: `http://127.0.0.1:${gatewayPort}/notifications/events` },
      health: `http://127.0.0.1:${port}/health`,
    });
  }
  const urlEnv = Object.fromEntries(
    Object.entries(subgraphUrls).map(([name, url]) => [`${name.toUpperCase().replace(/-/g, '_')}_URL`, url]),
  );
  const gatewayEnv = { ...common, ...urlEnv, PORT: gatewayPort, ...options.gatewayEnv };
  gatewayNames.forEach((name, i) =>
    specs.set(name, {
      script: join(REPO_ROOT, 'gateway', 'dist', 'main.js'),
      env: { ...gatewayEnv, PORT: gatewayPorts[i]! },
      health: `http://127.0.0.1:${gatewayPorts[i]}/health`,
    }),
  );
  let front: Front | null = null;

  const processes = new Map<string, StackProcess>();
  const timeout = options.startTimeoutMs ?? 120_000;
  const start = async (name: string, env: Record<string, string> = {}) => {
    const spec = specs.get(name);
    if (!spec) throw new Error(`no process named ${name}`);
    Object.assign(spec.env, env);
    const proc = startProcess(
      name,
      spec.script,
      [],
      spec.env,
      options.logs,
      gatewayNames.includes(name) ? options.cpus?.gateway : options.cpus?.agencies,
    );
    processes.set(name, proc);
    await waitForHealth(proc, spec.health, timeout);
  };
  const stop = async (name?: string) => {
    const names = name ? [name] : [...gatewayNames, ...agencies.map((a) => a.name)];
    if (!name) await front?.close();
    await Promise.all(names.map((n) => (processes.get(n) ? stopProcess(processes.get(n)!) : undefined)));
  };
  try {
    const personas = writePersonas(options.dataDir, options.world);
    // The embedded keys, made once before any process starts so that all of them agree.
    for (const a of agencies) ensureSecret(join(options.dataDir, 'keys'), `internal-context-${a.name}`);
    await ensureKeyPair(join(options.dataDir, 'keys'), 'dev-issuer');
    // Each agency's store is seeded (if it does not already hold this world) in a process of its own, in parallel.
    await Promise.all(agencies.map((a) => seedInProcess(a.name, options)));
    await Promise.all(agencies.map((a) => start(a.name)));
    await Promise.all(gatewayNames.map((n) => start(n)));
    if (count > 1)
      front = await startFront({
        port: Number(gatewayPort),
        backends: gatewayPorts.map((p) => `http://127.0.0.1:${p}`),
      });
    const tokenFor: Stack['tokenFor'] = async (id, tokenOptions = {}) => {
      const p = personas.find((x) => x.id === id);
      if (!p) throw new Error(`no persona ${id}`);
      const claims = {
        sub: p.sub,
        name: p.name,
        role: p.role,
        agency: p.agency,
        la: p.la,
        school: p.school ?? null,
        ...tokenOptions.claims,
      };
      return signDevToken(options.dataDir, claims as never, {
        ...(tokenOptions.ttl ? { ttl: tokenOptions.ttl } : {}),
        ...(tokenOptions.audience ? { audience: tokenOptions.audience } : {}),
      });
    };
    return {
      gatewayUrl: `http://127.0.0.1:${gatewayPort}/graphql`,
      gatewayUrls: gatewayPorts.map((p) => `http://127.0.0.1:${p}/graphql`),
      front,
      subgraphUrls,
      processes,
      personas,
      env: gatewayEnv,
      start,
      stop,
      tokenFor,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
