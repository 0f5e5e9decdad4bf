import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.js';

/** A real `redis-server` on a free loopback port, for tests and benchmarks (never a mock). */
export interface RedisServer {
  url: string;
  port: number;
  dir: string;
  /** Stops gracefully (SIGTERM; Redis flushes its AOF). */
  stop: () => Promise<void>;
  /** Kills with SIGKILL: only what was already fsync'd survives. */
  kill: () => Promise<void>;
  /** Starts it again on the same port and data folder. */
  start: () => Promise<void>;
  /** Stops and removes the data folder. */
  destroy: () => Promise<void>;
  /** The running server's process id. */
  pid: () => number | undefined;
}

function answersPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host: '127.0.0.1' });
    socket.setTimeout(300);
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (d) => {
      socket.destroy();
      resolve(d.toString().startsWith('+PONG'));
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

/** Starts Debian's `redis-server` with the disclosure log's settings (AOF on, `appendfsync always`). */
export async function startRedisServer(
  options: {
    appendfsync?: 'always' | 'everysec' | 'no';
    binary?: string /** Pin to these CPUs (taskset), as benchmarks do. */;
    cpus?: string;
    /** Start as a replica of the server on this port (loopback). */
    replicaOf?: number;
    /** Keep the data here (created if need be) rather than in a fresh temporary folder. */
    dir?: string;
    /** Start as a Redis Cluster node (its bus on a free port of its own); {@link startRedisCluster} joins them. */
    cluster?: boolean;
  } = {},
): Promise<RedisServer> {
  const port = await freePort();
  const clusterArgs = options.cluster
    ? ['--cluster-enabled', 'yes', '--cluster-port', String(await freePort()), '--cluster-node-timeout', '2000']
    : [];
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'macpt-redis-'));
  mkdirSync(dir, { recursive: true });
  let child: ChildProcess | null = null;
  const start = async () => {
    const args = [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--dir',
      dir,
      '--save',
      '',
      '--appendonly',
      'yes',
      '--appendfsync',
      options.appendfsync ?? 'always',
      '--protected-mode',
      'yes',
      ...(options.replicaOf ? ['--replicaof', '127.0.0.1', String(options.replicaOf)] : []),
      ...clusterArgs,
    ];
    const binary = options.binary ?? 'redis-server';
    child = options.cpus
      ? spawn('taskset', ['-c', options.cpus, binary, ...args], { stdio: 'ignore' })
      : spawn(binary, args, { stdio: 'ignore' });
    const failed = new Promise<never>((_, reject) =>
      child!.once('error', (e) =>
        reject(new Error(`redis-server could not start (${e.message}); install it: apt-get install -y redis-server`)),
      ),
    );
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      if (await Promise.race([answersPing(port), failed])) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`redis-server did not answer on port ${port}`);
  };
  const halt = (signal: NodeJS.Signals) => async () => {
    const c = child;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    const exited = new Promise((r) => c.once('exit', r));
    c.kill(signal);
    await exited;
  };
  await start();
  const stop = halt('SIGTERM');
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    dir,
    stop,
    kill: halt('SIGKILL'),
    start,
    pid: () => (child as ChildProcess | null)?.pid,
    destroy: async () => {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The gateway's Redis user as the README documents it ("Deploying on Redis"). */
export interface DocumentedAcl {
  user: string;
  password: string;
  /** The arguments of `ACL SETUSER`, a selector `(~pattern +cmd …)` being one argument. */
  args: string[];
}

/**
 * The ACL the README tells an operator to give the gateway, read from the README itself: what tests
 * apply is exactly what is documented, so the two cannot drift apart.
 */
export function documentedGatewayAcl(
  readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8'),
): DocumentedAcl {
  const block = /```\n(ACL SETUSER [\s\S]*?)\n```/.exec(readme)?.[1];
  if (!block) throw new Error('the README documents no ACL SETUSER block');
  const [, , user = '', ...args] = block.replace(/\\\n/g, ' ').match(/\([^)]*\)|\S+/g) ?? [];
  const password = args.find((a) => a.startsWith('>'))?.slice(1);
  if (!user || !password) throw new Error(`the README's ACL names no user and password: ${block}`);
  return { user, password, args: [user, ...args] };
}

