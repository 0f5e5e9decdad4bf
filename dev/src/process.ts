import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

/** How a child process's log lines are shown. */
export type LogMode = 'pretty' | 'quiet' | 'json';

const COLOURS = [36, 32, 35, 33, 34, 31];
const LEVELS: Record<number, string> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };

/** One pino JSON line as `hh:mm:ss [name] level message key=value…`; other lines as they are. */
export function formatLine(name: string, colour: number, line: string): string {
  const prefix = `\x1b[${colour}m[${name.padEnd(11)}]\x1b[0m`;
  try {
    const {
      time,
      level,
      msg,
      svc: _svc,
      name: _name,
      pid: _pid,
      hostname: _host,
      ...rest
    } = JSON.parse(line) as Record<string, unknown>;
    const extras = Object.entries(rest)
      .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
      .join(' ');
    return `${String(time ?? '').slice(11, 19)} ${prefix} ${LEVELS[level as number] ?? level} ${msg ?? ''} ${extras}`.trimEnd();
  } catch {
    return `${prefix} ${line}`;
  }
}

/** A child process of the stack, with its last log lines kept for error reports. */
export interface StackProcess {
  name: string;
  child: ChildProcess;
  recent: string[];
  exited: Promise<number | null>;
}

let colourIndex = 0;

/** Starts `node <script>` with `env`, relaying its output with a prefix. */
export function startProcess(
  name: string,
  script: string,
  args: string[],
  env: Record<string, string>,
  mode: LogMode,
  cpus?: string,
): StackProcess {
  // Optionally pinned to CPUs (benchmarks: gateway on one core, everything else on the other).
  // MACPT_CPU_PROF_DIR (bench --profile): each process writes a V8 CPU profile there when it exits.
  const profileDir = env.MACPT_CPU_PROF_DIR ?? process.env.MACPT_CPU_PROF_DIR;
  const node = [
    process.execPath,
    ...(profileDir
      ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`, `--cpu-prof-name=${name}.${Date.now()}.cpuprofile`]
      : []),
    script,
    ...args,
  ];
  const command = cpus ? (['taskset', ['-c', cpus, ...node]] as const) : ([node[0]!, node.slice(1)] as const);
  const child = spawn(command[0], [...command[1]], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const colour = COLOURS[colourIndex++ % COLOURS.length] as number;
  const recent: string[] = [];
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream }).on('line', (line) => {
      recent.push(line);
      if (recent.length > 50) recent.shift();
      if (mode === 'pretty') console.log(formatLine(name, colour, line));
      else if (mode === 'json') console.log(line);
    });
  }
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { name, child, recent, exited };
}

/** Polls `url` until it answers 200, the process exits, or the deadline passes. */
export async function waitForHealth(proc: StackProcess, url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  void proc.exited.then(() => (exited = true));
  while (Date.now() < deadline && !exited) {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(1000) });
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(
    `${proc.name} did not become healthy at ${url}${exited ? ' (it exited)' : ''}:\n${proc.recent.join('\n')}`,
  );
}

/** Sends SIGTERM and waits for exit, escalating to SIGKILL after `graceMs`. */
export async function stopProcess(proc: StackProcess, graceMs = 5000): Promise<void> {
  if (proc.child.exitCode !== null || proc.child.signalCode !== null) return;
  proc.child.kill('SIGTERM');
  const timer = setTimeout(() => proc.child.kill('SIGKILL'), graceMs);
  await proc.exited;
  clearTimeout(timer);
}
