import { join } from 'node:path';
import {
  ArchiveReader,
  chain,
  Frontier,
  GroupCommitter,
  logKeys,
  RedisDisclosureStore,
  rootLeaf,
  seal,
  SegmentMover,
  SqliteArchive,
  TieredDisclosureStore,
  type DisclosureArchive,
  type RecordDraft,
  type Segment,
} from '@macpt/gateway/disclosure';

/** The record mix of the soak: mostly child views, some caseloads of 100 children, a few conference packs. */
export function mixedRecord(
  i: number,
  one: (i: number) => RecordDraft,
  caseload: (i: number) => RecordDraft,
): RecordDraft {
  return i % 20 === 19 ? caseload(i) : one(i);
}

/** Mean bytes a record takes as stored before (format 1: every child's fields inline) and now (format 2). */
export function bytesPerRecord(drafts: readonly RecordDraft[]): { before: number; after: number } {
  let before = 0;
  let after = 0;
  const sets = new Set<string>();
  let head = { seq: 0, hash: '0'.repeat(64) };
  for (const c of chain(drafts, head)) {
    before += Buffer.byteLength(JSON.stringify({ ...c.record }));
    after += Buffer.byteLength(JSON.stringify(c.stored));
    // A field set costs its bytes once, the first time the log holds it.
    for (const [id, set] of c.sets)
      if (!sets.has(id)) {
        sets.add(id);
        after += Buffer.byteLength(JSON.stringify(set)) + id.length;
      }
    head = { seq: c.record.seq, hash: c.record.hash };
  }
  return { before: before / drafts.length, after: after / drafts.length };
}

/**
 * Fills an archive with `total` records sealed in segments of `segment`, as the mover would (chained,
 * sealed, signed, put in one transaction each), the next segment sealed while the last is put. Returns
 * records/s over the whole fill.
 */
export async function fillArchive(
  archive: DisclosureArchive,
  dataDir: string,
  total: number,
  segment: number,
  make: (i: number) => RecordDraft,
  progress: (done: number) => void = () => undefined,
): Promise<{ perSecond: number }> {
  const { sealing } = await logKeys(dataDir);
  const heads = new Frontier();
  let previous: Segment | null = null;
  let head = { seq: 0, hash: '0'.repeat(64) };
  let putting: Promise<unknown> = Promise.resolve();
  const started = performance.now();
  for (let i = 0; i < total; i += segment) {
    const chained = chain(
      Array.from({ length: Math.min(segment, total - i) }, (_, k) => make(i + k)),
      head,
    );
    const records = chained.map((c) => c.stored);
    const sets = new Map(chained.flatMap((c) => [...c.sets]));
    const sealed = await seal(records, previous, heads, sealing);
    await putting;
    putting = archive.put(sealed, records, sets);
    heads.push(rootLeaf(sealed.root));
    previous = sealed;
    head = { seq: records[records.length - 1]!.seq, hash: records[records.length - 1]!.hash };
    progress(i + records.length);
  }
  await putting;
  return { perSecond: total / ((performance.now() - started) / 1000) };
}

/**
 * The longest the event loop was held while segments were put one after another (nothing else running):
 * with an inline put, the whole transaction; with the writer thread, the longest step of handing it over.
 */
export async function putStall(
  archive: DisclosureArchive,
  dataDir: string,
  segments: number,
  segment: number,
  make: (i: number) => RecordDraft,
): Promise<{ maxMs: number; meanPutMs: number }> {
  const { sealing } = await logKeys(dataDir);
  const heads = new Frontier();
  let previous: Segment | null = null;
  let head = { seq: 0, hash: '0'.repeat(64) };
  let maxMs = 0;
  let putMs = 0;
  for (let n = 0; n < segments; n++) {
    const chained = chain(
      Array.from({ length: segment }, (_, k) => make(n * segment + k)),
      head,
    );
    const records = chained.map((c) => c.stored);
    const sealed = await seal(records, previous, heads, sealing);
    // The longest gap between ticks of a 1 ms timer while the put runs: how long nothing else could.
    let last = performance.now();
    const tick = setInterval(() => {
      const now = performance.now();
      maxMs = Math.max(maxMs, now - last);
      last = now;
    }, 1);
    const started = performance.now();
    await archive.put(sealed, records, new Map(chained.flatMap((c) => [...c.sets])));
    putMs += performance.now() - started;
    await new Promise((r) => setTimeout(r, 5));
    clearInterval(tick);
    heads.push(rootLeaf(sealed.root));
    previous = sealed;
    head = { seq: records[records.length - 1]!.seq, hash: records[records.length - 1]!.hash };
  }
  return { maxMs, meanPutMs: putMs / segments };
}

