import { describe, expect, it } from 'vitest';
import { MemoryRateLimiter } from './rate-limit.js';

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
    expect(await limiter.child('u', 'c')).toMatchObject({ allowed: false, limit: 'childrenPerHour', message: expect.stringMatching(/bulk export/) });
  });
});
