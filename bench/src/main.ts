import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { startRedisServer } from '@macpt/kit/redis-server';
import { REPO_ROOT, startStack, stopProcess } from '@macpt/dev';
import { checkAgreement } from './agreement.js';
import { startContenders, type Contender } from './contenders.js';
import { measureNotifications } from './notify-bench.js';
import { keepPristine, restorePristine, stackAgencies } from './pristine.js';
import { describeLookups, keptLookups, lookupsBetween } from './kept-facts.js';
import { summariseProfiles } from './profile-summary.js';
import { cpuSeconds, peakRssMb, resetPeak } from './proc-stats.js';
import { buildMix, OPERATIONS, type MixRequest, type Operation } from './requests.js';

// `npm run bench`: the MACPT query mix against every contender, side by side, alternating contenders
// round by round so a noisy machine's drift shows; each contender's median round (by req/s) reported, every
// figure of it from that one round. `-- --smoke` proves the harness.

const { values } = parseArgs({
  options: {
    children: { type: 'string', default: '10000' },
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '10' },
    rounds: { type: 'string', default: '2' },
    smoke: { type: 'boolean', default: false },
    /** Only these contenders (e.g. "a,c") and operations (e.g. "ChildView"): for profiling. */
    only: { type: 'string' },
    ops: { type: 'string' },
    /** Write a V8 CPU profile of every process to this directory and print the hottest functions. */
    profile: { type: 'string' },
    /** The most children a Caseload request names (default 500). */
    caseload: { type: 'string' },
  },
});
// The load generator runs on CPU 1 with the subgraphs; gateways get CPU 0 to themselves.
if (!process.env.BENCH_PINNED) {
  const r = spawnSync('taskset', ['-c', '1', process.execPath, ...process.argv.slice(1)], {
    stdio: 'inherit',
    env: { ...process.env, BENCH_PINNED: '1' },
  });
  process.exit(r.status ?? 1);
}
const smoke = values.smoke;
const profileDir = values.profile ? resolve(values.profile) : null;
if (profileDir) {
  mkdirSync(profileDir, { recursive: true });
  process.env.MACPT_CPU_PROF_DIR = profileDir;
}
/** One scale, or several (`--children 10000,100000,909091`): each is set up, measured and torn down in turn. */
const scales = smoke ? [2000] : values.children.split(',').map(Number);
if (scales.some((n) => !Number.isInteger(n) || n < 100))
  throw new Error(`--children takes whole numbers ≥ 100, comma-separated; got ${values.children}`);
const duration = smoke ? 1 : Number(values.duration);
const connections = smoke ? 4 : Number(values.connections);
const rounds = smoke ? 1 : Number(values.rounds);
/** Caps the Caseload's size, so that latencies compare like for like across scales. */
const caseloadCap = values.caseload ? Number(values.caseload) : 500;

interface Run {
  op: Operation;
  contender: string;
  round: number;
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  /** What the errors were: HTTP status of each non-2xx answer, timeouts, connection errors. */
  errorsBy: Record<string, number>;
  cpuPercent: number;
  logCpuPercent: number;
  cpu1Percent: number;
  cpu1ByProcess: Record<string, number>;
  peakRssMb: number;
  /** Our gateways': what their kept facts did in the run (look-ups by outcome). */
  keptLookups?: Record<string, number> | null;
  /** CPU ms per request by process class (the median round's figures; set in the report). */
  cpuMsPerRequest?: Record<string, number>;
}

/** Processes pinned to CPU 1 (subgraphs, the directory and this load generator): is that core saturated? */
let cpu1Pids: number[] = [];
let cpu1Names = new Map<number, string>();
const totalCpu = (pids: number[]) => pids.reduce((t, p) => t + cpuSeconds(p), 0);

/** Drives `pool` at a contender for `seconds` at the fixed number of connections, each request different. */
function load(c: Contender, op: Operation, pool: MixRequest[], seconds: number, offset: number) {
  let i = offset;
  return autocannon({
    url: c.url,
    connections,
    duration: seconds,
    method: 'POST',
    requests: [
      {
        method: 'POST',
        setupRequest: (req: Record<string, unknown>) => {
          const r = pool[i++ % pool.length]!;
          return { ...req, headers: r.headers, body: c.body(op, r) };
        },
      } as never,
    ],
  });
}

