import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { applyDocumentedGatewayAcl, startRedisServer, type RedisServer } from '@macpt/kit/redis-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { draft } from './build.js';
import { FileDisclosureStore } from './file-store.js';
import type { DisclosureRecord, RecordDraft } from './record.js';
import { RedisDisclosureStore } from './redis-store.js';
import { installAppendFunction } from './redis-function.js';
import { OverLimit } from '../limits/rate-limit.js';
import type { DisclosureStore } from './store.js';

let redis: RedisServer;
beforeAll(async () => {
  redis = await startRedisServer();
});
afterAll(async () => {
  await redis?.destroy();
});

let n = 0;
const request = (user: string, agency: string) => ({
  requestId: `req-${++n}`,
  user: { id: user, role: 'MACPT_POLICE', agency, la: 'LEICESTER' },
  purpose: 'SECTION_47_ENQUIRY',
  justification: null,
  breakGlass: false,
  operationName: 'ChildView',
  operationHash: 'abc',
  clientName: 'dashboard',
});
const disclosure = (nhs: string, user = 'police-leicester-1', agency = 'police'): RecordDraft =>
  draft('DISCLOSURE', request(user, agency), 'DISCLOSED', {
    children: [
      {
        nhsNumber: nhs,
        disclosed: { health: ['HealthRecord.name'] },
        withheld: [],
        lawfulBasis: { health: 'UK GDPR' },
      },
    ],
    agencies: ['health'],
  });

interface Harness {
  store: () => DisclosureStore;
  /** Rewrites the stored records (as an attacker with write access would); returns nothing. */
  tamper: (edit: (records: DisclosureRecord[]) => DisclosureRecord[]) => Promise<void>;
}

function fileHarness(): Harness {
  const file = join(mkdtempSync(join(tmpdir(), 'macpt-dlog-')), 'log.jsonl');
  let store: FileDisclosureStore | null = null;
  return {
    store: () => (store ??= new FileDisclosureStore(file)),
    tamper: async (edit) => {
      const records = readFileSync(file, 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as DisclosureRecord);
      writeFileSync(
        file,
        edit(records)
          .map((r) => JSON.stringify(r))
          .join('\n') + '\n',
      );
    },
  };
}

function redisHarness(prefix: string): Harness {
  let store: RedisDisclosureStore | null = null;
  return {
    store: () => (store ??= new RedisDisclosureStore({ url: redis.url, prefix })),
    tamper: async (edit) => {
      const admin = new Redis(redis.url);
      const entries = (await admin.xrange(`${prefix}stream`, '-', '+')) as [string, string[]][];
      const records = entries.map(([, f]) => JSON.parse(f[f.indexOf('r') + 1]!) as DisclosureRecord);
      await admin.del(`${prefix}stream`);
      // Re-add in order with fresh ids: the attacker controls the stream's content and order entirely.
      for (const r of edit(records))
        await admin.xadd(`${prefix}stream`, '*', 'seq', String(r.seq), 'r', JSON.stringify(r));
      admin.disconnect();
    },
  };
}

