import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { ensureKeyPair, importKey } from '@macpt/kit';
import { startPostgresServer, type PostgresServer } from '@macpt/kit/postgres-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { draft, type RequestFacts } from '../build.js';
import { Frontier, inclusionProof, verifyInclusion } from '../merkle.js';
import {
  chain,
  GENESIS_HASH,
  type AnyStoredRecord,
  type ChildDisclosure,
  type FieldSet,
  type RecordDraft,
  type StoredRecord,
} from '../record.js';
import { recordLeaf, rootLeaf, seal, type LogKey, type Segment } from '../segment.js';
import type { DisclosureArchive } from './archive.js';
import { openArchive } from './open-archive.js';
import { Retention } from '../retention.js';

const A = '9990000018';
const B = '9990000026';
const C = '9990000034';
const D = '9990000042';
const END = Number.MAX_SAFE_INTEGER;
const T0 = Date.parse('2026-03-02T09:00:00.000Z');
const at = (seconds: number) => new Date(T0 + seconds * 1000).toISOString();

let requests = 0;
const request = (user: string, agency: string, facts: Partial<RequestFacts> = {}): RequestFacts => ({
  requestId: `req-${++requests}`,
  user: { id: user, role: agency === 'police' ? 'MACPT_POLICE' : 'MACPT_HEALTH', agency, la: 'LEICESTER' },
  purpose: 'SECTION_47_ENQUIRY',
  justification: null,
  breakGlass: false,
  operationName: 'ChildView',
  operationHash: 'abc',
  clientName: 'dashboard',
  ...facts,
});
const child = (nhsNumber: string, fields = ['HealthRecord.name', 'HealthRecord.gpPractice']): ChildDisclosure => ({
  nhsNumber,
  disclosed: { health: fields },
  withheld: [{ field: 'HealthRecord.diagnoses', agency: 'health', rule: 'health-clinical', class: 'CLINICAL' }],
  lawfulBasis: { health: 'UK GDPR Art. 6(1)(e); Children Act 1989 s.47' },
});
const disclosure = (
  seconds: number,
  children: ChildDisclosure[],
  options: { user?: string; agency?: string; facts?: Partial<RequestFacts> } = {},
): RecordDraft => ({
  ...draft(
    'DISCLOSURE',
    request(options.user ?? 'police-leicester-1', options.agency ?? 'police', options.facts),
    'DISCLOSED',
    {
      children,
      agencies: ['health'],
    },
  ),
  time: at(seconds),
});
const refusal = (seconds: number): RecordDraft => ({
  ...draft('REFUSAL', request('education-leicester-1', 'education'), 'WITHHELD', { reason: 'FORBIDDEN' }),
  time: at(seconds),
});

/** A sealed segment with the records and field sets a mover would put. */
interface Sealed {
  segment: Segment;
  records: StoredRecord[];
  sets: Map<string, FieldSet>;
}

/** Chains and seals drafts as the log does: each segment after the last, its head over the roots before it. */
class Log {
  private head = { seq: 0, hash: GENESIS_HASH };
  private previous: Segment | null = null;
  private readonly heads = new Frontier();
  constructor(private readonly key: LogKey) {}

  async seal(drafts: RecordDraft[]): Promise<Sealed> {
    const chained = chain(drafts, this.head);
    const records = chained.map((c) => c.stored);
    const sets = new Map(chained.flatMap((c) => [...c.sets]));
    const segment = await seal(records, this.previous, this.heads, this.key);
    this.heads.push(rootLeaf(segment.root));
    this.previous = segment;
    this.head = { seq: segment.lastSeq, hash: segment.lastHash };
    return { segment, records, sets };
  }
}

const seqs = (records: readonly AnyStoredRecord[]) => records.map((r) => r.seq);
const proofOf = (sealed: Sealed) => (seq: number) =>
  inclusionProof(
    sealed.records.map((r) => recordLeaf(r.hash)),
    seq - sealed.segment.firstSeq,
  ).map((h) => h.toString('hex'));

let key: LogKey;
let postgres: PostgresServer;
const scratch = mkdtempSync(join(tmpdir(), 'macpt-archive-test-'));