async function measure(c: Contender, op: Operation, pool: MixRequest[], round: number): Promise<Run> {
  // Unmeasured warm-up in the first round (JIT, connection pools, plan caches), on other requests of the pool.
  if (round === 0 && !smoke) await load(c, op, pool, Math.min(3, Math.max(1, Math.floor(duration / 4))), 104_729);
  const pid = c.process.child.pid!;
  const logPids = c.logPid ? [c.logPid()].filter((p): p is number => p !== undefined) : [];
  resetPeak(pid);
  const cpuBefore = cpuSeconds(pid);
  const logBefore = totalCpu(logPids);
  const cpu1Before = totalCpu(cpu1Pids);
  const eachBefore = cpu1Pids.map((p) => cpuSeconds(p));
  const keptBefore = c.ours ? await keptLookups(c.url) : null;
  const started = Date.now();
  const result = await load(c, op, pool, duration, round * 7919);
  const seconds = (Date.now() - started) / 1000;
  const kept = c.ours ? lookupsBetween(keptBefore, await keptLookups(c.url)) : null;
  return {
    op,
    contender: c.id,
    round,
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    // autocannon's `errors` counts connection errors, timeouts included.
    errors: result.errors + result.non2xx,
    errorsBy: Object.fromEntries(
      [
        ...Object.entries(result.statusCodeStats ?? {})
          .filter(([code]) => !code.startsWith('2'))
          .map(([code, v]) => [`HTTP ${code}`, (v as { count: number }).count]),
        ['timeouts', result.timeouts],
        ['connection errors', result.errors - result.timeouts],
      ].filter(([, n]) => Number(n) > 0),
    ),
    cpuPercent: (100 * (cpuSeconds(pid) - cpuBefore)) / seconds,
    logCpuPercent: (100 * (totalCpu(logPids) - logBefore)) / seconds,
    cpu1Percent: (100 * (totalCpu(cpu1Pids) - cpu1Before)) / seconds,
    cpu1ByProcess: Object.fromEntries(
      cpu1Pids
        .map((p, k) => [
          cpu1Names.get(p) ?? String(p),
          Math.round((1000 * (cpuSeconds(p) - eachBefore[k]!)) / seconds) / 10,
        ])
        .filter(([, v]) => Number(v) > 0),
    ),
    peakRssMb: peakRssMb(pid),
    ...(kept ? { keptLookups: kept } : {}),
  };
}

/**
 * A contender's median round by req/s (of an even number, the upper: of two, the better). Every figure reported
 * for it comes from that one round, so its CPU per request, p50 and p99 belong with its req/s.
 */
const medianRound = (runs: readonly Run[]): Run =>
  [...runs].sort((a, b) => a.rps - b.rps)[Math.floor(runs.length / 2)]!;

/** The process classes whose CPU a request costs, in the order printed; subgraphs by agency, open or guarded. */
const CPU_CLASSES = [
  'gateway',
  'Redis',
  'social-care',
  'health',
  'police',
  'education',
  'family-help',
  'directory',
  'load gen',
];
const classOf = (name: string) => (name === 'load generator' ? 'load gen' : name.replace(/-open$/, ''));

/**
 * CPU milliseconds per request, per process class: what governance costs each process, which holds when
 * every agency runs on machines of its own (throughput on this shared 2-core machine does not).
 */
function printCpuPerRequest(rows: Contender[], s: Record<string, Omit<Run, 'op' | 'contender' | 'round'>>): void {
  console.log(`  CPU ms per request: ${CPU_CLASSES.map((k) => k.padStart(11)).join('')}${'all'.padStart(8)}`);
  for (const c of rows) {
    const m = s[c.id]!;
    const perRequest = (percent: number) => (m.rps > 0 ? (percent * 10) / m.rps : NaN);
    const byClass: Record<string, number> = { gateway: perRequest(m.cpuPercent) };
    if (c.logPid) byClass.Redis = perRequest(m.logCpuPercent);
    for (const [name, percent] of Object.entries(m.cpu1ByProcess))
      byClass[classOf(name)] = (byClass[classOf(name)] ?? 0) + perRequest(percent);
    const total = Object.values(byClass).reduce((t, v) => t + v, 0);
    m.cpuMsPerRequest = byClass;
    console.log(
      `  ${`${c.id})`.padEnd(20)}${CPU_CLASSES.map((k) => (byClass[k] === undefined ? '' : byClass[k]!.toFixed(2)).padStart(11)).join('')}${total.toFixed(2).padStart(8)}`,
    );
  }
}

