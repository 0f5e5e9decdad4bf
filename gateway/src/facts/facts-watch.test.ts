import type { FactChangesAnswer, FactChangesRequest } from '@macpt/contract';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { FactsClient } from './facts-client.js';
import { FactsWatch } from './facts-watch.js';

/**
 * The watch's arithmetic of freshness, on a clock of its own: an agency's answer counts as fresh from when the
 * poll was sent plus how long the agency says it waited before reading its feed, never past its arrival.
 */
function watching(answers: ((asked: FactChangesRequest) => { after: number; answer: Partial<FactChangesAnswer> })[]) {
  let now = 10_000;
  const forgotten: string[] = [];
  let polls = 0;
  let hanging: ((error: Error) => void) | null = null;
  const client = {
    agencies: ['health'],
    async changes(_agency: string, asked: FactChangesRequest): Promise<FactChangesAnswer> {
      const next = answers[polls++];
      // The next poll waits until the watch stops.
      if (!next) return new Promise((_, reject) => (hanging = reject));
      const { after, answer } = next(asked);
      now += after;
      return { agency: 'health', epoch: 'e1', position: 1, subjects: [], reset: false, ...answer };
    },
  } as unknown as FactsClient;
  const watch = new FactsWatch({
    client,
    headersFor: async () => ({}),
    cache: { forget: (n) => forgotten.push(n), forgetAll: (why) => forgotten.push(`all:${why}`) },
    maxStalenessMs: 2_000,
    logger: pino({ level: 'silent' }),
    now: () => now,
    heartbeatMs: 250,
  });
  const stop = async () => {
    const stopped = watch.stop();
    hanging?.(new Error('stopped'));
    await stopped;
  };
  return { watch, forgotten, advance: (ms: number) => (now += ms), polls: () => polls, stop };
}

const settle = () => new Promise((r) => setTimeout(r, 10));

describe('the fact-change watch', () => {
  it("counts an answer fresh from the poll's sending plus the agency's wait, never past its arrival", async () => {
    const { watch, advance, polls, stop } = watching([
      // Sent at 10,000; the agency read its feed 250 ms after the poll arrived; the answer arrived 900 ms after sending.
      () => ({ after: 900, answer: { waitedMs: 250 } }),
    ]);
    watch.start();
    await settle();
    expect(polls()).toBe(2);
    // Fresh as of 10,250: 650 ms old on arrival (10,900), not 900.
    expect(watch.ages()).toEqual({ health: 0.65 });
    expect(watch.fresh()).toBe(true);
    advance(1_349);
    expect(watch.fresh()).toBe(true);
    advance(1);
    expect(watch.fresh()).toBe(false);
    await stop();
  });

  it('never counts an answer fresher than its arrival, whatever the agency says it waited', async () => {
    const { watch, stop } = watching([() => ({ after: 300, answer: { waitedMs: 60_000 } })]);
    watch.start();
    await settle();
    expect(watch.ages()).toEqual({ health: 0 });
    await stop();
  });

  it('counts an answer without a wait (an older agency) as fresh from its sending alone', async () => {
    const { watch, stop } = watching([() => ({ after: 400, answer: {} })]);
    watch.start();
    await settle();
    expect(watch.ages()).toEqual({ health: 0.4 });
    await stop();
  });

  it('counts an answer cut short (more to come) no fresher, and the next whole one as usual', async () => {
    const { watch, advance, stop } = watching([
      () => ({ after: 100, answer: { waitedMs: 50 } }),
      () => ({ after: 1_000, answer: { subjects: ['9990000018'], more: true, waitedMs: 900 } }),
    ]);
    watch.start();
    await settle();
    // Fresh as of the first answer (10,050), not the second: 1.05 s old when the second arrived at 11,100.
    expect(watch.ages()).toEqual({ health: 1.05 });
    advance(949);
    expect(watch.fresh()).toBe(true);
    advance(1);
    expect(watch.fresh()).toBe(false);
    await stop();
  });

  it('forgets the children an answer names, and everything on a reset', async () => {
    const { watch, forgotten, stop } = watching([
      () => ({ after: 10, answer: { subjects: ['9990000018'] } }),
      () => ({ after: 10, answer: { reset: true } }),
    ]);
    watch.start();
    await settle();
    expect(forgotten).toEqual(['9990000018', 'all:feed-reset']);
    await stop();
  });
});
