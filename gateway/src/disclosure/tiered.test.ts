import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Redis } from 'ioredis';
import { applyDocumentedGatewayAcl, startRedisServer, type RedisServer } from '@macpt/kit/redis-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteArchive } from './archive/sqlite-archive.js';
import { draft } from './build.js';
import { trimPlan } from './hot-tier.js';
import { inclusionProof, rootOfHashes, verifyInclusion } from './merkle.js';
import { SegmentMover, type MoverOptions } from './mover.js';
import { logKeys } from './open.js';
import { NotSealed, recordProof } from './proofs.js';
import { canonical, type RecordDraft } from './record.js';
import { installAppendFunction, TRIM_FUNCTION } from './redis-function.js';
import { RedisDisclosureStore } from './redis-store.js';
import { Retention } from './retention.js';
import { recordLeaf } from './segment.js';
import { TieredDisclosureStore } from './tiered-store.js';

let redis: RedisServer;
beforeAll(async () => {
  redis = await startRedisServer();
});
afterAll(async () => {
  await redis?.destroy();
});

let n = 0;
const facts = (user = 'police-leicester-1') => ({
  requestId: `req-${++n}`,
  user: { id: user, role: 'MACPT_POLICE', agency: 'police', la: 'LEICESTER' },
  purpose: 'SECTION_47_ENQUIRY',
  justification: null,
  breakGlass: false,
  operationName: 'ChildView',
  operationHash: 'abc',
  clientName: 'dashboard',
});
const FIELDS = {
  disclosed: { health: ['HealthRecord.aeAttendances', 'HealthRecord.name'], police: ['PoliceRecord.incidents'] },
  withheld: [{ field: 'HealthRecord.camhs', agency: 'health', rule: 'SENSITIVE_NAMED_ONLY', class: 'SENSITIVE' }],
  lawfulBasis: { health: 'UK GDPR Art 6(1)(e), 9(2)(h)', police: 'Children Act 2004 s.11' },
};
const childView = (nhs: string, user?: string): RecordDraft =>
  draft('DISCLOSURE', facts(user), 'PARTIAL', {
    children: [{ nhsNumber: nhs, ...FIELDS }],
    agencies: ['health', 'police'],
  });
const caseload = (count: number): RecordDraft =>
  draft('DISCLOSURE', facts(), 'PARTIAL', {
    children: Array.from({ length: count }, (_, i) => ({ nhsNumber: `99900${String(i).padStart(5, '0')}`, ...FIELDS })),
    agencies: ['health', 'police'],
  });

interface Log {
  store: TieredDisclosureStore;
  hot: RedisDisclosureStore;
  archive: SqliteArchive;
  mover: (options?: Partial<MoverOptions>) => SegmentMover;
  archiveFile: string;
  prefix: string;
}

async function openLog(hotMax = 0): Promise<Log> {
  const dir = mkdtempSync(join(tmpdir(), 'macpt-tiered-'));
  const prefix = `t${++n}:`;
  const hot = new RedisDisclosureStore({ url: redis.url, prefix, hotMax });
  const archiveFile = join(dir, 'archive.sqlite');
  const archive = new SqliteArchive(archiveFile);
  const keys = await logKeys(dir);
  const base: MoverOptions = { segmentRecords: 50, sealAfterMs: 60_000, hotRecords: 100, retentionMs: null };
  return {
    store: new TieredDisclosureStore(hot, archive, keys.verifying),
    hot,
    archive,
    archiveFile,
    prefix,
    mover: (options = {}) => new SegmentMover(hot, archive, keys.sealing, { ...base, ...options }),
  };
}

async function appendChildViews(
  log: Log,
  count: number,
  nhs = (i: number) => `99911${String(i % 40).padStart(5, '0')}`,
) {
  for (let i = 0; i < count; i += 10)
    await log.store.append(Array.from({ length: Math.min(10, count - i) }, (_, k) => childView(nhs(i + k))));
}

/** Trims the archive's first segment from the hot tier, as the mover does once the archive holds it. */
async function trimFirstSegment(log: Log): Promise<void> {
  const [segment] = await log.archive.segments(0, 1);
  const { records, sets } = await log.hot.readStored(segment!.firstSeq, segment!.count);
  await log.hot.trim(
    segment!,
    trimPlan(records, (id) => sets.get(id)),
  );
}