beforeAll(async () => {
  const pair = await ensureKeyPair(join(scratch, 'keys'), 'disclosure-log');
  key = { kid: pair.kid, privateKey: await importKey(pair.privateJwk) };
  postgres = await startPostgresServer();
}, 60_000);
afterAll(async () => {
  await postgres?.destroy();
  rmSync(scratch, { recursive: true, force: true });
});

/** A database of its own on the test server, for each suite. */
let databases = 0;
async function freshDatabase(): Promise<string> {
  const name = `archive_${++databases}`;
  const admin = new pg.Client(postgres.url);
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(postgres.url);
  url.pathname = `/${name}`;
  return url.toString();
}

describe.each([
  ['sqlite', async () => join(mkdtempSync(join(scratch, 'sqlite-')), 'data', 'disclosure-archive.sqlite')],
  ['postgres', freshDatabase],
])('the %s disclosure archive', (kind, location) => {
  let where: string;
  let archive: DisclosureArchive;
  let one: Sealed;
  let two: Sealed;
  let three: Sealed;
  let fork: Sealed;

  beforeAll(async () => {
    where = await location();
    archive = openArchive(where);
    const log = new Log(key);
    one = await log.seal([
      disclosure(1, [child(A)]),
      disclosure(2, [child(B, ['HealthRecord.name'])], { user: 'health-leicester-1', agency: 'health' }),
      // A caseload: three children, one field set between them.
      disclosure(3, [child(A), child(B), child(C)]),
      disclosure(4, [child(C, ['HealthRecord.name', 'HealthRecord.address'])], {
        facts: { breakGlass: true, purpose: 'EMERGENCY', justification: 'child missing' },
      }),
    ]);
    two = await log.seal([
      disclosure(5, [child(A)], { user: 'health-leicester-1', agency: 'health' }),
      refusal(6),
      disclosure(7, [child(B, ['HealthRecord.gpPractice'])]),
      disclosure(8, [child(A)]),
    ]);
    three = await log.seal([disclosure(9, [child(D, ['HealthRecord.allergies'])]), disclosure(10, [child(A)])]);
    // Another chain from the same start: what a forked log would try to archive as segment 1.
    fork = await new Log(key).seal([disclosure(1, [child(D, ['HealthRecord.immunisations'])])]);
  });
  afterAll(async () => {
    await archive?.close();
  });

  it('is the kind its location names', () => {
    expect(archive.kind).toBe(kind);
    expect(archive.where).toBe(kind === 'postgres' ? where.replace(/:[^:@/]+@/, '@') : where);
    expect(archive.where).not.toContain(new URL(postgres.url).password);
  });

  it('stores a segment once: again it is present; another segment 1 is a fork, refused, and changes nothing', async () => {
    expect(await archive.last()).toBeNull();
    expect(await archive.put(one.segment, one.records, one.sets)).toBe('stored');
    expect(await archive.put(one.segment, one.records, one.sets)).toBe('present');
    // The caseload's three children share record 1's field set (the rest of the parts are request contexts).
    expect([...one.sets.values()].filter((part) => !('outcome' in part))).toHaveLength(3);
    expect(fork.segment.n).toBe(1);
    await expect(archive.put(fork.segment, fork.records, fork.sets)).rejects.toThrow(
      /segment 1 is already sealed with another root .*: the chain forked/,
    );
    expect(await archive.last()).toEqual({ ...one.segment, expiredAt: null, expired: 0 });
    expect(await archive.range(1, END)).toEqual(one.records);
    expect(await archive.seqOf(fork.records[0]!.id)).toBeNull();
    // The fork's own field set was not stored (its request context is segment 1's too, so that one is).
    const forkFields = [...fork.sets].filter(([, part]) => !('outcome' in part)).map(([id]) => id);
    expect(forkFields).toHaveLength(1);
    expect(await archive.sets(forkFields)).toEqual(new Map());
    expect(await archive.seqsUnder(`child:${D}`, END, 1, 10)).toEqual([]);

    // Segment 3 before segment 2 (a put of 2 that failed while 3 was already asked): refused, nothing stored.
    await expect(archive.put(three.segment, three.records, three.sets)).rejects.toThrow(
      'segment 3 follows segment 2, which the archive does not hold: nothing is stored',
    );
    expect(await archive.range(9, END)).toEqual([]);
    expect(await archive.seqsUnder(`child:${D}`, END, 1, 10)).toEqual([]);

    expect(await archive.put(two.segment, two.records, two.sets)).toBe('stored');
    expect(await archive.last()).toEqual({ ...two.segment, expiredAt: null, expired: 0 });
    expect((await archive.segments(0, 10)).map((s) => s.root)).toEqual([one.segment.root, two.segment.root]);
    expect(await archive.segments(1, 10)).toEqual([{ ...two.segment, expiredAt: null, expired: 0 }]);
    expect((await archive.segments(0, 1)).map((s) => s.n)).toEqual([1]);
    expect(await archive.segments(2, 10)).toEqual([]);
  });

  it('another gateway’s mover cut the same records into other segments: its segments are refused, none left out or held twice', async () => {
    const other = openArchive(await location());
    try {
      const drafts = [1, 2, 3, 4, 5].map((s) => disclosure(100 + s, [child(A)]));
      const mine = new Log(key);
      const theirs = new Log(key);
      const [one2, two2] = [await mine.seal(drafts.slice(0, 2)), await mine.seal(drafts.slice(2, 4))];
      const [theirOne, theirTwo, theirThree] = [
        await theirs.seal(drafts.slice(0, 2)),
        await theirs.seal(drafts.slice(2, 3)), // sealed while segment 2 was young: one record
        await theirs.seal(drafts.slice(3, 5)),
      ];
      expect(await other.put(one2.segment, one2.records, one2.sets)).toBe('stored');
      expect(await other.put(two2.segment, two2.records, two2.sets)).toBe('stored');
      expect(await other.put(theirOne.segment, theirOne.records, theirOne.sets)).toBe('present');
      await expect(other.put(theirTwo.segment, theirTwo.records, theirTwo.sets)).rejects.toThrow(
        'disclosure archive: segment 2 is already sealed by another gateway through seq 4 (this one through seq 3): nothing is stored, and the mover resumes from the archive',
      );
      // Their segment 3 starts at seq 4, which the archive's segment 2 already holds.
      await expect(other.put(theirThree.segment, theirThree.records, theirThree.sets)).rejects.toThrow(
        "disclosure archive: segment 3 starts at seq 4, but the archive's segment 2 ends at seq 4 (another gateway sealed it): nothing is stored, and the mover resumes from the archive",
      );
      expect(seqs(await other.range(1, END))).toEqual([1, 2, 3, 4]);
      expect((await other.segments(0, 10)).map((s) => [s.firstSeq, s.lastSeq])).toEqual([
        [1, 2],
        [3, 4],
      ]);
      // A segment 3 of another chain altogether, its seqs in line: a fork, named as one.
      const forked = new Log(key);
      const others = [1, 2, 3, 4, 5].map((s) => disclosure(200 + s, [child(B)]));
      for (const cut of [others.slice(0, 2), others.slice(2, 4)]) await forked.seal(cut);
      const forkedThree = await forked.seal(others.slice(4, 5));
      await expect(other.put(forkedThree.segment, forkedThree.records, forkedThree.sets)).rejects.toThrow(
        "disclosure archive: segment 3 does not chain to the archive's segment 2 (another predecessor hash or root): the chain forked, nothing is stored",
      );
      // Segment 3 sealed after the archive's own segment 2 goes in.
      const three2 = await mine.seal(drafts.slice(4, 5));
      expect(await other.put(three2.segment, three2.records, three2.sets)).toBe('stored');
      expect(seqs(await other.range(1, END))).toEqual([1, 2, 3, 4, 5]);
    } finally {
      await other.close();
    }
  });

  it('finds the segment holding a seq', async () => {
    const holding = async (seq: number) => (await archive.segmentHolding(seq))?.n ?? null;
    expect([
      await holding(0),
      await holding(1),
      await holding(4),
      await holding(5),
      await holding(8),
      await holding(9),
    ]).toEqual([null, 1, 1, 2, 2, null]);
    expect(await archive.segmentHolding(6)).toEqual({ ...two.segment, expiredAt: null, expired: 0 });
  });

  it('reads records by range, seq and id, as stored, their seqs numbers', async () => {
    const all = [...one.records, ...two.records];
    expect(await archive.range(1, 8)).toEqual(all);
    expect(seqs(await archive.range(3, 5))).toEqual([3, 4, 5]);
    expect(await archive.range(9, 20)).toEqual([]);
    expect(await archive.bySeqs([7, 2, 99, 5])).toEqual([all[6], all[1], all[4]]);
    expect(await archive.bySeqs([])).toEqual([]);
    expect(await archive.seqOf(all[2]!.id)).toBe(3);
    expect(await archive.seqOf('no-such-record')).toBeNull();
  });

  it('answers each index key newest first within a seq range', async () => {
    const under = (key: string, before = END, atLeast = 1, limit = 100) =>
      archive.seqsUnder(key, before, atLeast, limit);
    expect(await under(`child:${A}`)).toEqual([8, 5, 3, 1]);
    expect(await under(`child:${A}`, 5)).toEqual([3, 1]);
    expect(await under(`child:${A}`, END, 3)).toEqual([8, 5, 3]);
    expect(await under(`child:${A}`, END, 1, 2)).toEqual([8, 5]);
    expect(await under(`child:${C}`)).toEqual([4, 3]);
    expect(await under('user:health-leicester-1')).toEqual([5, 2]);
    expect(await under('agency:health')).toEqual([8, 7, 5, 4, 3, 2, 1]);
    expect(await under('breakglass')).toEqual([4]);
    expect(await under('purpose:EMERGENCY')).toEqual([4]);
    expect(await under('outcome:WITHHELD')).toEqual([6]);
    expect(await under('kind:REFUSAL')).toEqual([6]);
    expect(await under('kind:DISCLOSURE')).toEqual([8, 7, 5, 4, 3, 2, 1]);
    expect(await under('user:nobody')).toEqual([]);

    expect(seqs(await archive.latest(END, 1, 3))).toEqual([8, 7, 6]);
    expect(seqs(await archive.latest(6, 2, 10))).toEqual([5, 4, 3, 2]);
    expect(await archive.latest(1, 1, 10)).toEqual([]);
  });

  it('turns a time into a seq: the first at or after it, or the last at or before it', async () => {
    expect(await archive.seqAtTime(at(3), 'from')).toBe(3);
    expect(await archive.seqAtTime(at(3), 'to')).toBe(3);
    expect(await archive.seqAtTime(at(3.5), 'from')).toBe(4);
    expect(await archive.seqAtTime(at(3.5), 'to')).toBe(3);
    expect(await archive.seqAtTime(at(-60), 'from')).toBe(1);
    expect(await archive.seqAtTime(at(-60), 'to')).toBeNull();
    expect(await archive.seqAtTime(at(60), 'to')).toBe(8);
    expect(await archive.seqAtTime(at(60), 'from')).toBeNull();
  });

  it('serves field sets by id, and every one in pages', async () => {
    const stored = new Map([...one.sets, ...two.sets]);
    expect([...stored.values()].filter((part) => !('outcome' in part))).toHaveLength(4);
    expect(await archive.sets([...stored.keys(), 'no-such-set'])).toEqual(stored);
    const paged: [string, FieldSet][] = [];
    for (let page = await archive.setsAfter('', 1); page.length > 0; ) {
      expect(page.length).toBe(1);
      paged.push(...page);
      page = await archive.setsAfter(page[page.length - 1]![0], 1);
    }
    expect(paged.map(([id]) => id)).toEqual([...stored.keys()].sort());
    expect(new Map(paged)).toEqual(stored);
  });

  it('places, replaces, lists and lifts legal holds', async () => {
    expect(await archive.holds()).toEqual([]);
    await archive.hold({ nhsNumber: C, reason: 'care proceedings', by: 'ig-leicester', at: at(100) });
    await archive.hold({ nhsNumber: A, reason: 'complaint', by: 'ig-leicester', at: at(101) });
    await archive.hold({ nhsNumber: A, reason: 'complaint, extended', by: 'ig-health', at: at(102) });
    expect(await archive.holds()).toEqual([
      { nhsNumber: A, reason: 'complaint, extended', by: 'ig-health', at: at(102) },
      { nhsNumber: C, reason: 'care proceedings', by: 'ig-leicester', at: at(100) },
    ]);
    expect(await archive.release(A)).toBe(true);
    expect(await archive.release(A)).toBe(false);
    expect(await archive.holds()).toEqual([
      { nhsNumber: C, reason: 'care proceedings', by: 'ig-leicester', at: at(100) },
    ]);
  });

  it('expires a segment but the records of a held child, each kept with its inclusion proof; the header stays', async () => {
    const held = new Set((await archive.holds()).map((h) => h.nhsNumber));
    const keep = (r: AnyStoredRecord) => 'v' in r && r.children.some(([nhs]) => held.has(nhs));
    expect(await archive.expire(1, keep, proofOf(one))).toBe(2); // records 1 and 2; 3 and 4 name C

    expect(await archive.range(1, 8)).toEqual([one.records[2], one.records[3], ...two.records]);
    expect(await archive.bySeqs([1, 2, 3])).toEqual([one.records[2]]);
    expect(await archive.seqOf(one.records[0]!.id)).toBeNull();
    expect(await archive.seqsUnder(`child:${A}`, END, 1, 10)).toEqual([8, 5, 3]);
    expect(await archive.seqsUnder(`child:${B}`, END, 1, 10)).toEqual([7, 3]);
    expect(await archive.seqsUnder('user:health-leicester-1', END, 1, 10)).toEqual([5]);
    expect(await archive.seqsUnder('kind:DISCLOSURE', END, 1, 10)).toEqual([8, 7, 5, 4, 3]);
    expect(seqs(await archive.latest(END, 1, 10))).toEqual([8, 7, 6, 5, 4, 3]);

    const proof = await archive.keptProof(3);
    expect(proof).toEqual(proofOf(one)(3));
    const root = Buffer.from(one.segment.root, 'hex');
    const leaf = recordLeaf(one.records[2]!.hash);
    const asBuffers = proof!.map((h) => Buffer.from(h, 'hex'));
    expect(verifyInclusion(leaf, 2, 4, asBuffers, root)).toBe(true);
    expect(await archive.keptProof(4)).toEqual(proofOf(one)(4));
    expect(await archive.keptProof(1)).toBeNull();
    expect(await archive.keptProof(5)).toBeNull();

    const [header] = await archive.segments(0, 1);
    expect(header).toMatchObject({ ...one.segment, expired: 2 });
    expect(Date.parse(header!.expiredAt ?? '')).not.toBeNaN();
    expect((await archive.segmentHolding(1))?.n).toBe(1);
    expect(await archive.expire(1, () => false, proofOf(one))).toBe(0); // already expired: nothing more goes
    expect(await archive.range(3, 4)).toEqual([one.records[2], one.records[3]]);
    expect((await archive.segments(0, 1))[0]).toEqual(header);
    expect(
      await archive.expire(
        99,
        () => false,
        () => [],
      ),
    ).toBe(0);
    expect(await archive.last()).toEqual({ ...two.segment, expiredAt: null, expired: 0 });
  });

  it('two gateways putting the same segment at once: one stores it, the other finds it present', async () => {
    const other = openArchive(where);
    try {
      const outcomes = await Promise.all([
        archive.put(three.segment, three.records, three.sets),
        other.put(three.segment, three.records, three.sets),
      ]);
      expect(outcomes.sort()).toEqual(['present', 'stored']);
      expect(await archive.range(9, END)).toEqual(three.records);
      expect(await other.seqsUnder(`child:${D}`, END, 1, 10)).toEqual([9]);
      expect((await other.last())?.n).toBe(3);
    } finally {
      await other.close();
    }
  });

  it('two gateways expiring the same segment at once: it expires once, its count the records removed', async () => {
    const other = openArchive(where);
    try {
      const removed = await Promise.all([
        archive.expire(3, () => false, proofOf(three)),
        other.expire(3, () => false, proofOf(three)),
      ]);
      expect(removed.sort()).toEqual([0, 2]);
      expect(await archive.last()).toMatchObject({ ...three.segment, expired: 2 });
      expect(await archive.range(9, END)).toEqual([]);
      expect(await archive.seqsUnder(`child:${D}`, END, 1, 10)).toEqual([]);
      expect(await archive.keptProof(9)).toBeNull();
    } finally {
      await other.close();
    }
  });
});

