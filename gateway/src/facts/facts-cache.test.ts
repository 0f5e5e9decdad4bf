import { describe, expect, it } from 'vitest';
import { FactsCache } from './facts-cache.js';

describe('the facts cache', () => {
  it('serves facts for less than its bound after they were asked for, then not', () => {
    let now = 1_000;
    const cache = new FactsCache<string>(5_000, 10, () => now);
    const asked = cache.begin();
    now += 300; // the answer came 300 ms after the question
    cache.keep('9990000018', 'facts', asked);
    now = 1_000 + 4_999;
    expect(cache.get('9990000018')).toBe('facts');
    // The bound counts from when the question left, not when the answer came.
    now = 1_000 + 5_000;
    expect(cache.get('9990000018')).toBeUndefined();
  });

  it('does not keep an answer asked for before the child was forgotten', () => {
    const cache = new FactsCache<string>(5_000);
    const before = cache.begin();
    cache.forget('9990000018');
    cache.keep('9990000018', 'stale', before);
    expect(cache.get('9990000018')).toBeUndefined();
    cache.keep('9990000018', 'fresh', cache.begin());
    cache.forget('9990000018');
    expect(cache.get('9990000018')).toBeUndefined();
  });

  it('keeps nothing when its bound is 0, and at most its size, dropping the oldest', () => {
    const off = new FactsCache<string>(0);
    off.keep('9990000018', 'facts', off.begin());
    expect(off.get('9990000018')).toBeUndefined();
    const small = new FactsCache<string>(5_000, 2);
    for (const n of ['a', 'b', 'c']) small.keep(n, n, small.begin());
    expect([small.get('a'), small.get('b'), small.get('c')]).toEqual([undefined, 'b', 'c']);
  });

  it('serves nothing kept under other policies: a publication may name another agency as a fact owner', () => {
    let generation = 1;
    const cache = new FactsCache<string>(5_000);
    cache.mergedUnder(() => generation);
    const asked = cache.begin();
    cache.keep('9990000018', 'facts', asked);
    expect(cache.get('9990000018')).toBe('facts');
    generation = 2;
    expect(cache.get('9990000018')).toBeUndefined();
    // An answer asked for under the old policies and arriving after the publication is not served either.
    cache.keep('9990000026', 'late', asked);
    expect(cache.get('9990000026')).toBeUndefined();
  });

  it('serves nothing while the change feeds do not vouch for it', () => {
    let fresh = true;
    const cache = new FactsCache<string>(5_000);
    cache.watchedBy(() => fresh);
    cache.keep('9990000018', 'facts', cache.begin());
    expect(cache.get('9990000018')).toBe('facts');
    fresh = false;
    expect(cache.get('9990000018')).toBeUndefined();
  });

  it('counts what it served, did not hold, refused for stale feeds, and why it dropped everything', () => {
    let fresh = true;
    const cache = new FactsCache<string>(5_000);
    cache.watchedBy(() => fresh);
    cache.keep('9990000018', 'facts', cache.begin());
    cache.get('9990000018');
    cache.get('9990000026');
    fresh = false;
    cache.get('9990000018');
    fresh = true;
    cache.forgetAll('agency-failed');
    cache.forgetAll('feed-reset');
    cache.get('9990000018');
    expect(cache.counts()).toEqual({
      served: 1,
      notKept: 2,
      feedsStale: 1,
      dropped: { 'agency-failed': 1, 'feed-reset': 1, 'feed-failed': 0 },
    });
  });
});