/** Prints one table per operation (each contender's median round) and the ratios; returns the summary. */
function report(runs: Run[], contenders: Contender[]) {
  const summary: Record<string, Record<string, Omit<Run, 'op' | 'contender' | 'round'>>> = {};
  for (const op of OPERATIONS) {
    const rows = contenders.filter((c) => runs.some((r) => r.op === op && r.contender === c.id));
    if (rows.length === 0) continue;
    console.log(`${op}`);
    console.log(
      `  ${'contender'.padEnd(32)} ${'req/s'.padStart(6)} ${'p50 ms'.padStart(7)} ${'p99 ms'.padStart(7)} ${'errors'.padStart(7)} ${'CPU %'.padStart(6)} ${'Redis %'.padStart(8)} ${'CPU1 %'.padStart(7)} ${'peak RSS MB'.padStart(12)}`,
    );
    const s: Record<string, Omit<Run, 'op' | 'contender' | 'round'>> = {};
    for (const c of rows) {
      const mine = runs.filter((r) => r.op === op && r.contender === c.id);
      const mid = medianRound(mine);
      const m = {
        cpu1ByProcess: mid.cpu1ByProcess,
        rps: mid.rps,
        p50: mid.p50,
        p99: mid.p99,
        // Errors over every round: one in any round is reported.
        errors: mine.reduce((t, r) => t + r.errors, 0),
        errorsBy: mine.reduce<Record<string, number>>((t, r) => {
          for (const [k, n] of Object.entries(r.errorsBy)) t[k] = (t[k] ?? 0) + n;
          return t;
        }, {}),
        cpuPercent: mid.cpuPercent,
        logCpuPercent: mid.logCpuPercent,
        cpu1Percent: mid.cpu1Percent,
        peakRssMb: Math.max(...mine.map((r) => r.peakRssMb)),
      };
      s[c.id] = m;
      const redisCpu = c.logPid ? m.logCpuPercent.toFixed(0) : '';
      console.log(
        `  ${`${c.id}) ${c.label}`.padEnd(32)} ${m.rps.toFixed(0).padStart(6)} ${m.p50.toFixed(0).padStart(7)} ${m.p99.toFixed(0).padStart(7)} ${String(m.errors).padStart(7)} ${m.cpuPercent.toFixed(0).padStart(6)} ${redisCpu.padStart(8)} ${m.cpu1Percent.toFixed(0).padStart(7)} ${m.peakRssMb.toFixed(0).padStart(12)}`,
      );
    }
    const failed = rows.filter((c) => s[c.id]!.errors > 0);
    if (failed.length > 0)
      console.log(
        `  errors: ${failed
          .map(
            (c) =>
              `${c.id}) ${Object.entries(s[c.id]!.errorsBy)
                .map(([k, n]) => `${k} ×${n}`)
                .join(', ')}`,
          )
          .join('; ')}`,
      );
    printCpuPerRequest(rows, s);
    for (const c of rows) {
      const mine = runs.filter(
        (r) => r.op === op && r.contender === c.id && Object.values(r.keptLookups ?? {}).some((n) => n > 0),
      );
      if (mine.length === 0) continue;
      const together: Record<string, number> = {};
      for (const r of mine) for (const [k, n] of Object.entries(r.keptLookups!)) together[k] = (together[k] ?? 0) + n;
      console.log(`  kept facts (${c.id}), look-ups in its runs: ${describeLookups(together)}`);
    }
    const ratio = (x: string, y: string) => (s[x] && s[y] ? (s[x]!.rps / s[y]!.rps).toFixed(2) : 'n/a');
    console.log(
      `  ratios (req/s): a/d ${ratio('a', 'd')}  a/c ${ratio('a', 'c')}  a/f ${ratio('a', 'f')}  a/e1 ${ratio('a', 'e1')}  a/e2 ${ratio('a', 'e2')}  kept facts: a/h ${ratio('a', 'h')}   log cost: a/g ${ratio('a', 'g')}  b/g ${ratio('b', 'g')}\n`,
    );
    summary[op] = s;
  }
  return summary;
}

