import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { children, gql, headers, householdOf, startTestStack, startTestStackBehindProxy } from './testkit.js';

// The gateway keeps each child's complete agency facts while the agencies' change feeds vouch for them
// (issue #27: each agency's feed names the children whose facts changed, and each answer is a heartbeat;
// FACTS_MAX_STALENESS_MS bounds how old the last one may be). Tried from outside: the kept facts never carry
// one user's rights to another; a change at an agency, made straight into its database, reaches every
// decision within the bound; and a feed that lags or stops, or a gateway that restarts, changes nothing
// of that.

const BOUND_MS = 1_500;
/** Time for the requests themselves around the bound: a poll every 100 ms, each answered in well under a second. */
const SLACK_MS = 1_000;

const target = children.find(
  (c) =>
    c.socialCare?.stage === 'SECTION_47' &&
    c.health &&
    householdOf(c).confidentialBy === null &&
    c.socialCare.namedWorkers.filter((w) => w.startsWith('lcpp-')).length === 1,
)!;
const named = target.socialCare!.namedWorkers.find((w) => w.startsWith('lcpp-'))!;
/** An LCPP of another local authority: no relationship with the target. */
const stranger = children
  .find(
    (c) =>
      c.socialCare?.namedWorkers.some((w) => w.startsWith('lcpp-')) && householdOf(c).la !== householdOf(target).la,
  )!
  .socialCare!.namedWorkers.find((w) => w.startsWith('lcpp-'))!;
/** Another such child, for the agency that stops answering. */
const second = children.find(
  (c) =>
    c !== target &&
    c.socialCare?.stage === 'SECTION_47' &&
    c.health &&
    c.police &&
    householdOf(c).confidentialBy === null &&
    householdOf(c).id !== householdOf(target).id,
)!;
const VIEW = `query($n: ID!) { child(nhsNumber: $n) { health { name address aeAttendances { id } } } }`;

let stack: Awaited<ReturnType<typeof startTestStack>>;
const view = async (userId: string) =>
  gql(stack.gatewayUrl, VIEW, { n: target.nhsNumber }, headers(await stack.tokenFor(userId), 'SECTION_47_ENQUIRY'));
const codes = (r: { errors?: { extensions?: Record<string, unknown> }[] }) =>
  (r.errors ?? []).map((e) => `${e.extensions?.code}:${e.extensions?.rule ?? ''}`);

/** Polls until `done` holds, returning the milliseconds it took from `since`. */
async function msUntil(since: number, done: () => Promise<boolean>): Promise<number> {
  while (!(await done())) {
    if (Date.now() - since > BOUND_MS + 10_000) throw new Error('the change never reached the gateway');
    await new Promise((r) => setTimeout(r, 100));
  }
  return Date.now() - since;
}

beforeAll(async () => {
  stack = await startTestStack({}, { FACTS_MAX_STALENESS_MS: String(BOUND_MS) });
});
afterAll(async () => {
  await stack?.stopAll();
});

describe("the gateway's kept facts, watched by the agencies' change feeds", () => {
  it("never serve one user's rights to another: a stranger asking right after the named worker is refused", async () => {
    const first = await view(named);
    expect(first.errors).toBeUndefined();
    expect(first.data.child.health.name).toEqual(expect.any(String));
    // The same child's facts are now kept; the stranger's relationship is still derived for the stranger.
    const other = await view(stranger);
    expect(other.data?.child ?? null).toBeNull();
    expect(codes(other)).toContain('FORBIDDEN_BY_POLICY:NO_LEGITIMATE_RELATIONSHIP');
    const again = await view(named);
    expect(again.errors).toBeUndefined();
  });

  it('let a household flagged confidential reach every decision within the bound', async () => {
    expect((await view(named)).data.child.health.address).not.toBeNull();
    const police = new Database(join(stack.dataDir, 'police.db'));
    const changed = Date.now();
    police.prepare('INSERT INTO p_location_flag VALUES (?, ?)').run(householdOf(target).uprn, 'test: refuge');
    police.close();
    const took = await msUntil(changed, async () => {
      const r = await view(named);
      return r.data.child.health.address === null && codes(r).includes('FORBIDDEN_BY_POLICY:CONFIDENTIAL_LOCATION');
    });
    expect(took).toBeLessThan(BOUND_MS + SLACK_MS);
    // And it stays withheld: no answer kept from before the change comes back.
    for (let i = 0; i < 5; i++) expect((await view(named)).data.child.health.address).toBeNull();
  });

  it('let a named worker taken off the case lose what only named workers see within the bound', async () => {
    expect((await view(named)).data.child.health.aeAttendances).not.toBeNull();
    const socialCare = new Database(join(stack.dataDir, 'social-care.db'));
    const changed = Date.now();
    socialCare
      .prepare('DELETE FROM sc_case_worker WHERE case_id = ? AND user_id = ?')
      .run(target.socialCare!.caseId, named);
    socialCare.close();
    // Still in the LA's MACPT team: SAFEGUARDING is for the workers named on the case.
    const took = await msUntil(changed, async () =>
      codes(await view(named)).includes('FORBIDDEN_BY_POLICY:SAFEGUARDING_NAMED_WORKERS_ONLY'),
    );
    expect(took).toBeLessThan(BOUND_MS + SLACK_MS);
    for (let i = 0; i < 5; i++) expect((await view(named)).data.child.health.aeAttendances).toBeNull();
  });

  it('keep nothing across a restart: a change made while the gateway was down is in its first answer', async () => {
    const child = children.find(
      (c) =>
        c.socialCare?.stage === 'SECTION_47' &&
        c.health &&
        householdOf(c).confidentialBy === null &&
        householdOf(c).id !== householdOf(target).id &&
        householdOf(c).id !== householdOf(second).id &&
        c.socialCare.namedWorkers.some((w) => w.startsWith('lcpp-')),
    )!;
    const worker = child.socialCare!.namedWorkers.find((w) => w.startsWith('lcpp-'))!;
    const ask = async () =>
      gql(stack.gatewayUrl, VIEW, { n: child.nhsNumber }, headers(await stack.tokenFor(worker), 'SECTION_47_ENQUIRY'));
    expect((await ask()).data.child.health.address).not.toBeNull();
    await stack.stop('gateway');
    const health = new Database(join(stack.dataDir, 'health.db'));
    health.prepare('INSERT INTO h_location_flag VALUES (?, ?)').run(householdOf(child).uprn, 'test: S-flag');
    health.close();
    await stack.start('gateway');
    const after = await ask();
    expect(after.data.child.health.address).toBeNull();
    expect(codes(after)).toContain('FORBIDDEN_BY_POLICY:CONFIDENTIAL_LOCATION');
  });
});

