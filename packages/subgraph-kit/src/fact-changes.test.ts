import { describe, expect, it } from 'vitest';
import { EVERY_CHILD, parseChangesRequest } from '@macpt/contract';
import { answerChanges, FactChanges, installFactChanges } from './fact-changes.js';
import { SqlStore } from './store.js';

function agency() {
  const store = new SqlStore(':memory:');
  store.db.exec(`
    CREATE TABLE child (nhs_number TEXT PRIMARY KEY, uprn TEXT);
    CREATE TABLE kase (id TEXT PRIMARY KEY, nhs_number TEXT, stage TEXT);
    CREATE TABLE worker (case_id TEXT, user_id TEXT);
    CREATE TABLE flag (uprn TEXT PRIMARY KEY);
  `);
  // Written before the feed is installed (a seeded store): not in the feed.
  store.db.prepare("INSERT INTO child VALUES ('9990000018', 'U1')").run();
  installFactChanges(store, {
    child: 'SELECT ROW.nhs_number AS s',
    kase: 'SELECT ROW.nhs_number AS s',
    worker: 'SELECT nhs_number AS s FROM kase WHERE id = ROW.case_id',
    flag: EVERY_CHILD,
  });
  return { store, feed: new FactChanges(store, 'test-agency') };
}

describe("an agency's fact-change feed", () => {
  it('names the children of every change made straight into the database, in order, from where the gateway is', () => {
    const { store, feed } = agency();
    const start = feed.since(null, null);
    expect(start).toMatchObject({ reset: true, subjects: [], position: 0 });
    store.db.prepare("INSERT INTO kase VALUES ('C1', '9990000026', 'SECTION_47')").run();
    store.db.prepare("INSERT INTO worker VALUES ('C1', 'lcpp-rutland')").run();
    store.db.prepare("DELETE FROM worker WHERE case_id = 'C1'").run();
    store.db.prepare("UPDATE child SET nhs_number = '9990000034' WHERE nhs_number = '9990000018'").run();
    const changes = feed.since(start.epoch, start.position);
    expect(changes).toMatchObject({ reset: false, position: 5 });
    expect(changes.subjects).toEqual(['9990000026', '9990000018', '9990000034']);
    expect(feed.since(start.epoch, changes.position).subjects).toEqual([]);
  });

  it('says a household flag may concern any child', () => {
    const { store, feed } = agency();
    const { epoch, position } = feed.since(null, null);
    store.db.prepare("INSERT INTO flag VALUES ('U1')").run();
    expect(feed.since(epoch, position).subjects).toEqual([EVERY_CHILD]);
  });

  it('tells a gateway from another numbering, or ahead of it, to forget everything', () => {
    const { store, feed } = agency();
    store.db.prepare("INSERT INTO flag VALUES ('U2')").run();
    expect(feed.since('another-epoch', 0)).toMatchObject({ reset: true, position: 1 });
    expect(feed.since(feed.epoch, 7)).toMatchObject({ reset: true, position: 1 });
    expect(feed.since(feed.epoch, 0)).toMatchObject({ reset: false, position: 1 });
  });

  it('answers a poll when a change arrives, or after the wait with none (a heartbeat)', async () => {
    const { store, feed } = agency();
    const { epoch, position } = feed.since(null, null);
    const started = Date.now();
    const heartbeat = await answerChanges(feed, { epoch, after: position, waitMs: 120 }, () => false);
    const took = Date.now() - started;
    expect(heartbeat).toMatchObject({ subjects: [], position, reset: false });
    expect(took).toBeGreaterThanOrEqual(100);
    // How long after the poll arrived the feed was read: the wait, never more than the poll took.
    expect(heartbeat.waitedMs).toBeGreaterThanOrEqual(100);
    expect(heartbeat.waitedMs).toBeLessThanOrEqual(took);
    setTimeout(() => store.db.prepare("INSERT INTO kase VALUES ('C2', '9990000042', 'REFERRAL')").run(), 30);
    const changed = await answerChanges(feed, { epoch, after: position, waitMs: 2_000 }, () => false);
    expect(changed.subjects).toEqual(['9990000042']);
    expect(changed.waitedMs).toBeGreaterThanOrEqual(20);
    expect(changed.waitedMs).toBeLessThan(2_000);
    // A change already there is answered at once: read as the poll arrived.
    expect((await answerChanges(feed, { epoch, after: position, waitMs: 2_000 }, () => false)).waitedMs).toBe(0);
  });

  it("answers every gateway's waiting poll at the one change, each from its own position; a closing agency at once", async () => {
    const { store, feed } = agency();
    const { epoch, position } = feed.since(null, null);
    store.db.prepare("INSERT INTO kase VALUES ('C1', '9990000026', 'REFERRAL')").run();
    const behind = position;
    const current = feed.position();
    const started = Date.now();
    const polls = [current, current, behind].map((after) =>
      answerChanges(feed, { epoch, after, waitMs: 3_000 }, () => false),
    );
    setTimeout(() => store.db.prepare("INSERT INTO kase VALUES ('C2', '9990000042', 'REFERRAL')").run(), 50);
    const answers = await Promise.all(polls);
    // The one behind is answered at once with what it missed; the others when the next change comes.
    expect(answers.map((a) => a.subjects)).toEqual([['9990000042'], ['9990000042'], ['9990000026']]);
    expect(Date.now() - started).toBeLessThan(1_000);
    let closing = false;
    const waiting = answerChanges(feed, { epoch, after: feed.position(), waitMs: 3_000 }, () => closing);
    setTimeout(() => (closing = true), 30);
    const closed = await waiting;
    expect(closed.subjects).toEqual([]);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('says an answer cut short is more to come, and vouches for no moment with it', async () => {
    const { store, feed } = agency();
    const { epoch, position } = feed.since(null, null);
    const insert = store.db.prepare('INSERT INTO kase VALUES (?, ?, ?)');
    store.db.transaction(() => {
      for (let i = 0; i < 5_001; i++) insert.run(`C${i}`, String(9990000000 + i), 'REFERRAL');
    })();
    const first = await answerChanges(feed, { epoch, after: position, waitMs: 1_000 }, () => false);
    expect(first.subjects).toHaveLength(5_000);
    expect(first.more).toBe(true);
    expect(first.waitedMs).toBeUndefined();
    const rest = await answerChanges(feed, { epoch, after: first.position, waitMs: 1_000 }, () => false);
    expect(rest.subjects).toEqual(['9990005000']);
    expect(rest.more).toBeUndefined();
    expect(rest.waitedMs).toBe(0);
  });

  it('refuses a malformed poll with what is wrong', () => {
    expect(parseChangesRequest({ epoch: null, after: -1 })).toMatch(/"after" must be a position/);
    expect(parseChangesRequest({ epoch: 5, after: 0 })).toMatch(/expected \{"epoch"/);
    expect(parseChangesRequest({ epoch: 'e', after: 3, waitMs: 60_000 })).toMatch(/"waitMs" must be 0 to 5000/);
    expect(parseChangesRequest({ epoch: 'e', after: 3 })).toEqual({ epoch: 'e', after: 3, waitMs: 0 });
  });
});
