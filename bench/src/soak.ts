import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { Redis } from 'ioredis';
import { startRedisServer } from '@macpt/kit/redis-server';
import { REPO_ROOT, startStack } from '@macpt/dev';
import { keepPristine, restorePristine, stackAgencies } from './pristine.js';
import { cpuSeconds } from './proc-stats.js';
import { buildMix, graphqlBody, type MixRequest, type Operation } from './requests.js';

// `npm run soak -- --minutes N`: the dashboard mix at a steady rate against the full system (gateway on
// Redis with `appendfsync always`, four agencies), one-minute windows, bounded and on loopback. Reports
// each process's RSS and CPU and the latency at the start and at the end, and every error other than a
// policy refusal: what a long run grows or breaks.

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '30' },
    children: { type: 'string', default: '10000' },
    /** Requests per second, across all connections (a steady load, well below saturation). */
    rate: { type: 'string', default: '20' },
    connections: { type: 'string', default: '4' },
    /** The hot tier's size: small enough that an hour's records pass through it and it levels off. */
    'hot-records': { type: 'string', default: '20000' },
  },
});
const minutes = Number(values.minutes);
const rate = Number(values.rate);
const connections = Number(values.connections);
if (!(minutes > 0 && minutes <= 24 * 60) || !(rate > 0) || !(connections > 0))
  throw new Error('--minutes (up to 1440), --rate and --connections take positive numbers');

/** The dashboards' mix: mostly single children, then packs and caseloads, a few IG reports. */
const WEIGHTS: [Operation, number][] = [
  ['ChildView', 50],
  ['ConferencePack', 20],
  ['Caseload', 25],
  ['SubjectAccessReport', 5],
];
/** Errors a governed answer carries by design: a field or child the user may not see. */
const POLICY_CODES = new Set(['FORBIDDEN_BY_POLICY']);

interface Window {
  minute: number;
  requests: number;
  /** Per operation, ms. */
  latency: Record<string, { p50: number; p99: number }>;
  /** Errors other than policy refusals, by code (HTTP status for a non-200 answer). */
  errors: Record<string, number>;
  /** Per process: resident MB at the window's end and CPU % over the window. */
  processes: Record<string, { rssMb: number; cpuPercent: number }>;
  /** Redis's own count of the memory it holds (MB) and the records in the log's hot tier, at the window's end. */
  redis: { usedMb: number; hotRecords: number };
}

const rssMb = (pid: number) => {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) / 1024 : 0;
};

const redis = await startRedisServer({ appendfsync: 'always' });
const dataDir = join(REPO_ROOT, 'data', `soak-${values.children}`);
// Each run's log starts afresh on its new Redis: an archive left by an earlier run is another log's, and the
// mover rightly refuses to seal onto it.
for (const suffix of ['', '-wal', '-shm']) rmSync(join(dataDir, `disclosure-archive.sqlite${suffix}`), { force: true });
const world = { seed: 1, children: Number(values.children), asOf: '2026-11-01' };
const agencies = stackAgencies();
const restored = restorePristine(dataDir, world, agencies);
const stack = await startStack({
  dataDir,
  world,
  ports: 'free',
  logs: 'quiet',
  startTimeoutMs: 900_000,
  env: { LOG_LEVEL: 'warn' },
  gatewayEnv: {
    REDIS_URL: redis.url,
    LOG_LEVEL: 'error',
    TRUSTED_DOCUMENTS: 'allow',
    // The soak measures the system, not the limiter: the mix's few personas ask all day.
    RATE_LIMIT_REQUESTS_PER_MINUTE: '1000000000',
    RATE_LIMIT_CHILDREN_PER_HOUR: '1000000000',
    DISCLOSURE_LOG_HOT_RECORDS: values['hot-records'],
  },
});
if (!restored) keepPristine(dataDir, agencies);
const probe = new Redis(redis.url, { lazyConnect: true, maxRetriesPerRequest: 1 });
await probe.connect();
const redisLevels = async () => {
  const info = await probe.info('memory');
  const used = Number(/used_memory:(\d+)/.exec(info)?.[1] ?? 0);
  return { usedMb: Math.round(used / 1024 / 102.4) / 10, hotRecords: await probe.xlen('macpt:dlog:stream') };
};
const pids: Record<string, number> = { redis: redis.pid()! };
for (const p of stack.processes.values()) pids[p.name] = p.child.pid!;
const shutdown = async () => {
  probe.disconnect();
  await stack.stop();
  await redis.destroy();
};
process.once('SIGINT', () => void shutdown().then(() => process.exit(130)));