let prefixes = 0;
describe.each([
  ['file', () => fileHarness()],
  ['redis', () => redisHarness(`test${++prefixes}:`)],
])('the %s disclosure store', (_, make) => {
  it('chains records, answers filtered newest-first pages, and verifies', async () => {
    const h = make();
    const store = h.store();
    await store.append([disclosure('9990000018'), disclosure('9990000026', 'health-leicester-1', 'health')]);
    await store.append([disclosure('9990000018', 'health-leicester-1', 'health')]);
    expect(await store.verify()).toMatchObject({ ok: true, count: 3, problem: null });
    const child = await store.query({ nhsNumber: '9990000018' }, 10);
    expect(child.map((r) => r.seq)).toEqual([3, 1]);
    expect((await store.query({ userId: 'health-leicester-1' }, 1)).map((r) => r.seq)).toEqual([3]);
    expect((await store.query({ userId: 'health-leicester-1' }, 1, 3)).map((r) => r.seq)).toEqual([2]);
    expect(await store.query({ agency: 'health', purpose: 'MASH_TRIAGE' }, 10)).toEqual([]);
    expect((await store.get(child[1]!.id))?.seq).toBe(1);
    await store.close();
  });

  it.each([
    [
      'an edited record',
      (rs: DisclosureRecord[]) => rs.map((r) => (r.seq === 2 ? { ...r, purpose: 'EMERGENCY' } : r)),
      /seq 2 .* was altered/,
    ],
    [
      'a deleted record',
      (rs: DisclosureRecord[]) => rs.filter((r) => r.seq !== 2),
      /seq 3 .* does not link to its predecessor/,
    ],
    [
      'an inserted record',
      (rs: DisclosureRecord[]) => [rs[0]!, { ...rs[1]!, id: 'forged', user: null }, ...rs.slice(1)],
      /does not link|numbering has a gap|altered/,
    ],
    [
      'two records swapped',
      (rs: DisclosureRecord[]) => [rs[0]!, rs[2]!, rs[1]!, rs[3]!],
      /seq 3 .* does not link to its predecessor/,
    ],
    ['records cut off the end', (rs: DisclosureRecord[]) => rs.slice(0, 2), /cut off the end/],
  ])('catches %s', async (_, edit, problem) => {
    const h = make();
    const store = h.store();
    await store.append([
      disclosure('9990000018'),
      disclosure('9990000026'),
      disclosure('9990000034'),
      disclosure('9990000042'),
    ]);
    expect((await store.verify()).ok).toBe(true);
    await h.tamper(edit);
    const result = await store.verify();
    expect(result.ok).toBe(false);
    expect(result.problem).toMatch(problem);
    await store.close();
  });
});

describe('the redis disclosure store across gateway processes', () => {
  it('keeps one verifiable chain when two writers append concurrently', async () => {
    const prefix = 'concurrent:';
    const a = new RedisDisclosureStore({ url: redis.url, prefix });
    const b = new RedisDisclosureStore({ url: redis.url, prefix });
    await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        (i % 2 ? a : b).append([disclosure('9990000018'), disclosure('9990000026')]),
      ),
    );
    const result = await a.verify();
    expect(result).toMatchObject({ ok: true, count: 80 });
    await a.close();
    await b.close();
  });

  it('never appends a batch twice when it is re-sent after a lost acknowledgement', async () => {
    const prefix = 'resend:';
    const store = new RedisDisclosureStore({ url: redis.url, prefix });
    const batch = [disclosure('9990000018')];
    const written = await store.append(batch);
    // A second writer, further along the chain, does not know the first append succeeded and sends the
    // same records again: it is answered with the records as they were written, not as it chained them.
    const other = new RedisDisclosureStore({ url: redis.url, prefix });
    await other.append([disclosure('9990000026')]);
    expect(await other.append(batch)).toEqual(written);
    expect(await store.verify()).toMatchObject({ ok: true, count: 2 });
    await other.append([disclosure('9990000034')]);
    expect(await store.verify()).toMatchObject({ ok: true, count: 3 });
    await store.close();
    await other.close();
  });

  it('goes back to sending batches while earlier ones are answered once its head is known again, though appends never pause', async () => {
    const prefix = 'pipeline:';
    const store = new RedisDisclosureStore({ url: redis.url, prefix });
    const other = new RedisDisclosureStore({ url: redis.url, prefix });
    // How many appends were unanswered on the store's connection as each was sent.
    const client = (store as unknown as { redis: Redis }).redis;
    const call = client.call.bind(client) as (...args: unknown[]) => Promise<unknown>;
    let open = 0;
    let sent: number[] = [];
    let conflicts = 0;
    client.call = ((...args: unknown[]) => {
      if (args[0] !== 'FCALL') return call(...args);
      sent.push(++open);
      return call(...args)
        .then((answer) => {
          if ((answer as string[])[0] === 'CONFLICT') conflicts++;
          return answer;
        })
        .finally(() => open--);
    }) as typeof client.call;
    const appendMany = async (count: number) => {
      let left = count;
      await Promise.all(
        Array.from({ length: 4 }, async () => {
          while (left-- > 0) await store.append([disclosure('9990000018')]);
        }),
      );
    };
    // At start the head is in doubt (the first batches go one at a time); four writers never let the queue empty.
    await appendMany(100);
    expect(sent.slice(-50).some((o) => o > 1)).toBe(true);
    // Another gateway appends: the store's next batches conflict, go one at a time, then pipeline again.
    await other.append([disclosure('9990000026')]);
    sent = [];
    await appendMany(100);
    expect(conflicts).toBeGreaterThan(0);
    expect(sent.slice(-50).some((o) => o > 1)).toBe(true);
    expect(await store.verify()).toMatchObject({ ok: true, count: 201 });
    await store.close();
    await other.close();
  });

  it('fails within its deadline, without queuing, while Redis is down', async () => {
    const store = new RedisDisclosureStore({ url: redis.url, prefix: 'down:' });
    await store.append([disclosure('9990000018')]);
    await redis.stop();
    try {
      const started = Date.now();
      await expect(store.append([disclosure('9990000026')])).rejects.toThrow();
      expect(Date.now() - started).toBeLessThan(2000);
      expect(await store.ready()).toBe(false);
    } finally {
      await redis.start();
    }
    // Nothing was queued to be written later: once Redis is back, the chain holds only the first record.
    await new Promise((r) => setTimeout(r, 1500));
    expect(await store.verify()).toMatchObject({ ok: true, count: 1 });
    await store.close();
  });
});