describe('the SQLite archive, opened by several gateways at once', () => {
  it('a gateway opening a new file while another process holds its write lock waits for it, then opens', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'archive-open-'));
    const file = join(dir, 'disclosure-archive.sqlite');
    // Another gateway, mid-way through creating the same file's tables: it holds the write lock for 400 ms.
    const holder = spawn(
      process.execPath,
      [
        '-e',
        `const db = new (require('better-sqlite3'))(${JSON.stringify(file)});
         db.pragma('journal_mode = WAL');
         db.exec('BEGIN IMMEDIATE; CREATE TABLE IF NOT EXISTS starting (x)');
         console.log('locked');
         setTimeout(() => { db.exec('COMMIT'); db.close(); }, 400);`,
      ],
      { cwd: dirname(fileURLToPath(import.meta.url)), stdio: ['ignore', 'pipe', 'inherit'] },
    );
    try {
      await new Promise<void>((resolve, reject) => {
        holder.stdout.on('data', () => resolve());
        holder.on('exit', (code) => reject(new Error(`the lock holder exited (${code})`)));
      });
      const archive = openArchive(file);
      expect(await archive.last()).toBeNull();
      await archive.close();
    } finally {
      holder.kill();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the PostgreSQL archive, its server failing', () => {
  let url: string;
  let archive: DisclosureArchive;
  let log: Log;
  let admin: pg.Client;

  beforeAll(async () => {
    url = await freshDatabase();
    archive = openArchive(url);
    log = new Log(key);
    const first = await log.seal([disclosure(1, [child(A)]), disclosure(2, [child(B)])]);
    expect(await archive.put(first.segment, first.records, first.sets)).toBe('stored');
  });
  afterAll(async () => {
    await archive?.close();
  });

  const connect = async () => {
    const client = new pg.Client(url);
    client.on('error', () => undefined); // the server is killed under it
    await client.connect();
    return client;
  };
  /** Blocks writes to `records` (an open transaction holding an EXCLUSIVE lock on it) until committed. */
  const lockRecords = async () => {
    const locker = await connect();
    await locker.query('BEGIN');
    await locker.query('LOCK TABLE records IN EXCLUSIVE MODE');
    return locker;
  };
  /**
   * Backends waiting for a lock: on what (a table, or another transaction), and the tables their open
   * transaction has inserted into (a granted ROW EXCLUSIVE lock on a table).
   */
  const waiting = async () => {
    const { rows } = await admin.query<{ pid: number; on: string; wrote: string[] }>(
      `SELECT w.pid, coalesce(wc.relname::text, w.locktype) AS on,
              array_remove(array_agg(DISTINCT c.relname::text), NULL) AS wrote
         FROM pg_locks w
         LEFT JOIN pg_class wc ON wc.oid = w.relation
         LEFT JOIN pg_locks h ON h.pid = w.pid AND h.granted AND h.mode = 'RowExclusiveLock'
         LEFT JOIN pg_class c ON c.oid = h.relation AND c.relkind = 'r'
        WHERE NOT w.granted GROUP BY w.pid, wc.relname, w.locktype`,
    );
    return rows;
  };
  const until = async <T>(probe: () => Promise<T>, ok: (value: T) => boolean): Promise<T> => {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const value = await probe();
      if (ok(value) || Date.now() > deadline) return value;
      await new Promise((r) => setTimeout(r, 20));
    }
  };

  it('two gateways, the first mid-transaction: the second waits for it, then finds the segment present', async () => {
    admin = await connect();
    const second = await log.seal([disclosure(3, [child(C)]), disclosure(4, [child(A)])]);
    const other = openArchive(url);
    const locker = await lockRecords();
    try {
      const first = archive.put(second.segment, second.records, second.sets);
      const rival = other.put(second.segment, second.records, second.sets);
      // One has written the segment's row and waits at the records; the other waits on that row.
      const blocked = await until(waiting, (w) => w.length === 2);
      expect(blocked).toHaveLength(2);
      expect(blocked.map((b) => b.on).sort()).toEqual(['records', 'transactionid']);
      await locker.query('COMMIT');
      expect([await first, await rival].sort()).toEqual(['present', 'stored']);
      expect(await other.range(3, 4)).toEqual(second.records);
    } finally {
      await locker.end();
      await other.close();
      await admin.end();
    }
  });

  it('a put the server dies under rejects clearly, and writes nothing; restarted, the put stores the segment whole', async () => {
    const third = await log.seal([disclosure(5, [child(D, ['HealthRecord.bloodGroup'])]), disclosure(6, [child(A)])]);
    const already = await archive.sets([...third.sets.keys()]);
    const fresh = [...third.sets.keys()].filter((id) => !already.has(id));
    expect(fresh).toHaveLength(1); // D's set is new; A's was stored with the first segment
    admin = await connect();
    const locker = await lockRecords();
    const put = archive.put(third.segment, third.records, third.sets).then(
      () => null,
      (error: Error) => error,
    );
    // The put is inside its transaction: the segment's row and its field sets written, waiting at the records.
    const [blocked] = await until(waiting, (w) => w.length === 1);
    expect(blocked).toMatchObject({ on: 'records' });
    expect(blocked?.wrote.sort()).toEqual(['field_sets', 'segments']);

    await postgres.kill();
    const error = await put;
    expect(error?.message).toMatch(
      /^disclosure archive \(PostgreSQL at postgres:\/\/postgres@127\.0\.0\.1:\d+\/archive_\d+\): putting segment 3 failed: ./,
    );
    expect(error?.message).not.toContain(new URL(url).password);
    await expect(archive.put(third.segment, third.records, third.sets)).rejects.toThrow(
      /putting segment 3 failed: .*ECONNREFUSED/,
    );
    await expect(archive.last()).rejects.toThrow(
      /^disclosure archive \(PostgreSQL at .*\): reading the last segment failed/,
    );

    await postgres.start();
    // Nothing of the interrupted transaction is there: no header, no records, no keys, no field sets.
    expect((await archive.last())?.n).toBe(2);
    expect(await archive.range(5, END)).toEqual([]);
    expect(await archive.seqsUnder(`child:${D}`, END, 1, 10)).toEqual([]);
    expect(await archive.sets(fresh)).toEqual(new Map());

    expect(await archive.put(third.segment, third.records, third.sets)).toBe('stored');
    expect(await archive.last()).toEqual({ ...third.segment, expiredAt: null, expired: 0 });
    expect(await archive.range(5, END)).toEqual(third.records);
    expect(await archive.seqsUnder(`child:${D}`, END, 1, 10)).toEqual([5]);
    expect(await archive.sets([...third.sets.keys()])).toEqual(third.sets);
    expect(await archive.put(third.segment, third.records, third.sets)).toBe('present');
    await locker.end().catch(() => undefined);
    await admin.end().catch(() => undefined);
  });
});