describe('the kept facts when an agency stops answering', () => {
  let behind: Awaited<ReturnType<typeof startTestStackBehindProxy>>;
  beforeAll(async () => {
    behind = await startTestStackBehindProxy('police', {}, { FACTS_MAX_STALENESS_MS: String(BOUND_MS) });
  });
  afterAll(async () => {
    await behind?.stack.stopAll();
  });
  const viewOf = async (nhsNumber: string) =>
    gql(
      behind.stack.gatewayUrl,
      VIEW,
      { n: nhsNumber },
      headers(await behind.stack.tokenFor(named), 'SECTION_47_ENQUIRY'),
    );

  it("keeps a child's facts past the old 5 s while nothing changes: police are not asked again", async () => {
    expect((await viewOf(target.nhsNumber)).errors).toBeUndefined();
    // Once every feed has answered since the gateway started (each first answer forgets everything kept).
    await new Promise((r) => setTimeout(r, 1_000));
    await viewOf(target.nhsNumber);
    await new Promise((r) => setTimeout(r, 6_000));
    const before = behind.proxy.requests.filter((r) => r.path === '/facts').length;
    const again = await viewOf(target.nhsNumber);
    expect(again.errors).toBeUndefined();
    expect(behind.proxy.requests.filter((r) => r.path === '/facts').length).toBe(before);
  });

  it('stops serving kept facts within the bound when the feed lags: a flag set meanwhile reaches the decision', async () => {
    expect((await viewOf(target.nhsNumber)).data.child.health.address).toEqual(expect.any(String));
    // Police's feed stops answering (held at the proxy); its /facts still answers.
    behind.proxy.setMode({ kind: 'hold', path: '/facts/changes' });
    try {
      const police = new Database(join(behind.stack.dataDir, 'police.db'));
      const changed = Date.now();
      police.prepare('INSERT INTO p_location_flag VALUES (?, ?)').run(householdOf(target).uprn, 'test: refuge');
      police.close();
      const took = await msUntil(changed, async () => {
        const r = await viewOf(target.nhsNumber);
        return r.data.child.health.address === null && codes(r).includes('FORBIDDEN_BY_POLICY:CONFIDENTIAL_LOCATION');
      });
      expect(took).toBeLessThan(BOUND_MS + SLACK_MS);
    } finally {
      behind.proxy.setMode({ kind: 'pass' });
    }
    // The feed answers again, with the change: the flag stays.
    await new Promise((r) => setTimeout(r, 1_000));
    for (let i = 0; i < 3; i++) expect((await viewOf(target.nhsNumber)).data.child.health.address).toBeNull();
    const police = new Database(join(behind.stack.dataDir, 'police.db'));
    police.prepare('DELETE FROM p_location_flag WHERE uprn = ?').run(householdOf(target).uprn);
    police.close();
    await msUntil(Date.now(), async () => (await viewOf(target.nhsNumber)).data.child.health.address !== null);
  });

  it('drops every kept fact at the first failure: the next request for a child answered a moment ago is unverified', async () => {
    const before = await viewOf(target.nhsNumber);
    expect(before.errors).toBeUndefined();
    expect(before.data.child.health.address).toEqual(expect.any(String));
    behind.proxy.setMode({ kind: 'reset' });
    try {
      // Another child's look-up meets the failure (its facts were never kept)...
      const failing = await viewOf(second.nhsNumber);
      expect(codes(failing)).toContain('FORBIDDEN_BY_POLICY:LOCATION_FLAG_UNVERIFIED');
      // ...and the target's facts, kept from before, are not served any more: police may have flagged it.
      const after = await viewOf(target.nhsNumber);
      expect(after.data.child.health.address).toBeNull();
      expect(codes(after)).toContain('FORBIDDEN_BY_POLICY:LOCATION_FLAG_UNVERIFIED');
    } finally {
      behind.proxy.setMode({ kind: 'pass' });
    }
  });
});