describe("the README's Redis ACL for the gateway", () => {
  it('lets the gateway append, read, verify and count rate limits, and refuses every way to remove, trim, expire, move or overwrite the log', async () => {
    const own = await startRedisServer();
    const admin = new Redis(own.url);
    try {
      // Exactly the ACL the README documents, read from it.
      const url = await applyDocumentedGatewayAcl(own);
      await installAppendFunction(admin);
      const store = new RedisDisclosureStore({
        url,
        prefix: 'macpt:dlog:',
        limits: { requestsPerMinute: 2, childrenPerHour: 5 },
      });
      await store.append([disclosure('9990000018')]);
      // Charged to a user's rate limits in the same call: counted, and refused past the limit.
      await store.append(
        [disclosure('9990000026'), disclosure('9990000034')],
        [
          { userId: 'u', children: ['9990000026'] },
          { userId: 'u', children: ['9990000034'] },
        ],
      );
      await expect(store.append([disclosure('9990000042')], [{ userId: 'u', children: [] }])).rejects.toBeInstanceOf(
        OverLimit,
      );
      expect(await store.verify()).toMatchObject({ ok: true, count: 3 });
      expect(await store.query({ nhsNumber: '9990000026' }, 10)).toHaveLength(1);
      expect(await store.durability()).toMatch(/appendfsync always/);

      const gateway = new Redis(url);
      const refused: string[][] = [
        ['DEL', 'macpt:dlog:stream'],
        ['UNLINK', 'macpt:dlog:head'],
        ['XDEL', 'macpt:dlog:stream', '0-1'],
        ['XTRIM', 'macpt:dlog:stream', 'MAXLEN', '0'],
        ['EXPIRE', 'macpt:dlog:stream', '1'],
        ['PEXPIRE', 'macpt:dlog:head', '1'],
        ['EXPIREAT', 'macpt:dlog:stream', '1'],
        ['PEXPIREAT', 'macpt:dlog:head', '1'],
        ['SET', 'macpt:dlog:stream', 'x'],
        ['SET', 'macpt:dlog:head', 'x'],
        ['GETDEL', 'macpt:dlog:turn'],
        ['MOVE', 'macpt:dlog:stream', '1'],
        ['RENAME', 'macpt:dlog:stream', 'macpt:dlog:gone'],
        ['RENAMENX', 'macpt:dlog:stream', 'macpt:dlog:gone'],
        ['COPY', 'macpt:dlog:ids', 'macpt:dlog:stream', 'REPLACE'],
        ['RESTORE', 'macpt:dlog:stream', '0', 'x', 'REPLACE'],
        ['SWAPDB', '0', '1'],
        ['FLUSHDB'],
        ['FLUSHALL'],
        ['EVAL', "return redis.call('XTRIM', KEYS[1], 'MAXLEN', 0)", '1', 'macpt:dlog:stream'],
        ['FUNCTION', 'LOAD', '#!lua name=evil\nredis.register_function("evil", function() return 1 end)'],
        ['FUNCTION', 'DELETE', 'x'],
        ['FUNCTION', 'FLUSH'],
        ['LTRIM', 'macpt:dlog:child:9990000018', '0', '0'],
        ['LPOP', 'macpt:dlog:child:9990000018'],
        ['HDEL', 'macpt:dlog:head', 'hash'],
        ['DEL', 'macpt:dlog:rl:x'],
        ['SET', 'macpt:dlog:ids', 'x'],
        ['SADD', 'macpt:dlog:stream', 'x'],
      ];
      for (const command of refused)
        await expect(gateway.call(command[0]!, ...command.slice(1)), command.join(' ')).rejects.toThrow(
          /NOPERM|no permissions/i,
        );
      expect(await store.verify()).toMatchObject({ ok: true, count: 3 });

      // What no ACL can express (an argument) is detected instead: XADD … MAXLEN trims, and the chain says so.
      await gateway.call('XADD', 'macpt:dlog:stream', 'MAXLEN', '1', '*', 'seq', '4', 'r', '{}');
      expect((await store.verify()).ok).toBe(false);
      gateway.disconnect();
      await store.close();
    } finally {
      admin.disconnect();
      await own.destroy();
    }
  });
});

