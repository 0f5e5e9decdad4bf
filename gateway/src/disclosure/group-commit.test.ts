import { startRedisServer, type RedisServer } from '@macpt/kit/redis-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { draft } from './build.js';
import { GroupCommitter, LogUnavailableError } from './group-commit.js';
import { RedisDisclosureStore } from './redis-store.js';

let redis: RedisServer;
beforeAll(async () => {
  redis = await startRedisServer();
});
afterAll(async () => {
  await redis?.destroy();
});

const record = (i: number) =>
  draft(
    'DISCLOSURE',
    {
      requestId: `r-${i}`,
      user: null,
      purpose: 'SECTION_47_ENQUIRY',
      justification: null,
      breakGlass: false,
      operationName: null,
      operationHash: null,
      clientName: null,
    },
    'DISCLOSED',
  );

describe('group commit deadline', () => {
  it('takes an acknowledgement that came while the gateway was too busy to read it, even past the deadline', async () => {
    // The event loop blocked (a supergraph composed, a large answer shaped) past the deadline while Redis had
    // already answered: the record is written, so its response is released, not refused for the gateway's delay.
    const store = new RedisDisclosureStore({ url: redis.url, commandTimeoutMs: 5_000 });
    const committer = new GroupCommitter(store, 200);
    await committer.append(record(0));
    const written = committer.append(record(1));
    const until = Date.now() + 500;
    while (Date.now() < until); // busy: Redis answers meanwhile, unread
    await expect(written).resolves.toMatchObject({ requestId: 'r-1' });
    await store.close();
  });

  it('refuses every record within its deadline counted from when its response was ready, queued ones included, while Redis hangs', async () => {
    // One batch at a time, so most records wait in the queue behind a batch that never comes back.
    const store = new RedisDisclosureStore({ url: redis.url, commandTimeoutMs: 5_000 });
    const committer = new GroupCommitter(store, 400, 1, 1);
    await committer.append(record(0));
    process.kill(redis.pid()!, 'SIGSTOP');
    try {
      const started = Date.now();
      const outcomes = await Promise.all(
        Array.from({ length: 6 }, (_, i) =>
          committer.append(record(i + 1)).then(
            () => 'written',
            (e: Error) => [e instanceof LogUnavailableError, Date.now() - started] as const,
          ),
        ),
      );
      for (const outcome of outcomes) {
        expect(outcome).not.toBe('written');
        const [unavailable, ms] = outcome as readonly [boolean, number];
        expect(unavailable).toBe(true);
        // The deadline plus timer slack on a shared machine; before, a queued record waited a fresh deadline per batch ahead of it.
        expect(ms).toBeLessThan(400 + 250);
      }
    } finally {
      process.kill(redis.pid()!, 'SIGCONT');
      await store.close();
    }
  });
});
