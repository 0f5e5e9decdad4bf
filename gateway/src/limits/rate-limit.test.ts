import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRedisServer } from '@macpt/kit/redis-server';
import { describe, expect, it } from 'vitest';
import { draft } from '../disclosure/build.js';
import { FileDisclosureStore } from '../disclosure/file-store.js';
import { GroupCommitter } from '../disclosure/group-commit.js';
import type { RecordDraft } from '../disclosure/record.js';
import { RedisDisclosureStore } from '../disclosure/redis-store.js';
import type { DisclosureStore } from '../disclosure/store.js';
import { KnownOverLimit, MemoryLimits, OverLimit, RateLimitedError, type Charge } from './rate-limit.js';

const record = (nhs: string): RecordDraft =>
  draft(
    'DISCLOSURE',
    {
      requestId: `r-${nhs}`,
      user: { id: 'u', role: 'MACPT_POLICE', agency: 'police', la: 'LEICESTER' },
      purpose: 'SECTION_47_ENQUIRY',
      justification: null,
      breakGlass: false,
      operationName: 'ChildView',
      operationHash: null,
      clientName: null,
    },
    'DISCLOSED',
    { children: [{ nhsNumber: nhs, disclosed: { police: ['PoliceRecord.name'] }, withheld: [], lawfulBasis: {} }] },
  );
const charge = (userId: string, ...children: string[]): Charge => ({ userId, children });
const MINUTE = 60_000;

describe('the rule every store applies to a batch of charges (in process)', () => {
  it('refuses the request past the per-minute limit, and allows again in the next minute', () => {
    const limits = new MemoryLimits({ requestsPerMinute: 2, childrenPerHour: 10 });
    const at = 10 * MINUTE;
    expect(limits.charge([charge('u')], at).size).toBe(0);
    expect(limits.charge([charge('u')], at).size).toBe(0);
    expect([...limits.charge([charge('u')], at)]).toEqual([[0, 'requestsPerMinute']]);
    expect(limits.charge([charge('other')], at).size).toBe(0);
    expect(limits.charge([charge('u')], at + MINUTE).size).toBe(0);
  });

  it('counts different children: a child already counted is free, new ones past the hour’s limit are refused', () => {
    const limits = new MemoryLimits({ requestsPerMinute: 100, childrenPerHour: 2 });
    expect(limits.charge([charge('u', 'a', 'b')], 0).size).toBe(0);
    expect(limits.charge([charge('u', 'a', 'b', 'a')], 0).size).toBe(0);
    expect([...limits.charge([charge('u', 'a', 'c')], 0)]).toEqual([[0, 'childrenPerHour']]);
    expect(limits.charge([charge('other', 'c')], 0).size).toBe(0);
  });

  it('decides a batch in order, as if asked one at a time; a batch with a refusal counts nothing', () => {
    const limits = new MemoryLimits({ requestsPerMinute: 100, childrenPerHour: 3 });
    const batch = [charge('u', 'a'), charge('u', 'b', 'c'), charge('u', 'd'), charge('v', 'd'), charge('u', 'a')];
    // The third goes past three children; the others would not (the fifth revisits a child).
    expect([...limits.charge(batch, 0)]).toEqual([[2, 'childrenPerHour']]);
    // Nothing was counted: the rest, sent again, pass, and then the hour's allowance is used.
    expect(limits.charge([batch[0], batch[1], batch[3], batch[4]], 0).size).toBe(0);
    expect([...limits.charge([charge('u', 'e')], 0)]).toEqual([[0, 'childrenPerHour']]);
  });
});

describe('users known past their minute’s limit', () => {
  it('are refused at once until the minute ends; a children’s limit is always decided by the store', () => {
    const known = new KnownOverLimit({ requestsPerMinute: 5, childrenPerHour: 10 });
    const at = 10 * MINUTE + 15_000;
    expect(known.learn('u', 'requestsPerMinute', at)).toMatchObject({
      limit: 'requestsPerMinute',
      retryAfterSeconds: 45,
    });
    expect(known.refusal('u', at + 44_000)).toMatchObject({ message: 'More than 5 requests in a minute.' });
    expect(known.refusal('u', 11 * MINUTE)).toBeNull();
    expect(known.learn('v', 'childrenPerHour', at)).toMatchObject({ message: expect.stringMatching(/bulk export/) });
    expect(known.refusal('v', at)).toBeNull();
  });
});