describe('a log that vanished or shrank', () => {
  it('is never reported OK once a head has been anchored, and a gateway that saw a later head stops appending', async () => {
    const prefix = `vanish-${Date.now()}:`;
    const store = new RedisDisclosureStore({ url: redis.url, prefix });
    await store.append([disclosure('9990000018'), disclosure('9990000026')]);
    const good = await store.verify();
    expect(good).toMatchObject({ ok: true, count: 2 });
    const anchor = { seq: good.count, hash: good.headHash };
    // Stream and head both gone (expired, say): on its own the empty log would look whole.
    const admin = new Redis(redis.url);
    await admin.del(`${prefix}stream`, `${prefix}head`, `${prefix}ids`, `${prefix}sids`);
    admin.disconnect();
    expect(await store.verify()).toMatchObject({ ok: true, count: 0 });
    expect(await store.verify(anchor)).toMatchObject({
      ok: false,
      problem: expect.stringMatching(/anchored at seq 2: records have vanished/),
    });
    await expect(store.append([disclosure('9990000034')])).rejects.toThrow(/head went back from seq 2 to seq 0/);
    expect(await store.ready()).toBe(false);
    expect(store.problem()).toMatch(/records have vanished/);
    await store.close();
  });
});

describe('the file disclosure store after a crash', () => {
  it('cuts off a torn last line (never acknowledged) and goes on with a chain that verifies', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'macpt-dlog-')), 'log.jsonl');
    const store = new FileDisclosureStore(file);
    await store.append([disclosure('9990000018'), disclosure('9990000026')]);
    await store.close();
    writeFileSync(file, `${readFileSync(file, 'utf8')}{"id":"half-writ`);
    const reopened = new FileDisclosureStore(file);
    await reopened.append([disclosure('9990000034')]);
    expect(await reopened.verify()).toMatchObject({ ok: true, count: 3 });
    await reopened.close();
  });
});

describe('the file log, claimed by one gateway', () => {
  it('refuses a second process that would append to it, naming the first and what to do instead', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'macpt-claim-')), 'log.jsonl');
    const { spawn } = await import('node:child_process');
    const other = spawn('sleep', ['30']);
    try {
      writeFileSync(`${file}.lock`, String(other.pid));
      const store = new FileDisclosureStore(file);
      expect(() => store.claim()).toThrow(new RegExp(`in use by gateway process ${other.pid}.*shared Redis`));
      await store.close();
    } finally {
      const gone = new Promise((r) => other.once('exit', r));
      other.kill();
      await gone;
    }
    // A lock left by a process that is gone is taken over.
    const store = new FileDisclosureStore(file);
    expect(() => store.claim()).not.toThrow();
    expect(readFileSync(`${file}.lock`, 'utf8')).toBe(String(process.pid));
    await store.close();
  });
});
