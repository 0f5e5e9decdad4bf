import { rmSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { composeServices } from '@apollo/composition';
import { discoverSubgraphs, GATEWAY_SUBGRAPHS } from '@macpt/gateway/subgraphs';
import { freePort, REPO_ROOT, startProcess, type Stack, type StackProcess } from '@macpt/dev';
import { parse } from 'graphql';
import { graphqlBody, OPERATION_TEXT, type MixRequest, type Operation } from './requests.js';

/** One system under test: where to send a request of the mix, and the process whose CPU and memory count. */
export interface Contender {
  id: string;
  label: string;
  url: string;
  process: StackProcess;
  supports: (op: Operation) => boolean;
  body: (op: Operation, r: MixRequest) => string;
  /** The disclosure log's own process (Redis), whose CPU is reported beside the gateway's. */
  logPid?: () => number | undefined;
  /** Ours: a gateway that keeps agency facts and counts what they did (its `/metrics`). Others are never asked. */
  ours?: true;
}

async function waitForPort(port: number, proc: StackProcess): Promise<void> {
  for (let i = 0; i < 300; i++) {
    const open = await new Promise<boolean>((resolve) => {
      const s = createConnection({ port, host: '127.0.0.1' })
        .once('connect', () => {
          s.destroy();
          resolve(true);
        })
        .once('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${proc.name} did not listen on ${port}:\n${proc.recent.join('\n')}`);
}

const withoutRedis = (env: Record<string, string>) =>
  Object.fromEntries(Object.entries(env).filter(([k]) => k !== 'REDIS_URL'));

/**
 * Starts every contender beside the secured stack: (h) ours in full with no kept facts, (b) our gateway on the embedded file log, (c) our
 * gateway with policies and logging off over open subgraphs, (d) stock Apollo Gateway, (e1) Hive Gateway
 * with its Hive Router runtime and (e2) in its defaults, (f) the ceiling.
 * Gateways are pinned to CPU 0; subgraphs, the directory and the load generator to CPU 1.
 */
export async function startContenders(
  stack: Stack,
  dataDir: string,
  redisPid: () => number | undefined,
): Promise<{ contenders: Contender[]; extra: StackProcess[] }> {
  const gatewayScript = join(REPO_ROOT, 'gateway/dist/main.js');
  const extra: StackProcess[] = [];
  const spawnOn = async (
    name: string,
    script: string,
    env: Record<string, string>,
    cpus: string,
    args: (port: number) => string[] = () => [],
  ) => {
    const port = await freePort();
    const proc = startProcess(
      name,
      script,
      args(port),
      { ...env, PORT: String(port), LOG_LEVEL: 'error' },
      'quiet',
      cpus,
    );
    extra.push(proc);
    await waitForPort(port, proc);
    return { proc, url: `http://127.0.0.1:${port}` };
  };
  const base = withoutRedis(stack.env);
  // Every run starts with an empty log, as (a) does on its fresh Redis: a log grown by earlier runs
  // would make (b) and the subject-access reports slower run after run.
  const fileLog = join(dataDir, 'bench-disclosure-log.jsonl');
  for (const f of [fileLog, `${fileLog}.head`, `${fileLog}.head.tmp`]) rmSync(f, { force: true });
  const fileGateway = await spawnOn('gateway-file', gatewayScript, { ...base, DISCLOSURE_LOG_FILE: fileLog }, '0');
  // (a) without the kept facts: every request asks the agencies (a/h is what FACTS_MAX_AGE_MS buys).
  const everyRequest = await spawnOn(
    'gateway-facts-every-request',
    gatewayScript,
    { ...stack.env, FACTS_MAX_AGE_MS: '0' },
    '0',
  );
  // Policies on, log off: isolates what the disclosure log costs (a and b against g).
  const unlogged = await spawnOn(
    'gateway-unlogged',
    gatewayScript,
    // Each gateway claims its log file, even one it never writes: one file per process.
    { ...base, NODE_ENV: 'benchmark', DISCLOSURE_LOG: 'off', DISCLOSURE_LOG_FILE: join(dataDir, 'unused-log-g.jsonl') },
    '0',
  );

  const agencies = discoverSubgraphs(REPO_ROOT).filter((s) => !GATEWAY_SUBGRAPHS.includes(s.name));
  const open: Record<string, string> = {};
  for (const agency of agencies) {
    const { url } = await spawnOn(
      `${agency.name}-open`,
      join(REPO_ROOT, 'subgraphs', agency.name, 'dist/main.js'),
      { ...base, NODE_ENV: 'benchmark', POLICY_ENFORCEMENT: 'off' },
      '1',
    );
    open[agency.name] = `${url}/graphql`;
  }
  const urlEnv = Object.fromEntries(
    Object.entries(open).map(([n, u]) => [`${n.toUpperCase().replace(/-/g, '_')}_URL`, u]),
  );
  const offGateway = await spawnOn(
    'gateway-off',
    gatewayScript,
    {
      ...base,
      ...urlEnv,
      NODE_ENV: 'benchmark',
      POLICY_ENFORCEMENT: 'off',
      DISCLOSURE_LOG: 'off',
      DISCLOSURE_LOG_FILE: join(dataDir, 'unused-log-c.jsonl'),
    },
    '0',
  );
  const directory = await spawnOn('directory', join(REPO_ROOT, 'bench/dist/directory-server.js'), {}, '1');

  // The same supergraph for the stock gateways, with the directory served over HTTP.
  const composed = composeServices(
    discoverSubgraphs(REPO_ROOT)
      // The stock gateways serve the directory (over HTTP) but not the gateway's IG or inbox subgraphs.
      .filter((s) => s.name === 'directory' || !GATEWAY_SUBGRAPHS.includes(s.name))
      .map((s) => ({
        name: s.name,
        url: s.name === 'directory' ? `${directory.url}/` : open[s.name]!,
        typeDefs: parse(readFileSync(s.schemaFile, 'utf8')),
      })),
  );
  if (composed.errors) throw new Error(composed.errors.map((e) => e.message).join('\n'));
  const supergraphFile = join(dataDir, 'bench-supergraph.graphql');
  writeFileSync(supergraphFile, composed.supergraphSdl);
  const stock = await spawnOn(
    'stock-apollo',
    join(REPO_ROOT, 'bench/dist/stock-apollo.js'),
    { SUPERGRAPH_FILE: supergraphFile },
    '0',
  );
  // Hive Gateway's own CLI, no configuration file: its defaults, then its fastest Node mode.
  const hiveBin = join(REPO_ROOT, 'node_modules/@graphql-hive/gateway/dist/bin.js');
  const hiveArgs = (extraArgs: string[]) => (port: number) => [
    'supergraph',
    supergraphFile,
    '--host',
    '127.0.0.1',
    '--port',
    String(port),
    ...extraArgs,
  ];
  const hive = await spawnOn('hive-gateway', hiveBin, { NODE_ENV: 'production' }, '0', hiveArgs([]));
  const hiveRouter = await spawnOn(
    'hive-gateway-router',
    hiveBin,
    { NODE_ENV: 'production' },
    '0',
    hiveArgs(['--hive-router-runtime']),
  );
  const ceiling = await spawnOn(
    'ceiling',
    join(REPO_ROOT, 'bench/dist/ceiling.js'),
    {
      SUPERGRAPH_FILE: supergraphFile,
      CEILING_AGENCIES: JSON.stringify(open),
      CEILING_OPERATIONS: JSON.stringify({ ...OPERATION_TEXT, SubjectAccessReport: undefined, Chronology: undefined }),
    },
    '0',
  );

  const gql = (op: Operation, r: MixRequest) => graphqlBody(op, r);
  // The chronology is the governed gateway's (a view of the governed fields): the others do not serve it.
  const childData = (op: Operation) => op !== 'SubjectAccessReport' && op !== 'Chronology';
  const contenders: Contender[] = [
    {
      id: 'a',
      label: 'ours: full, Redis log',
      ours: true,
      url: stack.gatewayUrl,
      process: stack.processes.get('gateway')!,
      supports: () => true,
      body: gql,
      logPid: redisPid,
    },
    {
      id: 'h',
      label: 'ours: full, facts every request',
      ours: true,
      url: `${everyRequest.url}/graphql`,
      process: everyRequest.proc,
      supports: () => true,
      body: gql,
      logPid: redisPid,
    },
    {
      id: 'b',
      label: 'ours: full, file log',
      ours: true,
      url: `${fileGateway.url}/graphql`,
      process: fileGateway.proc,
      supports: () => true,
      body: gql,
    },
    {
      id: 'g',
      label: 'ours: policies on, log off',
      ours: true,
      url: `${unlogged.url}/graphql`,
      process: unlogged.proc,
      supports: childData,
      body: gql,
    },
    {
      id: 'c',
      label: 'ours: policies+log off',
      ours: true,
      url: `${offGateway.url}/graphql`,
      process: offGateway.proc,
      supports: childData,
      body: gql,
    },
    {
      id: 'd',
      label: 'stock Apollo Gateway',
      url: `${stock.url}/`,
      process: stock.proc,
      supports: childData,
      body: gql,
    },
    {
      id: 'e1',
      label: 'Hive Gateway: router runtime',
      url: `${hiveRouter.url}/graphql`,
      process: hiveRouter.proc,
      supports: childData,
      body: gql,
    },
    {
      id: 'e2',
      label: 'Hive Gateway: defaults',
      url: `${hive.url}/graphql`,
      process: hive.proc,
      supports: childData,
      body: gql,
    },
    {
      id: 'f',
      label: 'ceiling: subgraphs direct',
      url: `${ceiling.url}/`,
      process: ceiling.proc,
      supports: childData,
      body: (op, r) => JSON.stringify({ op, nhsNumbers: r.nhsNumbers }),
    },
  ];
  return { contenders, extra };
}