describe('the PostgreSQL archive, a legal hold placed while a segment expires', () => {
  it('the expiry waits for the hold being placed, then keeps that child’s records', async () => {
    const url = await freshDatabase();
    const archive = openArchive(url);
    const holder = new pg.Client(url);
    const watcher = new pg.Client(url);
    try {
      const sealed = await new Log(key).seal([
        disclosure(1, [child(A)]),
        disclosure(2, [child(B)]),
        disclosure(3, [child(A), child(C)]),
      ]);
      expect(await archive.put(sealed.segment, sealed.records, sealed.sets)).toBe('stored');
      await holder.connect();
      await watcher.connect();
      // An IG lead's hold, inserted and not yet committed when retention reaches the segment.
      await holder.query('BEGIN');
      await holder.query('INSERT INTO legal_holds (nhs_number, reason, by_whom, at) VALUES ($1, $2, $3, $4)', [
        A,
        'Care proceedings',
        'ig-health',
        new Date().toISOString(),
      ]);
      const expiring = new Retention(archive).expire(Date.now());
      // The expiry waits on the holds table until the hold is committed or abandoned.
      await expect
        .poll(
          async () =>
            (
              await watcher.query<{ n: string }>(
                "SELECT count(*) AS n FROM pg_locks WHERE NOT granted AND relation = 'legal_holds'::regclass",
              )
            ).rows[0]!.n,
          { timeout: 10_000 },
        )
        .toBe('1');
      await holder.query('COMMIT');
      expect(await expiring).toBe(1);
      expect(seqs(await archive.range(1, END))).toEqual([1, 3]);
      expect(await archive.keptProof(1)).toEqual(proofOf(sealed)(1));
    } finally {
      await holder.end().catch(() => undefined);
      await watcher.end().catch(() => undefined);
      await archive.close();
    }
  });
});