/**
 * What sealing and moving alone can take: `total` records already in the hot tier (appended beforehand,
 * not timed), then passes of one mover until the hot tier holds none, timed. Records/s sealed, put into
 * the archive and trimmed from Redis: the append rate the mover keeps up with, whatever Redis appends at.
 */
export async function moverCapacity(
  redisUrl: string,
  dataDir: string,
  total: number,
  make: (i: number) => RecordDraft,
): Promise<{ perSecond: number; seconds: number; segments: number }> {
  const hot = new RedisDisclosureStore({ url: redisUrl, prefix: 'capacity:', commandTimeoutMs: 30_000 });
  const committer = new GroupCommitter(hot, 30_000);
  let next = 0;
  await Promise.all(
    Array.from({ length: 256 }, async () => {
      while (next < total) await committer.append(make(next++));
    }),
  );
  const archive = new SqliteArchive(join(dataDir, 'capacity-archive.sqlite'));
  const keys = await logKeys(dataDir);
  const mover = new SegmentMover(hot, archive, keys.sealing, {
    segmentRecords: 10_000,
    sealAfterMs: 0,
    hotRecords: 0,
    retentionMs: null,
  });
  const started = performance.now();
  let segments = 0;
  while ((await hot.held()) > 0) segments += (await mover.pass()).sealed;
  const seconds = (performance.now() - started) / 1000;
  await hot.close();
  await archive.close();
  return { perSecond: total / seconds, seconds, segments };
}

/** Subject-access reports from the archive: median and p99 over 50 children. */
export async function archiveReports(
  archive: DisclosureArchive,
  child: (k: number) => string,
): Promise<{ median: number; p99: number; records: number }> {
  const reader = new ArchiveReader(archive);
  const times: number[] = [];
  let found = 0;
  for (let k = 0; k < 50; k++) {
    const started = performance.now();
    found += (await reader.query({ nhsNumber: child(k * 7919) }, 10_000)).length;
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  return { median: times[25]!, p99: times[49]!, records: found / 50 };
}

/**
 * The mover keeping up: `writers` concurrent appenders through group commit into Redis for `seconds`,
 * while one mover seals and moves every 100 ms. Reports appends/s, and how far the archive was behind at
 * the end (records not yet sealed), after which the backlog is drained and timed.
 */
export async function moverKeepsUp(
  redisUrl: string,
  dataDir: string,
  seconds: number,
  writers: number,
  make: (i: number) => RecordDraft,
): Promise<{ appendsPerSecond: number; behindAtEnd: number; drainSeconds: number; held: number }> {
  const hot = new RedisDisclosureStore({ url: redisUrl, prefix: 'mover:', commandTimeoutMs: 5_000 });
  const archive = new SqliteArchive(join(dataDir, 'mover-archive.sqlite'));
  const keys = await logKeys(dataDir);
  const store = new TieredDisclosureStore(hot, archive, keys.verifying);
  const mover = new SegmentMover(hot, archive, keys.sealing, {
    segmentRecords: 10_000,
    sealAfterMs: 1_000,
    hotRecords: 100_000,
    retentionMs: null,
  });
  const committer = new GroupCommitter(store, 5_000);
  let moving = true;
  const loop = (async () => {
    while (moving) {
      await mover.pass();
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  let done = 0;
  const until = Date.now() + seconds * 1000;
  const started = Date.now();
  await Promise.all(
    Array.from({ length: writers }, async () => {
      while (Date.now() < until) await committer.append(make(done++));
    }),
  );
  const elapsed = (Date.now() - started) / 1000;
  moving = false;
  await loop;
  const behindAtEnd = done - ((await archive.last())?.lastSeq ?? 0);
  const drainStarted = Date.now();
  await mover.pass(new Date(Date.now() + 60_000));
  const drainSeconds = (Date.now() - drainStarted) / 1000;
  const held = await hot.held();
  await store.close();
  return { appendsPerSecond: done / elapsed, behindAtEnd, drainSeconds, held };
}