describe('charged with the record, on a real Redis (the append function) and in the embedded file', () => {
  const cases: [string, () => Promise<{ store: DisclosureStore; close: () => Promise<void> }>][] = [
    [
      'Redis',
      async () => {
        const redis = await startRedisServer();
        const store = new RedisDisclosureStore({
          url: redis.url,
          prefix: `rl:${Date.now()}:`,
          limits: { requestsPerMinute: 4, childrenPerHour: 3 },
        });
        return { store, close: () => store.close().then(() => redis.destroy()) };
      },
    ],
    [
      'file',
      async () => {
        const store = new FileDisclosureStore(join(mkdtempSync(join(tmpdir(), 'rl-')), 'log.jsonl'), {
          requestsPerMinute: 4,
          childrenPerHour: 3,
        });
        return { store, close: () => store.close() };
      },
    ],
  ];

  for (const [name, open] of cases)
    it(`${name}: a batch past a limit is not written at all and names the refused; the rest go in when sent again`, async () => {
      const { store, close } = await open();
      try {
        await expect.poll(() => store.ready()).toBe(true);
        await store.append([record('9990000018')], [charge('u', '9990000018')]);
        const batch = ['9990000026', '9990000034', '9990000042'];
        const refused = await store
          .append(
            batch.map(record),
            batch.map((n) => charge('u', n)),
          )
          .catch((e: unknown) => e);
        expect(refused).toBeInstanceOf(OverLimit);
        expect([...(refused as OverLimit).refused]).toEqual([[2, 'childrenPerHour']]);
        expect(await store.verify()).toMatchObject({ ok: true, count: 1 });
        await store.append(
          batch.slice(0, 2).map(record),
          batch.slice(0, 2).map((n) => charge('u', n)),
        );
        // A revisit is free (the fourth request this minute); a fifth request is not.
        await store.append([record('9990000018')], [charge('u', '9990000018')]);
        const fifth = await store.append([record('9990000018')], [charge('u')]).catch((e: unknown) => e);
        expect([...(fifth as OverLimit).refused]).toEqual([[0, 'requestsPerMinute']]);
        // Another user, and a record charged to no one (the gateway's own), are not affected.
        await store.append([record('9990000042'), record('9990000050')], [charge('other', '9990000042'), null]);
        expect(await store.verify()).toMatchObject({ ok: true, count: 6 });
      } finally {
        await close();
      }
    });

  it('Redis decides every batch as the in-process rule does: users mixed, children repeated within and across charges', async () => {
    const limits = { requestsPerMinute: 1000, childrenPerHour: 12 };
    const redis = await startRedisServer();
    const store = new RedisDisclosureStore({ url: redis.url, prefix: 'rl-same:', limits });
    const pool = Array.from({ length: 16 }, (_, i) => `999${String(1000000 + i).padStart(7, '0')}`);
    try {
      await expect.poll(() => store.ready()).toBe(true);
      // Fixed pseudo-random sequences (the same batches every run), with one, two and three users at a time;
      // every few rounds a user leaves and a new one comes, so many users pass from under to over their limit.
      for (const [start, users] of [
        [27, 3],
        [5, 2],
        [1234, 1],
      ] as const) {
        const rule = new MemoryLimits(limits);
        let seed: number = start;
        const next = (n: number) => {
          seed = (seed * 48271) % 2147483647; // Park–Miller: exact in a double
          return Math.floor((seed / 2147483647) * n);
        };
        let refusals = 0;
        for (let round = 0; round < 150; round++) {
          let batch = Array.from({ length: 1 + next(10) }, () =>
            charge(
              `${start}-${Math.floor(round / 6) + next(users)}`,
              ...Array.from({ length: next(6) }, () => pool[next(pool.length)]!),
            ),
          );
          // As the group commit does: a refusal writes nothing; the rest are sent again without the refused.
          while (batch.length > 0) {
            const expected = rule.charge(batch, Date.now());
            const outcome = await store
              .append(
                batch.map(() => record(pool[0]!)),
                batch,
              )
              .then(
                () => new Map(),
                (e: unknown) => (e as OverLimit).refused,
              );
            expect([...outcome], `${start} round ${round}: ${JSON.stringify(batch)}`).toEqual([...expected]);
            if (expected.size === 0) break;
            refusals++;
            batch = batch.filter((_, i) => !expected.has(i));
          }
        }
        // The sequence reaches the users' limits: refusals were decided, not only passes.
        expect(refusals).toBeGreaterThan(5);
      }
    } finally {
      await store.close();
      await redis.destroy();
    }
  });

  it('the group commit refuses only the request past its limit, and writes its neighbours in the same turn', async () => {
    const store = new FileDisclosureStore(join(mkdtempSync(join(tmpdir(), 'rl-')), 'log.jsonl'), {
      requestsPerMinute: 2,
      childrenPerHour: 100,
    });
    const known = new KnownOverLimit({ requestsPerMinute: 2, childrenPerHour: 100 });
    const committer = new GroupCommitter(store, 1000, 500, 4, known);
    try {
      const outcomes = await Promise.allSettled([
        committer.append(record('9990000018'), charge('u')),
        committer.append(record('9990000026'), charge('u')),
        committer.append(record('9990000034'), charge('u')),
        committer.append(record('9990000042'), charge('v')),
      ]);
      expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
      const error = (outcomes[2] as PromiseRejectedResult).reason as RateLimitedError;
      expect(error).toBeInstanceOf(RateLimitedError);
      expect(error.refusal).toMatchObject({ limit: 'requestsPerMinute' });
      expect(known.refusal('u', Date.now())).not.toBeNull();
      expect(await store.verify()).toMatchObject({ ok: true, count: 3 });
    } finally {
      await store.close();
    }
  });

  it('Redis down: a charged append fails (the request is refused, 503), it is not waved through as unlimited', async () => {
    const redis = await startRedisServer();
    const store = new RedisDisclosureStore({ url: redis.url, prefix: `down:${Date.now()}:`, commandTimeoutMs: 300 });
    try {
      await expect.poll(() => store.ready()).toBe(true);
      await store.append([record('9990000018')], [charge('u', '9990000018')]);
      await redis.stop();
      const failed = await store.append([record('9990000026')], [charge('u', '9990000026')]).catch((e: unknown) => e);
      expect(failed).toBeInstanceOf(Error);
      expect(failed).not.toBeInstanceOf(OverLimit);
    } finally {
      await store.close();
      await redis.destroy();
    }
  });
});
