import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  appendFileSync,
  chownSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.js';

/** A real PostgreSQL server (Debian's `postgresql`) on a free loopback port, for tests and benchmarks (never a mock). */
export interface PostgresServer {
  /** `postgres://postgres:PASSWORD@127.0.0.1:PORT/DATABASE`: password authentication over TCP, as in production. */
  url: string;
  port: number;
  /** The temporary folder: the data directory (`data/`), the unix socket and the server's log (`log`). */
  dir: string;
  /** Where the unix socket is (`psql -h dir`), where the superuser connects without a password. */
  socketDir: string;
  /** Stops gracefully (`pg_ctl stop -m fast`: a shutdown checkpoint). */
  stop: () => Promise<void>;
  /** SIGKILLs the postmaster, as a crash would (its backends then exit); the next start recovers from the WAL. */
  kill: () => Promise<void>;
  /** Starts it again on the same port and data directory. */
  start: () => Promise<void>;
  /** Stops and removes the folder. */
  destroy: () => Promise<void>;
  /** The running postmaster's process id. */
  pid: () => number | undefined;
}

const INSTALL = 'install it: apt-get install -y postgresql';

/**
 * The folder holding `initdb`, `pg_ctl` and `postgres`: the newest of Debian's `/usr/lib/postgresql/N/bin`
 * (Debian keeps them off PATH), else wherever PATH has `initdb`.
 */
export function postgresBinDir(): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((v) => /^\d+(\.\d+)?$/.test(v) && existsSync(join(root, v, 'bin', 'initdb')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (versions[0]) return join(root, versions[0], 'bin');
  for (const dir of (process.env.PATH ?? '').split(':').filter(Boolean)) {
    if (existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'pg_ctl')) && existsSync(join(dir, 'postgres')))
      return dir;
  }
  throw new Error(
    `PostgreSQL's server programs (initdb, pg_ctl, postgres) were found neither under ${root}/*/bin nor on PATH; ${INSTALL}`,
  );
}

/**
 * Who runs the server: the current user, or, as root (initdb and pg_ctl refuse root), the `postgres` user
 * Debian's package creates (else `nobody`), through `runuser` (else `su`).
 */
function serverUser(): {
  uid: number;
  gid: number;
  wrap: (command: string, args: string[]) => [string, string[]];
} | null {
  if (process.getuid?.() !== 0) return null;
  for (const name of ['postgres', 'nobody']) {
    const uid = spawnSync('id', ['-u', name], { encoding: 'utf8' });
    const gid = spawnSync('id', ['-g', name], { encoding: 'utf8' });
    if (uid.status !== 0 || gid.status !== 0) continue;
    const runuser = ['/usr/sbin/runuser', '/sbin/runuser', '/usr/bin/runuser'].find((p) => existsSync(p));
    const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
    return {
      uid: Number(uid.stdout.trim()),
      gid: Number(gid.stdout.trim()),
      wrap: runuser
        ? (command, args) => [runuser, ['-u', name, '--', command, ...args]]
        : (command, args) => ['su', ['-s', '/bin/sh', name, '-c', [command, ...args].map(quote).join(' ')]],
    };
  }
  throw new Error(
    'running as root, and neither a postgres nor a nobody user exists to run PostgreSQL as (initdb refuses root)',
  );
}

function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.once('error', (e) => reject(new Error(`${command} could not run (${e.message}); ${INSTALL}`)));
    child.once('exit', (code) =>
      code === 0 ? resolve(out) : reject(new Error(`${command} ${args.join(' ')} exited ${code}: ${out.trim()}`)),
    );
  });
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** Processes whose parent is `pid` (Linux's /proc): a postmaster's backends and helpers. */
function childrenOf(pid: number): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // pid (comm) state ppid …: comm may hold spaces and parentheses, so read after the last ')'.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) out.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

async function waitGone(pids: number[], ms: number): Promise<number[]> {
  const deadline = Date.now() + ms;
  let left = pids.filter(alive);
  while (left.length > 0 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 20));
    left = left.filter(alive);
  }
  return left;
}

