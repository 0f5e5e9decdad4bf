import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  draft,
  FileDisclosureStore,
  logKeys,
  SqliteArchive,
  verifyTiered,
  SegmentCheckPool,
  GroupCommitter,
  RedisDisclosureStore,
  type DisclosureStore,
  type RecordDraft,
} from '@macpt/gateway/disclosure';
import { startRedisServer } from '@macpt/kit/redis-server';
import {
  archiveReports,
  bytesPerRecord,
  fillArchive,
  mixedRecord,
  moverCapacity,
  moverKeepsUp,
  putStall,
} from './archive-bench.js';

// `npm run bench:log`: disclosure-log micro-benchmarks, side by side in one run —
// group-commit appends/s against one-at-a-time appends, on Redis (appendfsync always) and the file;
// and subject-access-report time over a log of --records records (default 1,000,000).

const { values } = parseArgs({
  options: {
    records: { type: 'string', default: '1000000' },
    seconds: { type: 'string', default: '5' },
    inflight: { type: 'string', default: '256' },
    archived: { type: 'string', default: '10000000' },
    smoke: { type: 'boolean', default: false },
  },
});
const ARCHIVED = values.smoke ? 20_000 : Number(values.archived);
const RECORDS = values.smoke ? 20_000 : Number(values.records);
const SECONDS = values.smoke ? 1 : Number(values.seconds);
const INFLIGHT = Number(values.inflight);
const CHILDREN = Math.max(1000, Math.floor(RECORDS / 5));

/** Limits the benchmark's two users never reach: the charges are counted, never refused. */
const UNLIMITED = { requestsPerMinute: 1e12, childrenPerHour: 1e12 };
const nhs = (i: number) => `999${String(1_000_000 + (i % CHILDREN)).padStart(7, '0')}`;
let counter = 0;
function record(i = counter++): RecordDraft {
  const facts = {
    requestId: `bench-${i}`,
    user: { id: `police-leicester-${(i % 2) + 1}`, role: 'MACPT_POLICE', agency: 'police', la: 'LEICESTER' },
    purpose: 'STRATEGY_DISCUSSION',
    justification: null,
    breakGlass: false,
    operationName: 'ChildView',
    operationHash: 'f'.repeat(64),
    clientName: 'bench',
  };
  return draft('DISCLOSURE', facts, 'PARTIAL', {
    children: [
      {
        nhsNumber: nhs(i),
        disclosed: {
          health: ['Child.health', 'HealthRecord.aeAttendances', 'HealthRecord.name'],
          police: ['Child.police', 'PoliceRecord.incidents'],
        },
        withheld: [{ field: 'HealthRecord.camhs', agency: 'health', rule: 'SENSITIVE_PURPOSE', class: 'SENSITIVE' }],
        lawfulBasis: {
          health: 'UK GDPR Art. 6(1)(e) and Art. 9(2)(g); DPA 2018 Sch. 1 para. 18',
          police: 'DPA 2018 Part 3, s.35 and Sch. 8 para. 4',
        },
      },
    ],
    agencies: ['health', 'police'],
  });
}

/** A caseload's record: 100 children of an LA, each with one of three field sets (as stages differ). */
function caseloadRecord(i: number): RecordDraft {
  const one = record(i);
  const variants = one.children[0]!;
  return {
    ...one,
    operation: { name: 'Caseload', hash: 'e'.repeat(64) },
    children: Array.from({ length: 100 }, (_, k) => ({
      ...variants,
      nhsNumber: nhs(i * 100 + k),
      disclosed: k % 3 === 0 ? { health: ['HealthRecord.name'] } : variants.disclosed,
      withheld: k % 3 === 1 ? [] : variants.withheld,
    })),
  };
}
const mixed = (i: number) => mixedRecord(i, record, caseloadRecord);

/** Appends/s with `inflight` concurrent writers for `seconds`: through group commit, or one append at a time. */
async function appendRate(store: DisclosureStore, grouped: boolean): Promise<number> {
  const committer = new GroupCommitter(store, 5_000);
  const until = Date.now() + SECONDS * 1000;
  let done = 0;
  const writer = async () => {
    while (Date.now() < until) {
      // Each record charges its request and its child to the user's rate limits, as a gateway's do.
      const r = record();
      const charge = { userId: r.user!.id, children: r.children.map((c) => c.nhsNumber) };
      if (grouped) await committer.append(r, charge);
      else await store.append([r], [charge]);
      done++;
    }
  };
  const started = Date.now();
  await Promise.all(Array.from({ length: grouped ? INFLIGHT : 1 }, writer));
  return done / ((Date.now() - started) / 1000);
}

