import { startRedisServer } from '@macpt/kit/redis-server';
import { describe, expect, it } from 'vitest';
import { childRateDecision, MemoryRateLimiter, RedisRateLimiter, requestRateDecision } from './rate-limit.js';

describe('embedded rate limiter', () => {
  it('refuses the request past the per-minute limit and allows again in the next minute', async () => {
    let now = 60_000 * 10;
    const limiter = new MemoryRateLimiter({ requestsPerMinute: 2, childrenPerHour: 10 }, () => now);
    expect((await limiter.request('u')).allowed).toBe(true);
    expect((await limiter.request('u')).allowed).toBe(true);
    expect(await limiter.request('u')).toMatchObject({ allowed: false, limit: 'requestsPerMinute' });
    expect((await limiter.request('other')).allowed).toBe(true);
    now += 60_000;
    expect((await limiter.request('u')).allowed).toBe(true);
  });

  it('counts distinct children: revisiting a child is free, a new one past the limit is refused', async () => {
    const limiter = new MemoryRateLimiter({ requestsPerMinute: 100, childrenPerHour: 2 }, () => 0);
    expect((await limiter.child('u', 'a')).allowed).toBe(true);
    expect((await limiter.child('u', 'b')).allowed).toBe(true);
    expect((await limiter.child('u', 'a')).allowed).toBe(true);
    expect(await limiter.child('u', 'c')).toMatchObject({
      allowed: false,
      limit: 'childrenPerHour',
      message: expect.stringMatching(/bulk export/),
    });
  });
});

describe('shared rate limiter on a real Redis', () => {
  it('decides a caseload asked at once like children asked one by one: the new ones past the limit are refused, revisits are free', async () => {
    const redis = await startRedisServer();
    const limiter = new RedisRateLimiter(
      redis.url,
      { requestsPerMinute: 100, childrenPerHour: 3 },
      `test:${Date.now()}:`,
    );
    try {
      // The limiter does not queue commands while it connects (fail open, by design): wait for the connection.
      for (
        let i = 0;
        i < 50 &&
        !(await limiter.request('warm-up').then(
          () => true,
          () => false,
        ));
        i++
      )
        await new Promise((r) => setTimeout(r, 50));
      expect((await limiter.child('u', '9990000018')).allowed).toBe(true);
      const batch = await Promise.all(
        ['9990000018', '9990000026', '9990000034', '9990000042', '9990000050'].map((n) => limiter.child('u', n)),
      );
      expect(batch.map((d) => d.allowed)).toEqual([true, true, true, false, false]);
      expect(batch[3]).toMatchObject({ limit: 'childrenPerHour' });
      expect((await limiter.child('other', '9990000042')).allowed).toBe(true);
    } finally {
      await limiter.close();
      await redis.destroy();
    }
  });

  it('refuses while its Redis is down without waiting for a reconnect (even one a moment later), and decides again once reconnected', async () => {
    const redis = await startRedisServer();
    const limiter = new RedisRateLimiter(
      redis.url,
      { requestsPerMinute: 100, childrenPerHour: 100 },
      `down:${Date.now()}:`,
    );
    try {
      await expect.poll(async () => (await requestRateDecision(limiter, 'u')).allowed).toBe(true);
      await redis.stop();
      await new Promise((r) => setTimeout(r, 50)); // the client sees the connection close
      // Asked while Redis is down; Redis is back before a reconnect-and-retry would have given up.
      const request = requestRateDecision(limiter, 'u');
      const child = childRateDecision(limiter, 'u', '9990000018');
      await redis.start();
      expect(await request).toMatchObject({ allowed: false, limit: 'unavailable' });
      expect(await child).toMatchObject({ allowed: false, limit: 'unavailable' });
      await expect.poll(async () => (await childRateDecision(limiter, 'u', '9990000018')).allowed).toBe(true);
    } finally {
      await limiter.close();
      await redis.destroy();
    }
  });
});