/**
 * Starts Debian's PostgreSQL in a fresh temporary folder: `initdb` (superuser `postgres`, a random password
 * for TCP, trust on the unix socket, UTF-8), the server listening on 127.0.0.1 at a free port with its unix
 * socket in the folder, `pg_ctl start -w`, and a database created for the caller. As root, the server runs
 * as the `postgres` user, the folder handed to it.
 */
export async function startPostgresServer(
  options: {
    /** The database to create (default `macpt`). */
    database?: string;
    /** More `postgresql.conf` settings (e.g. `shared_buffers: '256MB'` for a benchmark). */
    settings?: Record<string, string>;
  } = {},
): Promise<PostgresServer> {
  const bin = postgresBinDir();
  const user = serverUser();
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'macpt-pg-'));
  const data = join(dir, 'data');
  const log = join(dir, 'log');
  const database = options.database ?? 'macpt';
  const password = randomBytes(18).toString('base64url');
  if (user) chownSync(dir, user.uid, user.gid);
  // As the server's user, in its folder (that user may not be allowed into the caller's working directory).
  const asServer = (program: string, args: string[]) => {
    const [command, argv] = user ? user.wrap(join(bin, program), args) : [join(bin, program), args];
    return run(command, argv, dir);
  };

  try {
    const pwfile = join(dir, 'pwfile');
    writeFileSync(pwfile, `${password}\n`, { mode: 0o600 });
    if (user) chownSync(pwfile, user.uid, user.gid);
    await asServer('initdb', [
      '-D',
      data,
      '-U',
      'postgres',
      `--pwfile=${pwfile}`,
      '--auth-local=trust',
      '--auth-host=scram-sha-256',
      '-E',
      'UTF8',
      '--no-locale',
      '--no-sync',
    ]);
    rmSync(pwfile);
    const settings: Record<string, string> = {
      port: String(port),
      listen_addresses: "'127.0.0.1'",
      unix_socket_directories: `'${dir}'`,
      max_connections: '100',
      ...options.settings,
    };
    appendFileSync(
      join(data, 'postgresql.conf'),
      `\n# macpt test server\n${Object.entries(settings)
        .map(([k, v]) => `${k} = ${v}`)
        .join('\n')}\n`,
    );
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }

  let postmaster: number | undefined;
  const start = async () => {
    try {
      await asServer('pg_ctl', ['-D', data, '-l', log, '-w', '-t', '60', 'start']);
    } catch (error) {
      const tail = existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n').slice(-5).join('\n') : '';
      throw new Error(`PostgreSQL did not start on port ${port}: ${(error as Error).message}\n${tail}`);
    }
    postmaster = Number(readFileSync(join(data, 'postmaster.pid'), 'utf8').split('\n')[0]);
  };
  const stop = async () => {
    if (postmaster === undefined || !alive(postmaster)) return;
    await asServer('pg_ctl', ['-D', data, '-m', 'fast', '-w', '-t', '60', 'stop']);
    postmaster = undefined;
  };
  const kill = async () => {
    const pid = postmaster;
    if (pid === undefined || !alive(pid)) return;
    const children = childrenOf(pid);
    process.kill(pid, 'SIGKILL');
    // Its backends notice the postmaster's death and exit; the next start needs them gone (shared memory).
    const left = await waitGone([pid, ...children], 10_000);
    for (const p of left) process.kill(p, 'SIGKILL');
    await waitGone(left, 5_000);
    postmaster = undefined;
  };

  try {
    await start();
    await run(
      existsSync(join(bin, 'psql')) ? join(bin, 'psql') : 'psql',
      [
        '-X',
        '-q',
        '-v',
        'ON_ERROR_STOP=1',
        '-h',
        dir,
        '-p',
        String(port),
        '-U',
        'postgres',
        '-d',
        'postgres',
        '-c',
        `CREATE DATABASE "${database}"`,
      ],
      dir,
      { PATH: process.env.PATH ?? '' },
    );
  } catch (error) {
    await kill().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }

  return {
    url: `postgres://postgres:${password}@127.0.0.1:${port}/${database}`,
    port,
    dir,
    socketDir: dir,
    stop,
    kill,
    start,
    pid: () => postmaster,
    destroy: async () => {
      try {
        await stop();
      } catch {
        await kill();
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