/**
 * Applies the README's ACL on `server` (as its unrestricted default user, the administrator) and
 * returns the URL a gateway connects with as that user.
 */
export async function applyDocumentedGatewayAcl(server: RedisServer): Promise<string> {
  const acl = documentedGatewayAcl();
  await run('redis-cli', ['-p', String(server.port), 'ACL', 'SETUSER', ...acl.args]).then((out) => {
    if (out.trim() !== 'OK') throw new Error(`ACL SETUSER was refused: ${out.trim()}`);
  });
  return server.url.replace('redis://', `redis://${acl.user}:${encodeURIComponent(acl.password)}@`);
}

/** A Redis Sentinel (Debian's `redis-server --sentinel`) watching a primary on loopback. */
export interface SentinelServer {
  port: number;
  kill: () => Promise<void>;
  destroy: () => Promise<void>;
}

/**
 * Starts a Sentinel monitoring the primary on `primaryPort` under `name`, with short timeouts (a failover
 * in seconds, for tests): the primary is down after `downAfterMs` without an answer.
 */
export async function startSentinel(options: {
  primaryPort: number;
  name: string;
  quorum: number;
  downAfterMs?: number;
}): Promise<SentinelServer> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'macpt-sentinel-'));
  const config = join(dir, 'sentinel.conf');
  writeFileSync(
    config,
    [
      `port ${port}`,
      'bind 127.0.0.1',
      `dir ${dir}`,
      `sentinel monitor ${options.name} 127.0.0.1 ${options.primaryPort} ${options.quorum}`,
      `sentinel down-after-milliseconds ${options.name} ${options.downAfterMs ?? 1000}`,
      `sentinel failover-timeout ${options.name} 5000`,
      `sentinel parallel-syncs ${options.name} 1`,
      '',
    ].join('\n'),
  );
  const child = spawn('redis-server', [config, '--sentinel'], { stdio: 'ignore' });
  const deadline = Date.now() + 10_000;
  while (!(await answersPing(port))) {
    if (Date.now() > deadline || child.exitCode !== null)
      throw new Error(`redis sentinel did not answer on port ${port}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  const kill = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
  };
  return {
    port,
    kill,
    destroy: async () => {
      await kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A local Redis Cluster of primaries only, on loopback (tests). */
export interface RedisCluster {
  /** `host:port,host:port,…` of every node, as REDIS_CLUSTER_NODES takes it. */
  nodes: string;
  servers: RedisServer[];
  destroy: () => Promise<void>;
}

/**
 * Starts `primaries` cluster nodes, assigns the 16,384 slots among them (`redis-cli --cluster create`)
 * and waits until every node reports the cluster up.
 */
export async function startRedisCluster(options: { primaries?: number } = {}): Promise<RedisCluster> {
  const servers: RedisServer[] = [];
  const destroy = async () => {
    await Promise.all(servers.map((s) => s.destroy()));
  };
  try {
    for (let i = 0; i < (options.primaries ?? 3); i++) servers.push(await startRedisServer({ cluster: true }));
    const addresses = servers.map((s) => `127.0.0.1:${s.port}`);
    await run('redis-cli', ['--cluster', 'create', ...addresses, '--cluster-replicas', '0', '--cluster-yes']);
    const deadline = Date.now() + 20_000;
    for (const server of servers) {
      while (!/cluster_state:ok/.test(await run('redis-cli', ['-p', String(server.port), 'cluster', 'info']))) {
        if (Date.now() > deadline) throw new Error(`the Redis Cluster on ${addresses.join(',')} did not come up`);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    return { nodes: addresses.join(','), servers, destroy };
  } catch (error) {
    await destroy();
    throw error;
  }
}

function run(command: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout!.on('data', (d) => (out += d));
    child.stderr!.on('data', (d) => (out += d));
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0 ? resolve(out) : reject(new Error(`${command} ${args.join(' ')} exited ${code}: ${out}`)),
    );
  });
}