try {
  const mix = await buildMix(world, dataDir, 400, 500);
  console.log(
    `MACPT soak (Node ${process.version}): ${world.children.toLocaleString('en-GB')} children, ${minutes} min at ${rate} req/s over ${connections} connections; mix ${WEIGHTS.map(([op, n]) => `${op} ${n} %`).join(', ')}`,
  );
  const windows: Window[] = [];
  const weightSum = WEIGHTS.reduce((t, [, w]) => t + w, 0);
  const next: Record<string, number> = {};
  for (let minute = 1; minute <= minutes; minute++) {
    const errors: Record<string, number> = {};
    const cpuBefore = Object.fromEntries(Object.entries(pids).map(([k, p]) => [k, cpuSeconds(p)]));
    const started = Date.now();
    // One load generator per operation, each at its share of the rate: latency is reported per operation.
    const results = await Promise.all(
      WEIGHTS.map(([op, w]) =>
        autocannon({
          url: stack.gatewayUrl,
          connections: Math.max(1, Math.round((connections * w) / weightSum)),
          overallRate: (rate * w) / weightSum,
          duration: 60,
          requests: [
            {
              method: 'POST',
              setupRequest: (req: Record<string, unknown>) => {
                const pool: MixRequest[] = mix[op];
                const r = pool[(next[op] = (next[op] ?? 0) + 1) % pool.length]!;
                return { ...req, headers: r.headers, body: graphqlBody(op, r) };
              },
              onResponse: (status: number, body: string) => {
                if (status !== 200) {
                  const kind = `HTTP ${status} ${codeOf(body)}`;
                  errors[kind] = (errors[kind] ?? 0) + 1;
                  return;
                }
                const codes = ((JSON.parse(body) as { errors?: { extensions?: { code?: string } }[] }).errors ?? [])
                  .map((e) => e.extensions?.code ?? 'NO_CODE')
                  .filter((c) => !POLICY_CODES.has(c));
                for (const c of new Set(codes)) errors[c] = (errors[c] ?? 0) + 1;
              },
            } as never,
          ],
        }).then((result) => ({ op, result })),
      ),
    );
    const seconds = (Date.now() - started) / 1000;
    // autocannon's `errors` counts connection errors, timeouts included.
    for (const { result } of results) {
      if (result.timeouts > 0) errors.timeouts = (errors.timeouts ?? 0) + result.timeouts;
      if (result.errors > result.timeouts)
        errors['connection errors'] = (errors['connection errors'] ?? 0) + result.errors - result.timeouts;
    }
    const window: Window = {
      minute,
      requests: results.reduce((t, { result }) => t + result.requests.total, 0),
      latency: Object.fromEntries(
        results.map(({ op, result }) => [op, { p50: result.latency.p50, p99: result.latency.p99 }]),
      ),
      errors,
      redis: await redisLevels(),
      processes: Object.fromEntries(
        Object.entries(pids).map(([k, p]) => [
          k,
          {
            rssMb: Math.round(rssMb(p) * 10) / 10,
            cpuPercent: Math.round((1000 * (cpuSeconds(p) - cpuBefore[k]!)) / seconds) / 10,
          },
        ]),
      ),
    };
    windows.push(window);
    const errorText = Object.entries(errors)
      .map(([c, k]) => `${c} ${k}`)
      .join(', ');
    console.log(
      `  minute ${String(minute).padStart(3)}: ${window.requests} requests; p50/p99 ms ${Object.entries(window.latency)
        .map(([op, l]) => `${op} ${l.p50}/${l.p99}`)
        .join(
          ', ',
        )}; errors other than policy refusals: ${errorText || 'none'}; Redis ${window.redis.usedMb} MB used, ${window.redis.hotRecords} hot records; RSS ${Object.entries(
        window.processes,
      )
        .map(([k, v]) => `${k} ${v.rssMb.toFixed(0)}`)
        .join(', ')} MB`,
    );
  }
  // Minute 5 is the baseline (the first minutes warm caches and plans); minute 1 when the run is shorter.
  const first = windows[Math.min(4, windows.length - 1)]!;
  const last = windows.at(-1)!;
  console.log(`\n  from minute ${first.minute} to minute ${last.minute}:`);
  console.log(
    `  Redis used memory ${first.redis.usedMb} → ${last.redis.usedMb} MB; hot records ${first.redis.hotRecords} → ${last.redis.hotRecords} (hot tier ${values['hot-records']})`,
  );
  console.log(`  process          RSS (MB)                        CPU %`);
  for (const k of Object.keys(pids))
    console.log(
      `  ${k.padEnd(16)} ${`${first.processes[k]!.rssMb.toFixed(0)} → ${last.processes[k]!.rssMb.toFixed(0)}`.padStart(28)}   ${`${first.processes[k]!.cpuPercent} → ${last.processes[k]!.cpuPercent}`.padStart(18)}`,
    );
  const total = windows.reduce((t, w) => t + w.requests, 0);
  const errors: Record<string, number> = {};
  for (const w of windows) for (const [c, k] of Object.entries(w.errors)) errors[c] = (errors[c] ?? 0) + k;
  for (const [op] of WEIGHTS)
    console.log(
      `  ${op.padEnd(22)} p50 ${first.latency[op]!.p50} → ${last.latency[op]!.p50} ms, p99 ${first.latency[op]!.p99} → ${last.latency[op]!.p99} ms`,
    );
  console.log(
    `  ${total.toLocaleString('en-GB')} requests; errors other than policy refusals: ${
      Object.entries(errors)
        .map(([c, k]) => `${c} ${k}`)
        .join(', ') || 'none'
    }`,
  );
  mkdirSync(join(REPO_ROOT, 'bench', 'results'), { recursive: true });
  const file = join(REPO_ROOT, 'bench', 'results', `soak-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(
    file,
    JSON.stringify(
      { world, minutes, rate, connections, hotRecords: Number(values['hot-records']), node: process.version, windows },
      null,
      2,
    ),
  );
  console.log(`raw results: ${file}`);
  if (Object.keys(errors).length > 0) process.exitCode = 1;
} finally {
  await shutdown();
}

/** The error code a refused request's body names (GraphQL errors' extensions.code), or what it is. */
function codeOf(body: string): string {
  try {
    return (
      (JSON.parse(body) as { errors?: { extensions?: { code?: string } }[] }).errors?.[0]?.extensions?.code ?? 'NO_CODE'
    );
  } catch {
    return 'not JSON';
  }
}