async function runScale(children: number) {
  // Redis is part of contender (a)'s cost, so it shares the gateways' core: the other core then does
  // the same subgraph work for every contender. (In production Redis has a machine of its own.)
  const redis = await startRedisServer({ appendfsync: 'always', cpus: '0' });
  let stack: Awaited<ReturnType<typeof startStack>> | null = null;
  let extra: Awaited<ReturnType<typeof startContenders>>['extra'] = [];
  try {
    const world = { seed: 1, children, asOf: '2026-11-01' };
    const dataDir = join(REPO_ROOT, 'data', `bench-${children}`);
    const setupStarted = Date.now();
    const agencies = stackAgencies();
    const restored = restorePristine(dataDir, world, agencies);
    stack = await startStack({
      dataDir,
      world,
      ports: 'free',
      logs: 'quiet',
      startTimeoutMs: 900_000,
      cpus: { gateway: '0', agencies: '1' },
      env: { LOG_LEVEL: 'warn' },
      gatewayEnv: {
        REDIS_URL: redis.url,
        LOG_LEVEL: 'error',
        TRUSTED_DOCUMENTS: 'allow',
        RATE_LIMIT_REQUESTS_PER_MINUTE: '1000000000',
        RATE_LIMIT_CHILDREN_PER_HOUR: '1000000000',
      },
    });
    if (!restored) keepPristine(dataDir, agencies);
    const started = await startContenders(stack, dataDir, redis.pid);
    extra = started.extra;
    const onCpu1 = [
      ...[...stack.processes.values()].filter((p) => p.name !== 'gateway'),
      ...extra.filter((p) => p.name.endsWith('-open') || p.name === 'directory'),
    ];
    cpu1Pids = [process.pid, ...onCpu1.map((p) => p.child.pid!)];
    cpu1Names = new Map([
      [process.pid, 'load generator'],
      ...onCpu1.map((p) => [p.child.pid!, p.name] as [number, string]),
    ]);
    const contenders = started.contenders.filter((c) => !values.only || values.only.split(',').includes(c.id));
    const operations = OPERATIONS.filter((op) => !values.ops || values.ops.split(',').includes(op));
    const mix = await buildMix(world, dataDir, 400, caseloadCap);
    console.log(
      `MACPT benchmark (Node ${process.version}): ${children.toLocaleString('en-GB')} children, ${connections} connections, ${duration} s a run, ${rounds} round(s); caseloads of ${mix.caseloadSizes.join(', ')} children (one per local authority, each in up to 16 orders, in rotation); set-up ${((Date.now() - setupStarted) / 1000).toFixed(0)} s`,
    );
    console.log('contenders:', contenders.map((c) => `${c.id}) ${c.label}`).join('; '), '\n');

    for (const op of operations) await checkAgreement(contenders, op, mix[op].slice(0, 3));
    console.log('answers checked: every contender returned the same data for the same requests\n');
    const runs: Run[] = [];
    for (let round = 0; round < rounds; round++) {
      for (const op of operations) {
        if (mix[op].length === 0) continue;
        // Every other round in reverse order: no contender always runs first (after set-up or another operation).
        const order = round % 2 === 1 ? [...contenders].reverse() : contenders;
        for (const c of order) if (c.supports(op)) runs.push(await measure(c, op, mix[op], round));
      }
    }
    const summary = report(runs, contenders);
    const [chronology, childView] = [summary.Chronology?.a, summary.ChildView?.a];
    if (chronology && childView)
      console.log(
        `chronology of the long case (ten years, every agency) beside ChildView, on (a): p50 ${chronology.p50.toFixed(0)} vs ${childView.p50.toFixed(0)} ms, p99 ${chronology.p99.toFixed(0)} vs ${childView.p99.toFixed(0)} ms, ${chronology.rps.toFixed(0)} vs ${childView.rps.toFixed(0)} req/s\n`,
      );
    // Notifications: event → inbox under the ChildView mix on the governed gateway (a), then a burst.
    const governed = contenders.find((c) => c.id === 'a');
    const notifications = governed
      ? await measureNotifications({
          gatewayUrl: stack.gatewayUrl,
          dataDir,
          world,
          tokenFor: (persona) => stack!.tokenFor(persona),
          underLoad: () => load(governed, 'ChildView', mix.ChildView, smoke ? 2 : duration, 0),
          events: smoke ? 10 : 60,
          perSecond: 10,
        })
      : null;
    if (notifications)
      console.log(
        `notifications (a, under the ChildView mix): ${notifications.events} events, event → inbox p50 ${notifications.p50Ms} ms, p99 ${notifications.p99Ms} ms, max ${notifications.maxMs} ms; burst of ${notifications.burst.events}: ${notifications.burst.perSecond.toFixed(0)} events/s (${notifications.burst.seconds.toFixed(2)} s)`,
      );
    const subgraphs = [...stack.processes.values()]
      .filter((p) => p.name !== 'gateway')
      .map((p) => `${p.name} ${peakRssMb(p.child.pid!).toFixed(0)} MB`);
    const size = (f: string) => {
      try {
        return statSync(join(dataDir, f)).size;
      } catch {
        return 0;
      }
    };
    const stores = readdirSync(dataDir)
      .filter((f) => f.endsWith('.db'))
      .map((f) => `${f} ${((size(f) + size(`${f}-wal`)) / 1e6).toFixed(1)} MB`);
    console.log(`subgraph peak RSS: ${subgraphs.join(', ')}\nstores: ${stores.join(', ')}`);
    mkdirSync(join(REPO_ROOT, 'bench', 'results'), { recursive: true });
    const file = join(REPO_ROOT, 'bench', 'results', `${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
    writeFileSync(
      file,
      JSON.stringify(
        {
          world,
          connections,
          duration,
          rounds,
          smoke,
          caseloadSize: mix.caseloadSize,
          caseloadSizes: mix.caseloadSizes,
          runs,
          summary,
          subgraphs,
          stores,
          notifications,
        },
        null,
        1,
      ),
    );
    console.log(`raw results: ${file}`);
    if (smoke && runs.some((r) => r.rps === 0)) throw new Error('smoke run: a contender answered nothing');
    return { children, caseloadSize: mix.caseloadSize, caseloadSizes: mix.caseloadSizes, summary, subgraphs, stores };
  } finally {
    await Promise.all(extra.map((p) => stopProcess(p)));
    await stack?.stop();
    await redis.destroy();
  }
}

type ScaleResult = Awaited<ReturnType<typeof runScale>>;

/** Latency at each scale against the smallest, for the operations that must not slow as data grows (±20 %). */
function reportScales(results: ScaleResult[]): void {
  const base = results[0]!;
  console.log(
    `\nScale: p50 / p99 ms at each number of children (change of p50 against ${base.children.toLocaleString('en-GB')})`,
  );
  for (const op of ['ChildView', 'Caseload'] as const) {
    for (const id of Object.keys(base.summary[op] ?? {})) {
      const cells = results.map((r) => {
        const m = r.summary[op]?.[id];
        const b = base.summary[op]?.[id];
        if (!m || !b) return 'n/a'.padStart(26);
        const change =
          r === base ? '' : ` (${m.p50 >= b.p50 ? '+' : ''}${((100 * (m.p50 - b.p50)) / b.p50).toFixed(0)} %)`;
        return `${m.p50.toFixed(0)} / ${m.p99.toFixed(0)}${change}`.padStart(26);
      });
      console.log(`  ${op.padEnd(10)} ${id.padEnd(3)} ${cells.join('')}`);
    }
  }
  console.log(
    `  ${''.padEnd(14)}${results.map((r) => `${r.children.toLocaleString('en-GB')} (caseloads ${r.caseloadSizes.join('/')})`.padStart(26)).join('')}`,
  );
  for (const r of results)
    console.log(
      `  ${r.children.toLocaleString('en-GB')} children: subgraph peak RSS ${r.subgraphs.join(', ')}; stores ${r.stores.join(', ')}`,
    );
}

const results: ScaleResult[] = [];
for (const children of scales) results.push(await runScale(children));
if (results.length > 1) reportScales(results);
if (profileDir)
  console.log(['CPU profiles (open in Chrome DevTools or speedscope):', ...summariseProfiles(profileDir)].join('\n'));