describe('the log that lasts: sealed segments, an archive, a bounded hot tier', () => {
  it('never seals a hot tier onto an archive of another log (a new Redis beside an old archive)', async () => {
    const old = await openLog();
    await appendChildViews(old, 120);
    await old.mover({ hotRecords: 1000 }).pass();
    expect((await old.archive.last())!.lastSeq).toBe(100);
    // A fresh Redis log, started beside the old archive: its records 101… are not the archive's.
    const dir = mkdtempSync(join(tmpdir(), 'macpt-tiered-'));
    const fresh = new RedisDisclosureStore({ url: redis.url, prefix: `fresh${++n}:` });
    const keys = await logKeys(dir);
    await fresh.append(Array.from({ length: 130 }, (_, i) => childView(`99922${String(i).padStart(5, '0')}`)));
    const mover = new SegmentMover(fresh, old.archive, keys.sealing, {
      segmentRecords: 10,
      sealAfterMs: 60_000,
      hotRecords: 0,
      retentionMs: null,
    });
    await expect(mover.pass()).rejects.toThrow(/record 101 names .* the hot tier does not continue the archive/);
    expect((await old.archive.last())!.lastSeq).toBe(100);
    expect(await fresh.held()).toBe(130);
    await fresh.close();
  });

  it('fails a pass whose put fails while it seals the next segment, losing nothing, and finishes on the next', async () => {
    const log = await openLog();
    await appendChildViews(log, 160);
    // The archive refuses the first put at once, while the mover goes on to read and seal the next segment.
    const put = log.archive.put.bind(log.archive);
    let refusals = 1;
    log.archive.put = async (...args) => {
      if (refusals-- > 0) throw new Error('archive locked');
      return put(...args);
    };
    const mover = log.mover();
    await expect(mover.pass()).rejects.toThrow('archive locked');
    expect(await log.archive.last()).toBeNull();
    expect(await log.hot.held()).toBe(160);
    expect(await mover.pass()).toMatchObject({ sealed: 3, trimmed: 2 });
    expect((await log.archive.last())!.lastSeq).toBe(150);
    expect((await log.store.verify()).ok).toBe(true);
  });

  it('seals full segments into the archive, trims Redis to its size, and answers across both tiers as one log', async () => {
    const log = await openLog();
    await appendChildViews(log, 260);
    const report = await log.mover().pass();
    expect(report).toMatchObject({ sealed: 5, trimmed: 4 }); // 260 = 5 segments of 50 + 10 unsealed; Redis keeps ≤ 100
    expect(await log.hot.held()).toBe(60);
    expect((await log.archive.last())!.lastSeq).toBe(250);

    // A subject-access question reads both tiers: every record naming the child, newest first, each once.
    const child = '9991100007';
    const records = await log.store.query({ nhsNumber: child }, 100);
    expect(records.map((r) => r.seq)).toEqual(
      Array.from({ length: 260 }, (_, i) => i + 1)
        .filter((seq) => (seq - 1) % 40 === 7)
        .reverse(),
    );
    expect(records[records.length - 1]!.children[0]).toEqual({ nhsNumber: child, ...FIELDS });
    // Paging by seq is stable while appends and moves go on.
    const first = await log.store.query({ nhsNumber: child }, 3);
    await appendChildViews(log, 50);
    await log.mover().pass();
    const next = await log.store.query({ nhsNumber: child }, 3, first[2]!.seq);
    expect(next.map((r) => r.seq)).toEqual(records.slice(3, 6).map((r) => r.seq));
    // An archived record by id, and the filters the archive indexes.
    expect((await log.store.get(records[records.length - 1]!.id))?.seq).toBe(8);
    expect(await log.store.query({ outcome: 'PARTIAL', userId: 'police-leicester-1' }, 500)).toHaveLength(310);
    expect(await log.store.query({ userId: 'nobody' }, 10)).toEqual([]);

    const whole = await log.store.verify();
    expect(whole).toMatchObject({ ok: true, count: 310, segments: 6, rehashed: 310, expired: 0 });
    // From its anchor, the next run re-hashes only what was sealed since (and the hot tier).
    await appendChildViews(log, 50);
    await log.mover().pass();
    const again = await log.store.verify({
      seq: whole.count,
      hash: whole.headHash,
      segment: 6,
      head: whole.sealed!.head,
    });
    expect(again).toMatchObject({ ok: true, count: 360, segments: 7, rehashed: 60 });
    await log.store.close();
  });

  it("finds a break-glass record's review under it, in Redis and once archived, however many records came between", async () => {
    const log = await openLog();
    const [used] = await log.store.append([
      draft(
        'DISCLOSURE',
        { ...facts(), purpose: 'EMERGENCY', breakGlass: true, justification: 'child missing' },
        'PARTIAL',
        {
          children: [{ nhsNumber: '9991100002', ...FIELDS }],
          agencies: ['health', 'police'],
        },
      ),
    ]);
    await appendChildViews(log, 40);
    const review = (recordId: string) =>
      draft('BREAK_GLASS_REVIEW', facts('ig-police'), 'REVIEWED', {
        review: { recordId, outcome: 'APPROPRIATE', note: 'Checked with the supervisor.' },
      });
    await log.store.append([review(used!.id), review('some-other-record')]);
    const reviewsOf = async (id: string) => (await log.store.query({ reviewOf: id }, 10)).map((r) => r.review);
    // In Redis.
    expect(await reviewsOf(used!.id)).toEqual([expect.objectContaining({ recordId: used!.id })]);
    // Archived, with more records after it: the hot tier no longer holds it.
    await appendChildViews(log, 150);
    await log.mover().pass();
    expect(await log.hot.get((await log.store.query({ reviewOf: used!.id }, 1))[0]!.id)).toBeNull();
    expect(await reviewsOf(used!.id)).toEqual([
      expect.objectContaining({ recordId: used!.id, outcome: 'APPROPRIATE' }),
    ]);
    expect(await reviewsOf('9991100002')).toEqual([]);
    await log.store.close();
  });

  it('names a record altered in the archive, a forged segment header, and a segment whose records were deleted', async () => {
    const log = await openLog();
    await appendChildViews(log, 120);
    await log.mover().pass();
    const db = new Database(log.archiveFile);
    const row = db.prepare('SELECT json FROM records WHERE seq = 30').get() as { json: string };
    db.prepare('UPDATE records SET json = ? WHERE seq = 30').run(
      row.json.replace(/"time":"[^"]+"/, '"time":"2020-01-01T00:00:00.000Z"'),
    );
    expect((await log.store.verify()).problem).toMatch(/record seq 30 .* was altered/);
    db.prepare('UPDATE records SET json = ? WHERE seq = 30').run(row.json);
    expect((await log.store.verify()).ok).toBe(true);

    db.prepare('UPDATE segments SET count = 49, last_seq = 49 WHERE n = 1').run();
    expect((await log.store.verify()).problem).toMatch(/segment 1 is not signed by the log key/);
    db.prepare('UPDATE segments SET count = 50, last_seq = 50 WHERE n = 1').run();
    db.prepare('DELETE FROM records WHERE seq = 70').run();
    expect((await log.store.verify()).problem).toMatch(/segment 2 holds 49 of its 50 records/);
    db.close();
    await log.store.close();
  });

  it('verifies a log whose segments move and grow while it is checked: no false break, and a real one still named', async () => {
    const log = await openLog();
    await appendChildViews(log, 160);
    await log.mover().pass();
    // Each time the verifier has walked the archive to its end, the mover seals, archives and trims more
    // before the verifier reaches the hot tier (what a busy gateway's mover does every 100 ms).
    const segments = log.archive.segments.bind(log.archive);
    let moves = 0;
    let moving = false;
    log.archive.segments = async (after, limit) => {
      const page = await segments(after, limit);
      if (page.length < limit && !moving && moves < 2) {
        moving = true;
        moves++;
        await appendChildViews(log, 120);
        await log.mover().pass();
        moving = false;
      }
      return page;
    };
    expect(await log.store.verify()).toMatchObject({ ok: true, problem: null, count: 400, segments: 8 });
    expect(moves).toBe(2);
    log.archive.segments = segments;
    // Appends and moves at the same moment as checks: every check finds the log whole.
    const checks: Promise<{ ok: boolean; problem: string | null }>[] = [];
    for (let round = 0; round < 15; round++) {
      checks.push(log.store.verify(), log.store.verify());
      await Promise.all([appendChildViews(log, 30), log.mover().pass()]);
    }
    expect((await Promise.all(checks)).filter((c) => !c.ok)).toEqual([]);
    // A record removed from Redis by hand, the trimmed mark moved over it, is still named.
    const raw = new Redis(redis.url);
    const { seq } = await log.hot.trimmed();
    const [[sid]] = (await raw.xrange(`${log.prefix}stream`, '-', '+', 'COUNT', 1)) as [string, string[]][];
    await raw.xdel(`${log.prefix}stream`, sid!);
    await raw.hset(`${log.prefix}trimmed`, 'seq', seq + 1);
    expect((await log.store.verify()).problem).toMatch(
      new RegExp(`record seq ${seq + 2} .* does not link to its predecessor \\(seq ${seq + 1}\\)`),
    );
    raw.disconnect();
    await log.store.close();
  });

  it('answers a subject-access report once per record while a trim shifts the index it pages through', async () => {
    const log = await openLog();
    const child = '9991100009';
    await appendChildViews(log, 100, () => child);
    await log.mover({ segmentRecords: 100, hotRecords: 1000 }).pass();
    await appendChildViews(log, 900, () => child); // 101…1000: not sealed yet
    // The mover trims the archived 1…100 between the report's first page of the child's index and its second.
    const client = (log.hot as unknown as { readRedis: Redis }).readRedis;
    const lrange = client.lrange.bind(client) as (...args: unknown[]) => Promise<string[]>;
    let trimmed = false;
    client.lrange = (async (...args: unknown[]) => {
      const page = await lrange(...args);
      if (!trimmed) {
        trimmed = true;
        await trimFirstSegment(log);
      }
      return page;
    }) as typeof client.lrange;
    const seqs = (await log.store.query({ nhsNumber: child }, 600)).map((r) => r.seq);
    expect(trimmed).toBe(true);
    expect(seqs).toEqual(Array.from({ length: 600 }, (_, i) => 1000 - i));
    await log.store.close();
  });

  it('counts the log as it was walked when a trim lands during the walk of the hot tier, and when retention expires a segment being checked', async () => {
    const log = await openLog();
    await appendChildViews(log, 500);
    await log.mover({ segmentRecords: 500, hotRecords: 10_000 }).pass();
    await appendChildViews(log, 2000); // Redis holds 2,500; the archive 1…500
    const client = (log.hot as unknown as { readRedis: Redis }).readRedis;
    const xrange = client.xrange.bind(client) as (...args: unknown[]) => Promise<unknown>;
    let trimmed = false;
    client.xrange = (async (...args: unknown[]) => {
      const page = await xrange(...args);
      if (!trimmed && String(args[1]).startsWith('(')) {
        trimmed = true; // the walk's second page: the mover trims 1…500 behind it
        await trimFirstSegment(log);
      }
      return page;
    }) as typeof client.xrange;
    expect(await log.store.verify()).toMatchObject({ ok: true, problem: null, count: 2500 });
    expect(trimmed).toBe(true);
    client.xrange = xrange as typeof client.xrange;
    // Retention expires the archived segment after its header was read and before its records are.
    const range = log.archive.range.bind(log.archive);
    let expiredNow = false;
    log.archive.range = async (from, to) => {
      if (!expiredNow) {
        expiredNow = true;
        await new Retention(log.archive).expire(Date.now() + 1000);
      }
      return range(from, to);
    };
    // Checked as the expired segment it now is, and counted as one.
    expect(await log.store.verify()).toMatchObject({ ok: true, problem: null, count: 2500, expired: 500 });
    expect(expiredNow).toBe(true);
    await log.store.close();
  });

  it('refuses appends past the hard cap while nothing is archived, loses nothing, and takes them again once it is', async () => {
    const log = await openLog(120);
    await appendChildViews(log, 120);
    await expect(log.store.append([childView('9991100001')])).rejects.toThrow(
      /hot tier holds 120 records and its cap is 120: the archive is not taking segments/,
    );
    // The archive comes back: the backlog drains, and appends go on from where they stopped.
    expect(await log.mover().pass()).toMatchObject({ sealed: 2, trimmed: 1 });
    const [record] = await log.store.append([childView('9991100001')]);
    expect(record!.seq).toBe(121);
    expect(await log.store.verify()).toMatchObject({ ok: true, count: 121 });
    await log.store.close();
  });

  it('lets two movers seal at once: one stores each segment, the other finds it, and the log is one', async () => {
    const log = await openLog();
    await appendChildViews(log, 230);
    const [a, b] = await Promise.all([log.mover().pass(), log.mover().pass()]);
    expect(a.sealed + b.sealed).toBe(4);
    expect((await log.archive.segments(0, 100)).map((s) => s.n)).toEqual([1, 2, 3, 4]);
    expect(await log.store.verify()).toMatchObject({ ok: true, count: 230, segments: 4 });
    await log.store.close();
  });

  it('resumes after the trim was lost (Redis killed after the archive committed): nothing twice, nothing lost', async () => {
    const log = await openLog();
    await appendChildViews(log, 200);
    // The mover sealed and archived, then died before trimming: the archive holds what Redis still holds.
    await log.mover({ hotRecords: 1_000_000 }).pass();
    expect(await log.hot.held()).toBe(200);
    expect((await log.archive.last())!.lastSeq).toBe(200);
    expect((await log.store.query({ userId: 'police-leicester-1' }, 500)).map((r) => r.seq)).toEqual(
      Array.from({ length: 200 }, (_, i) => 200 - i),
    );
    // The next pass trims; a trim sent twice (an answer lost) removes nothing more.
    await log.mover().pass();
    expect(await log.hot.held()).toBe(100);
    const segment = (await log.archive.segmentHolding(1))!;
    const records = (await log.store.query({}, 50, 51)).reverse();
    await log.hot.trim(
      segment,
      trimPlan(records, () => undefined),
    );
    expect(await log.hot.held()).toBe(100);
    expect(await log.store.verify()).toMatchObject({ ok: true, count: 200 });
    await log.store.close();
  });

  it("keeps the gateway's own Redis user from trimming: only the archiver's user may", async () => {
    const own = await startRedisServer();
    const admin = new Redis(own.url);
    try {
      const url = await applyDocumentedGatewayAcl(own);
      await installAppendFunction(admin);
      const hot = new RedisDisclosureStore({ url, prefix: 'macpt:dlog:' });
      for (let i = 0; i < 3; i++) await hot.append([childView('9991100001')]);
      const gateway = new Redis(url);
      const [first] = (await hot.readStored(1, 1)).records;
      const trim = ['macpt:dlog:stream', 'macpt:dlog:ids', 'macpt:dlog:sids', 'macpt:dlog:trimmed', 'macpt:dlog:'];
      await expect(
        gateway.call('FCALL', TRIM_FUNCTION, 4, ...trim, '1', first!.hash, '1', first!.id, '1', '0'),
      ).rejects.toThrow(/NOPERM|no permissions|can't run this command/i);
      // The same trim by a user allowed it (here the administrator) removes the record.
      expect(await admin.call('FCALL', TRIM_FUNCTION, 4, ...trim, '1', first!.hash, '1', first!.id, '1', '0')).toEqual([
        'OK',
      ]);
      expect(await hot.held()).toBe(2);
      gateway.disconnect();
      await hot.close();
    } finally {
      admin.disconnect();
      await own.destroy();
    }
  });

  it('expires whole segments past retention, keeps a held child’s records with their proofs, and still verifies', async () => {
    const log = await openLog();
    await appendChildViews(log, 150);
    await log.mover().pass();
    const held = '9991100003';
    await log.archive.hold({
      nhsNumber: held,
      reason: 'Serious case review',
      by: 'ig-health',
      at: new Date().toISOString(),
    });
    const removed = await new Retention(log.archive).expire(Date.now() + 1000);
    // Three sealed segments (150 records); 4 of each 40 name the held child, so 150 - 12 (+ the rounding) stay.
    const keptSeqs = Array.from({ length: 150 }, (_, i) => i + 1).filter((seq) => (seq - 1) % 40 === 3);
    expect(removed).toBe(150 - keptSeqs.length);
    expect((await log.store.query({ nhsNumber: held }, 100)).map((r) => r.seq).reverse()).toEqual(keptSeqs);
    expect(await log.store.query({ nhsNumber: '9991100004' }, 100)).toEqual([]);
    expect(await log.store.verify()).toMatchObject({ ok: true, count: 150, expired: removed });
    // A kept record is still proven in its sealed segment's root.
    const segment = (await log.archive.segmentHolding(keptSeqs[0]!))!;
    const proof = (await log.archive.keptProof(keptSeqs[0]!))!.map((p) => Buffer.from(p, 'hex'));
    const [record] = await log.archive.bySeqs([keptSeqs[0]!]);
    expect(
      verifyInclusion(recordLeaf(record!.hash), keptSeqs[0]! - 1, 50, proof, Buffer.from(segment.root, 'hex')),
    ).toBe(true);
    await log.store.close();
  });
  it('proves a held record whose segment retention expires while the proof is built, from the proof it kept', async () => {
    const log = await openLog();
    await appendChildViews(log, 100);
    await log.mover().pass();
    await log.archive.hold({
      nhsNumber: '9991100003',
      reason: 'Care proceedings',
      by: 'ig-health',
      at: new Date().toISOString(),
    });
    const keptSeq = 4; // the held child's first record
    // Retention expires the segment between the look-up of the segment and the reading of its records.
    const racing = Object.create(log.archive) as typeof log.archive;
    racing.range = async (from, to) => {
      await new Retention(log.archive).expire(Date.now() + 1000);
      return log.archive.range(from, to);
    };
    const proof = await recordProof(racing, keptSeq);
    const [record] = await log.archive.bySeqs([keptSeq]);
    expect(proof.segment.firstSeq).toBe(1);
    expect(
      verifyInclusion(
        recordLeaf(record!.hash),
        proof.leafIndex,
        50,
        proof.auditPath.map((p) => Buffer.from(p, 'hex')),
        Buffer.from(proof.segment.root, 'hex'),
      ),
    ).toBe(true);
    // A record retention did not keep has no proof any more, and says so.
    await expect(recordProof(log.archive, 1)).rejects.toBeInstanceOf(NotSealed);
    await log.store.close();
  });

  it('expires on the next pass a segment whose expiry failed (the archive busy)', async () => {
    const log = await openLog();
    await appendChildViews(log, 100);
    await log.mover().pass();
    const retention = new Retention(log.archive);
    const expire = log.archive.expire.bind(log.archive);
    log.archive.expire = async () => {
      throw new Error('database is locked');
    };
    await expect(retention.expire(Date.now() + 1000)).rejects.toThrow('database is locked');
    log.archive.expire = expire;
    expect(await retention.expire(Date.now() + 1000)).toBe(100);
    expect((await log.archive.segments(0, 10)).every((s) => s.expiredAt !== null)).toBe(true);
    await log.store.close();
  });

  it('honours a legal hold placed while a retention pass is under way', async () => {
    const log = await openLog();
    await appendChildViews(log, 150);
    await log.mover().pass();
    const held = '9991100005';
    // The hold is placed after the pass began, before it reaches the segments (as an IG lead's might be).
    const segments = log.archive.segments.bind(log.archive);
    let placed = false;
    log.archive.segments = async (after, limit) => {
      const page = await segments(after, limit);
      if (!placed) {
        placed = true;
        await log.archive.hold({
          nhsNumber: held,
          reason: 'Police investigation',
          by: 'ig-police',
          at: new Date().toISOString(),
        });
      }
      return page;
    };
    await new Retention(log.archive).expire(Date.now() + 1000);
    const keptSeqs = Array.from({ length: 150 }, (_, i) => i + 1).filter((seq) => (seq - 1) % 40 === 5);
    expect((await log.store.query({ nhsNumber: held }, 100)).map((r) => r.seq).reverse()).toEqual(keptSeqs);
    await log.store.close();
  });
});

describe('compact records', () => {
  it('store a caseload of 500 children with the same fields in a quarter of the bytes, and read back exactly', async () => {
    const log = await openLog();
    const drafted = caseload(500);
    const [record] = await log.store.append([drafted]);
    const raw = new Redis(redis.url);
    const [[, fields]] = (await raw.xrange(`${log.prefix}stream`, '-', '+')) as [string, string[]][];
    const stored = Buffer.byteLength(fields[3]!);
    const expanded = Buffer.byteLength(canonical({ ...drafted, seq: 1, prevHash: '', hash: record!.hash }));
    expect(stored * 4).toBeLessThan(expanded);
    expect((await log.store.get(drafted.id))?.children).toEqual(drafted.children);
    expect(await log.store.verify()).toMatchObject({ ok: true, count: 1 });
    raw.disconnect();
    await log.store.close();
  });
});

describe('inclusion proofs over a sealed segment', () => {
  it('prove each record in its segment root', async () => {
    const log = await openLog();
    await appendChildViews(log, 50);
    await log.mover().pass();
    const segment = (await log.archive.last())!;
    const leaves = (await log.archive.range(1, 50)).map((r) => recordLeaf(r.hash));
    expect(rootOfHashes(leaves).toString('hex')).toBe(segment.root);
    for (const m of [0, 17, 49])
      expect(verifyInclusion(leaves[m]!, m, 50, inclusionProof(leaves, m), Buffer.from(segment.root, 'hex'))).toBe(
        true,
      );
    await log.store.close();
  });
});