async function fill(store: DisclosureStore, total: number): Promise<number> {
  const started = Date.now();
  for (let i = 0; i < total; i += 1000)
    await store.append(Array.from({ length: Math.min(1000, total - i) }, (_, k) => record(i + k)));
  return (Date.now() - started) / 1000;
}

async function sarTimes(store: DisclosureStore): Promise<{ median: number; p99: number; records: number }> {
  const times: number[] = [];
  let found = 0;
  for (let k = 0; k < 50; k++) {
    const started = process.hrtime.bigint();
    const rows = await store.query({ nhsNumber: nhs(k * 7919) }, 10_000);
    times.push(Number(process.hrtime.bigint() - started) / 1e6);
    found += rows.length;
  }
  times.sort((a, b) => a - b);
  return {
    median: times[Math.floor(times.length / 2)]!,
    p99: times[Math.floor(times.length * 0.99)]!,
    records: found / 50,
  };
}

const dir = mkdtempSync(join(tmpdir(), 'macpt-logbench-'));
const redis = await startRedisServer({ appendfsync: 'always' });
try {
  console.log(
    `disclosure-log micro-benchmarks (${values.smoke ? 'smoke' : 'full'}): ${SECONDS} s per append run, ${INFLIGHT} concurrent writers, ${RECORDS.toLocaleString('en-GB')} records for the subject-access report\n`,
  );
  const results: Record<string, unknown> = {};
  for (const [name, make] of [
    [
      'redis (appendfsync always)',
      (p: string) =>
        new RedisDisclosureStore({ url: redis.url, prefix: p, commandTimeoutMs: 5_000, limits: UNLIMITED }),
    ],
    ['file (fsync per batch)', (p: string) => new FileDisclosureStore(join(dir, `${p}.jsonl`), UNLIMITED)],
  ] as const) {
    const single = make('single:');
    const one = await appendRate(single, false);
    await single.close();
    const groupedStore = make('grouped:');
    const grouped = await appendRate(groupedStore, true);
    await groupedStore.close();
    console.log(
      `${name.padEnd(28)} one at a time ${one.toFixed(0).padStart(8)} records/s   group commit ${grouped.toFixed(0).padStart(8)} records/s   ratio ${(grouped / one).toFixed(1)}×`,
    );
    results[name] = { oneAtATimePerSecond: Math.round(one), groupCommitPerSecond: Math.round(grouped) };
  }
  for (const [name, make] of [
    ['redis', () => new RedisDisclosureStore({ url: redis.url, prefix: 'sar:', commandTimeoutMs: 30_000 })],
    ['file', () => new FileDisclosureStore(join(dir, 'sar.jsonl'))],
  ] as const) {
    const store = make();
    const fillSeconds = await fill(store, RECORDS);
    await store.close();
    const opened = Date.now();
    const reopened = make();
    const openSeconds = (Date.now() - opened) / 1000;
    const sar = await sarTimes(reopened);
    await reopened.close();
    console.log(
      `subject-access report, ${name.padEnd(5)} over ${RECORDS.toLocaleString('en-GB')} records: median ${sar.median.toFixed(1)} ms, p99 ${sar.p99.toFixed(1)} ms (${sar.records} records a child; filled in ${fillSeconds.toFixed(1)} s, reopened in ${openSeconds.toFixed(1)} s)`,
    );
    results[`sar-${name}`] = { records: RECORDS, medianMs: sar.median, p99Ms: sar.p99, fillSeconds, openSeconds };
  }
  // The log that lasts (issue #26).
  const sample = Array.from({ length: 2000 }, (_, i) => mixed(i));
  const bytes = bytesPerRecord(sample);
  console.log(
    `\nbytes per record (1 in 20 a caseload of 100 children): format 1 (fields inline) ${bytes.before.toFixed(0)} B, format 2 (children once, field sets interned) ${bytes.after.toFixed(0)} B: ${(bytes.before / bytes.after).toFixed(1)}× smaller`,
  );
  results.bytesPerRecord = bytes;
  const keeping = await moverKeepsUp(redis.url, dir, SECONDS * 2, INFLIGHT, record);
  console.log(
    `mover keeping up: ${keeping.appendsPerSecond.toFixed(0)} appends/s into Redis while it sealed and moved every 100 ms; ${keeping.behindAtEnd} records not yet sealed at the end (the open segment), drained in ${keeping.drainSeconds.toFixed(2)} s; Redis then held ${keeping.held}`,
  );
  results.mover = keeping;
  // Sealing and moving alone, from a backlog already in Redis (appendfsync everysec: the appends are not timed).
  const backlogRedis = await startRedisServer({ appendfsync: 'everysec' });
  try {
    const capacity = await moverCapacity(backlogRedis.url, dir, values.smoke ? 20_000 : 200_000, mixed);
    console.log(
      `mover capacity: ${capacity.perSecond.toFixed(0)} records/s sealed, put into the archive and trimmed from Redis (a backlog of ${(capacity.segments * 10_000).toLocaleString('en-GB')} records, ${capacity.segments} segments, in ${capacity.seconds.toFixed(1)} s)`,
    );
    results.moverCapacity = capacity;
  } finally {
    await backlogRedis.destroy();
  }
  // A put on the gateway's thread holds its event loop for the whole transaction; on the writer thread, only
  // for each step of handing the segment over. Side by side, same records.
  const stalls: Record<string, { maxMs: number; meanPutMs: number }> = {};
  for (const writer of ['inline', 'thread'] as const) {
    const a = new SqliteArchive(join(dir, `archive-${writer}.sqlite`), { writer });
    stalls[writer] = await putStall(a, dir, values.smoke ? 2 : 10, 10_000, record);
    await a.close();
  }
  console.log(
    `archive puts of segments of 10,000 records: the event loop held at most ${stalls.inline!.maxMs.toFixed(0)} ms on the gateway's thread, ${stalls.thread!.maxMs.toFixed(1)} ms with the writer thread (a put took ${stalls.inline!.meanPutMs.toFixed(0)} → ${stalls.thread!.meanPutMs.toFixed(0)} ms)`,
  );
  results.putStalls = stalls;
  const archive = new SqliteArchive(join(dir, 'archive.sqlite'));
  const started = Date.now();
  const { perSecond: sealRate } = await fillArchive(archive, dir, ARCHIVED, 10_000, record, (done) => {
    if (done % 1_000_000 === 0)
      console.log(
        `  …${done.toLocaleString('en-GB')} records archived (${((Date.now() - started) / 1000).toFixed(0)} s)`,
      );
  });
  const reports = await archiveReports(archive, nhs);
  console.log(
    `archive (SQLite) of ${ARCHIVED.toLocaleString('en-GB')} records: sealed and put at ${sealRate.toFixed(0)} records/s; subject-access report median ${reports.median.toFixed(1)} ms, p99 ${reports.p99.toFixed(1)} ms (${reports.records} records a child)`,
  );
  const empty = new FileDisclosureStore(join(dir, 'empty.jsonl'));
  const { verifying } = await logKeys(dir);
  // audit:verify as the CLI runs it (segments re-hashed in a thread per core) beside one thread, same archive.
  const verifyRuns: Record<string, { ok: boolean; perSecond: number; seconds: number }> = {};
  const pool = new SegmentCheckPool(archive.where);
  for (const [name, threads] of [
    ['one thread', undefined],
    [`${pool.size} threads`, pool],
  ] as const) {
    const verifyStarted = performance.now();
    const verified = await verifyTiered(archive, empty, verifying, undefined, threads);
    const seconds = (performance.now() - verifyStarted) / 1000;
    verifyRuns[name] = { ok: verified.ok, perSecond: verified.count / seconds, seconds };
    console.log(
      `audit:verify over the archive, ${name}: ${verified.ok ? 'OK' : `BROKEN (${verified.problem})`} ${verified.count.toLocaleString('en-GB')} records in ${seconds.toFixed(1)} s: ${(verified.count / seconds).toFixed(0)} records/s re-hashed`,
    );
  }
  await pool.close();
  const [one, many] = Object.values(verifyRuns);
  console.log(
    `audit:verify: ${(many!.perSecond / one!.perSecond).toFixed(2)}× with a thread per core; from an anchor at the last segment, the next run re-hashes only what was sealed since`,
  );
  results.archive = {
    records: ARCHIVED,
    sealRate,
    reports,
    verifyPerSecond: many!.perSecond,
    verifyRuns,
  };
  await empty.close();
  await archive.close();
  console.log(`\n${JSON.stringify(results)}`);
} finally {
  await redis.destroy();
  rmSync(dir, { recursive: true, force: true });
}
