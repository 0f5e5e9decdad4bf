import { spawnSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { REPO_ROOT } from '@macpt/dev';
import { startRedisServer, type RedisServer } from '@macpt/kit/redis-server';
import { MACPT_TEAMS } from '@macpt/synthetic';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { children, gql, headers, householdOf, recordEvent, startTestStack } from './testkit.js';

// Notifications with real processes: an agency system records a change and its event in one transaction
// (`npm run -s event`), the agency's relay delivers it, the gateway's router tells whom the rules say.

let stack: Awaited<ReturnType<typeof startTestStack>>;
const onPlan = children.find(
  (c) => c.socialCare?.stage === 'CP_PLAN' && c.health && c.education?.schoolUrn && !householdOf(c).confidentialBy,
)!;
const named = onPlan.socialCare!.namedWorkers.find((w) => !w.startsWith('lcpp-'))!;
const la = householdOf(onPlan).la;
// A worker of another LA: no relationship with the child, told nothing.
const elsewhere = children.find((c) => (c.socialCare?.namedWorkers.length ?? 0) > 0 && householdOf(c).la !== la)!
  .socialCare!.namedWorkers[0]!;
/** A child police know, at a school whose DSL is a demo persona; in a confidential household or not. */
const pupilKnownToPolice = (confidentialHousehold: boolean) =>
  children.find(
    (c) =>
      c.police &&
      c.education?.schoolUrn &&
      Boolean(householdOf(c).confidentialBy) === confidentialHousehold &&
      stack.personas.some((p) => p.id === `dsl-${c.education!.schoolUrn}`),
  )!;

const INBOX = `query($unread: Boolean) { notifications(unreadOnly: $unread) { unread items { id rule event nhsNumber dueBy overdue recipient fields { name value } acknowledgedAt } } }`;

function event(agency: string, kind: string, nhsNumber: string): string {
  const run = recordEvent(stack.dataDir, agency, kind, nhsNumber);
  expect(run.stderr).toBe('');
  expect(run.status).toBe(0);
  return run.stdout;
}

async function inbox(persona: string, purpose = 'CP_PLAN_REVIEW') {
  const r = await gql(stack.gatewayUrl, INBOX, {}, headers(await stack.tokenFor(persona), purpose));
  expect(r.errors).toBeUndefined();
  return r.data.notifications as {
    unread: number;
    items: {
      id: string;
      rule: string;
      event: string;
      nhsNumber: string;
      dueBy: string;
      recipient: string;
      fields: { name: string; value: string }[];
    }[];
  };
}

const forEvent = async (persona: string, nhsNumber: string, rule: string) =>
  (await inbox(persona)).items.filter((i) => i.nhsNumber === nhsNumber && i.rule === rule);

/** Education's own system, taking Operation Encompass notifications by webhook: it fails twice, then accepts. */
const SECRET = 'a shared secret of at least thirty-two characters';
const received: { body: string; signature: string; key: string; status: number }[] = [];
/** While set, the school's system is down: it answers 503 to everything. */
let schoolDown = false;
const schoolSystem = createServer((req, res) => {
  let body = '';
  req.on('data', (d) => (body += d));
  req.on('end', () => {
    const status = received.length < 2 || schoolDown ? 503 : 200;
    received.push({
      body,
      signature: String(req.headers['x-macpt-signature']),
      key: String(req.headers['idempotency-key']),
      status,
    });
    res.writeHead(status).end();
  });
});

beforeAll(async () => {
  await new Promise<void>((r) => schoolSystem.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(schoolSystem.address() as { port: number }).port}/encompass`;
  stack = await startTestStack(
    {},
    {
      NOTIFICATION_WEBHOOKS: JSON.stringify([
        { name: 'education-mis', agency: 'education', url, secret: SECRET, rules: ['OPERATION_ENCOMPASS'] },
      ]),
    },
  );
}, 180_000);
afterAll(async () => {
  await stack?.stopAll();
  schoolSystem.close();
});

describe('notifications', () => {
  it('tells the LCPP and the named workers of an A&E attendance of a child on a plan, recorded in the log, and nobody else', async () => {
    const id = event('health', 'ae-attendance', onPlan.nhsNumber);
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    const lcpp = `lcpp-${la.toLowerCase()}`;
    await expect
      .poll(async () => (await forEvent(lcpp, onPlan.nhsNumber, 'CP_IS_UNSCHEDULED_CARE')).length, { timeout: 10_000 })
      .toBe(1);
    const [item] = await forEvent(lcpp, onPlan.nhsNumber, 'CP_IS_UNSCHEDULED_CARE');
    expect(item!.fields.map((f) => f.name)).toEqual(['date', 'hospital', 'injuryCode']);
    // The LCPP is reached as the LA's LCPP, and by name when also a named worker on the case: one item.
    expect([`role:LCPP:${la}:`, `user:${lcpp}`]).toContain(item!.recipient);
    // Recipients are delivered one after another: the named worker's item may land just after the LCPP's.
    await expect
      .poll(async () => (await forEvent(named, onPlan.nhsNumber, 'CP_IS_UNSCHEDULED_CARE')).length, { timeout: 10_000 })
      .toBe(1);
    expect(await forEvent(elsewhere, onPlan.nhsNumber, 'CP_IS_UNSCHEDULED_CARE')).toHaveLength(0);
    expect(
      await forEvent(`lcpp-${la === 'RUTLAND' ? 'leicester' : 'rutland'}`, onPlan.nhsNumber, 'CP_IS_UNSCHEDULED_CARE'),
    ).toHaveLength(0);

    // Each delivery is a disclosure record: IG finds it like any other.
    const ig = headers(await stack.tokenFor('ig-health'), 'IG_AUDIT');
    const records = await gql(
      stack.gatewayUrl,
      `query($n: ID) { disclosures(filter: { nhsNumber: $n, purpose: "NOTIFICATION" }) { records { kind operationName user { id } children { disclosed { agency fields } lawfulBasis { basis } } } } }`,
      { n: onPlan.nhsNumber },
      ig,
    );
    const kinds = records.data.disclosures.records.filter(
      (r: { operationName: string }) => r.operationName === 'CP_IS_UNSCHEDULED_CARE',
    );
    // The LA's LCPP as a role, not named, is a team member: SAFEGUARDING is for the named workers (the LCPP is one).
    expect(kinds.map((r: { user: { id: string } }) => r.user.id).sort()).toEqual(
      [...onPlan.socialCare!.namedWorkers].sort(),
    );
    expect(kinds[0].kind).toBe('NOTIFICATION');
    expect(kinds[0].children[0].disclosed).toEqual([
      {
        agency: 'health',
        fields: ['AeAttendance.date', 'AeAttendance.hospital', 'AeAttendance.injuryCode', 'HealthRecord.aeAttendances'],
      },
    ]);

    // Acknowledged by its reader; someone else's id answers as unknown.
    const ack = `mutation($id: ID!) { acknowledgeNotification(id: $id) { acknowledgedAt } }`;
    const done = await gql(
      stack.gatewayUrl,
      ack,
      { id: item!.id },
      headers(await stack.tokenFor(lcpp), 'CP_PLAN_REVIEW'),
    );
    expect(done.data.acknowledgeNotification.acknowledgedAt).toMatch(/^\d{4}-/);
    const stranger = await gql(
      stack.gatewayUrl,
      ack,
      { id: item!.id },
      headers(await stack.tokenFor(elsewhere), 'CP_PLAN_REVIEW'),
    );
    expect(stranger.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });

  it("tells the school's DSL of a domestic abuse incident, due before 08:00 on the next school day, with no location", async () => {
    const withPolice = pupilKnownToPolice(false);
    event('police', 'domestic-abuse-incident', withPolice.nhsNumber);
    const dsl = `dsl-${withPolice.education!.schoolUrn}`;
    await expect
      .poll(async () => (await forEvent(dsl, withPolice.nhsNumber, 'OPERATION_ENCOMPASS')).length, { timeout: 10_000 })
      .toBe(1);
    const [item] = await forEvent(dsl, withPolice.nhsNumber, 'OPERATION_ENCOMPASS');
    const due = new Date(item!.dueBy);
    expect([1, 2, 3, 4, 5]).toContain(due.getUTCDay());
    expect(due.getTime()).toBeGreaterThan(Date.now());
    expect(
      new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', hour: '2-digit', minute: '2-digit' }).format(due),
    ).toBe('08:00');
    expect(item!.fields.map((f) => f.name)).toEqual(['date', 'riskLevel']);

    // A household whose location is confidential: the notification still goes, and holds no address.
    const confidential = pupilKnownToPolice(true);
    event('police', 'domestic-abuse-incident', confidential.nhsNumber);
    const other = `dsl-${confidential.education!.schoolUrn}`;
    await expect
      .poll(async () => (await forEvent(other, confidential.nhsNumber, 'OPERATION_ENCOMPASS')).length, {
        timeout: 10_000,
      })
      .toBe(1);
    const text = JSON.stringify(await forEvent(other, confidential.nhsNumber, 'OPERATION_ENCOMPASS'));
    expect(text).not.toMatch(/address|postcode|location|home/i);

    // Education's own system gets each, signed, retried after its failures, accepted once per event.
    await expect.poll(() => received.filter((r) => r.status === 200).length, { timeout: 15_000 }).toBe(2);
    expect(received.slice(0, 2).map((r) => r.status)).toEqual([503, 503]);
    const accepted = received.filter((r) => r.status === 200);
    for (const r of accepted) {
      expect(r.signature).toBe(`sha256=${createHmac('sha256', SECRET).update(r.body).digest('hex')}`);
      expect(JSON.parse(r.body).idempotencyKey).toBe(r.key);
      expect(r.body).not.toMatch(/address|postcode|location|home/i);
    }
    expect(new Set(accepted.map((r) => r.key)).size).toBe(2);
    expect(accepted.map((r) => JSON.parse(r.body).nhsNumber).sort()).toEqual(
      [withPolice.nhsNumber, confidential.nhsNumber].sort(),
    );
    await new Promise((r) => setTimeout(r, 2_500)); // later scans send nothing again
    expect(received.filter((r) => r.status === 200)).toHaveLength(2);
  });

  it('decides a webhook delivery again as it leaves: a decision not to share made while it waited stops it', async () => {
    const pupils = children.filter(
      (c) =>
        c.police &&
        c.education?.schoolUrn &&
        !householdOf(c).confidentialBy &&
        c.socialCare?.stage === 'CP_PLAN' &&
        stack.personas.some((p) => p.id === `dsl-${c.education!.schoolUrn}`) &&
        MACPT_TEAMS[householdOf(c).la].some(
          (w) => w.role === 'MACPT_POLICE' && c.socialCare!.namedWorkers.includes(w.id),
        ) &&
        c !== pupilKnownToPolice(false),
    );
    const [covered, control] = pupils;
    expect(control, 'two pupils on a plan with a named officer').toBeDefined();
    const accepted = (n: string) => received.filter((r) => r.status === 200 && JSON.parse(r.body).nhsNumber === n);
    const tried = (n: string) => received.filter((r) => r.status === 503 && r.body.includes(n));
    schoolDown = true;
    event('police', 'domestic-abuse-incident', covered!.nhsNumber);
    await expect.poll(() => tried(covered!.nhsNumber).length, { timeout: 10_000 }).toBeGreaterThan(0);
    // While the school's system is down, police decide not to share what the notification is a record of.
    const officer = MACPT_TEAMS[householdOf(covered!).la].find(
      (w) => w.role === 'MACPT_POLICE' && covered!.socialCare!.namedWorkers.includes(w.id),
    )!.id;
    const decided = await gql(
      stack.gatewayUrl,
      `mutation($i: SharingDecisionInput!) { recordSharingDecision(input: $i) { id } }`,
      {
        i: {
          nhsNumber: covered!.nhsNumber,
          fields: ['Child.operationEncompass'],
          reason: 'PREJUDICE_TO_CRIMINAL_INVESTIGATION',
          reviewBy: new Date(Date.now() + 20 * 86_400_000).toISOString().slice(0, 10),
        },
      },
      headers(await stack.tokenFor(officer), 'CP_PLAN_REVIEW'),
    );
    expect(decided.errors).toBeUndefined();
    schoolDown = false;
    // The dispatcher is at work (a later event for another pupil arrives), and the covered one never does.
    event('police', 'domestic-abuse-incident', control!.nhsNumber);
    await expect.poll(() => accepted(control!.nhsNumber).length, { timeout: 15_000 }).toBe(1);
    await new Promise((r) => setTimeout(r, 5_000)); // past the covered delivery's next retry
    expect(accepted(covered!.nhsNumber)).toEqual([]);
    expect(await forEvent(`dsl-${covered!.education!.schoolUrn}`, covered!.nhsNumber, 'OPERATION_ENCOMPASS')).toEqual(
      [],
    );
  });

  it('loses nothing and duplicates nothing when the gateway is killed and the agency restarted', async () => {
    await stack.stop('gateway');
    const ids = [
      event('health', 'ae-attendance', onPlan.nhsNumber),
      event('health', 'ae-attendance', onPlan.nhsNumber),
    ];
    // The agency process is killed too, with its events in its outbox, and comes back.
    stack.processes.get('health')!.child.kill('SIGKILL');
    await stack.processes.get('health')!.exited;
    await stack.start('health');
    await stack.start('gateway');
    const lcpp = `lcpp-${la.toLowerCase()}`;
    await expect
      .poll(async () => (await forEvent(lcpp, onPlan.nhsNumber, 'CP_IS_UNSCHEDULED_CARE')).length, { timeout: 15_000 })
      .toBe(3);
    await new Promise((r) => setTimeout(r, 1_500)); // further relay rounds add nothing
    const items = await forEvent(lcpp, onPlan.nhsNumber, 'CP_IS_UNSCHEDULED_CARE');
    expect(items).toHaveLength(3);
    expect(new Set(items.map((i) => i.id)).size).toBe(3);
    expect(ids).toHaveLength(2);
  });

  it('tells a CP plan only to the named health practitioner, not every health practitioner of the LA', async () => {
    const child = children.find(
      (c) => c.socialCare?.stage === 'CP_PLAN' && c !== onPlan && c.health && !householdOf(c).confidentialBy,
    )!;
    const team = MACPT_TEAMS[householdOf(child).la];
    const named = team.find((w) => w.role === 'MACPT_HEALTH' && child.socialCare!.namedWorkers.includes(w.id))!.id;
    const notNamed = team.find((w) => w.role === 'MACPT_HEALTH' && !child.socialCare!.namedWorkers.includes(w.id))!.id;
    event('social-care', 'cp-plan-started', child.nhsNumber);
    await expect
      .poll(async () => (await forEvent(named, child.nhsNumber, 'CP_PLAN_CHANGE')).length, { timeout: 10_000 })
      .toBe(1);
    const [item] = await forEvent(named, child.nhsNumber, 'CP_PLAN_CHANGE');
    expect(item!.fields.map((f) => f.name).sort()).toEqual(['category', 'date']);
    expect(await forEvent(notNamed, child.nhsNumber, 'CP_PLAN_CHANGE')).toEqual([]);
  });

  it('decides an item again when it is read: a later decision not to share hides what it carried', async () => {
    const child = children.filter(
      (c) => c.socialCare?.stage === 'CP_PLAN' && c !== onPlan && c.health && !householdOf(c).confidentialBy,
    )[2]!;
    const team = MACPT_TEAMS[householdOf(child).la];
    const worker = team.find((w) => w.role === 'SOCIAL_WORKER' && child.socialCare!.namedWorkers.includes(w.id))!.id;
    const health = team.find((w) => w.role === 'MACPT_HEALTH' && child.socialCare!.namedWorkers.includes(w.id))!.id;
    event('health', 'ae-attendance', child.nhsNumber);
    await expect
      .poll(async () => (await forEvent(worker, child.nhsNumber, 'CP_IS_UNSCHEDULED_CARE')).length, { timeout: 10_000 })
      .toBe(1);
    const decided = await gql(
      stack.gatewayUrl,
      `mutation($i: SharingDecisionInput!) { recordSharingDecision(input: $i) { id } }`,
      {
        i: {
          nhsNumber: child.nhsNumber,
          fields: ['HealthRecord.aeAttendances'],
          reason: 'MORE_DETRIMENTAL_TO_CHILD',
          reviewBy: new Date(Date.now() + 20 * 86_400_000).toISOString().slice(0, 10),
        },
      },
      headers(await stack.tokenFor(health), 'CP_PLAN_REVIEW'),
    );
    expect(decided.errors).toBeUndefined();
    await expect
      .poll(async () => (await forEvent(worker, child.nhsNumber, 'CP_IS_UNSCHEDULED_CARE')).length, { timeout: 10_000 })
      .toBe(0);
    // Health's own practitioner, whom the decision does not bind, still has it.
    expect(await forEvent(health, child.nhsNumber, 'CP_IS_UNSCHEDULED_CARE')).toHaveLength(1);
  });

  it('shows operators Prometheus metrics on every process: records by outcome, circuits, the outbox backlog, no child data', async () => {
    const gateway = await (await fetch(stack.gatewayUrl.replace('/graphql', '/metrics'))).text();
    /** A sample's value: the line of `name` whose labels include every one given (in any order). */
    const value = (text: string, name: string, labels: Record<string, string>) =>
      Number(
        text
          .split('\n')
          .find((l) => l.startsWith(`${name}{`) && Object.entries(labels).every(([k, v]) => l.includes(`${k}="${v}"`)))
          ?.split(' ')
          .at(-1) ?? Number.NaN,
      );
    expect(
      value(gateway, 'macpt_disclosure_records_total', {
        kind: 'NOTIFICATION',
        outcome: 'DISCLOSED',
        process: 'gateway',
      }),
    ).toBeGreaterThan(0);
    expect(value(gateway, 'macpt_agency_circuit_open', { agency: 'health', process: 'gateway' })).toBe(0);
    expect(
      value(gateway, 'macpt_gateway_request_duration_seconds_count', { operation: 'other', status: '200' }),
    ).toBeGreaterThan(0);
    expect(value(gateway, 'macpt_disclosure_log_append_seconds_count', { process: 'gateway' })).toBeGreaterThan(0);
    // How fresh each agency's fact-change feed is: it answers every quarter-second, within the 2 s bound.
    const age = value(gateway, 'macpt_facts_feed_age_seconds', { agency: 'health', process: 'gateway' });
    expect(age).toBeGreaterThanOrEqual(0);
    expect(age).toBeLessThan(2);
    // What the kept facts did: every look-up counted by outcome, every drop by why (health was killed above).
    for (const outcome of ['served', 'not_kept', 'feeds_stale'])
      expect(value(gateway, 'macpt_facts_kept_lookups_total', { outcome, process: 'gateway' })).toBeGreaterThanOrEqual(
        0,
      );
    expect(
      value(gateway, 'macpt_facts_kept_lookups_total', { outcome: 'not_kept', process: 'gateway' }),
    ).toBeGreaterThan(0);
    for (const why of ['agency-failed', 'feed-reset', 'feed-failed'])
      expect(value(gateway, 'macpt_facts_kept_dropped_total', { why, process: 'gateway' })).toBeGreaterThanOrEqual(0);
    const health = await (await fetch(stack.subgraphUrls.health!.replace('/graphql', '/metrics'))).text();
    expect(value(health, 'macpt_outbox_pending', { process: 'health' })).toBe(0);
    expect(value(health, 'macpt_process_cpu_seconds_total', { process: 'health' })).toBeGreaterThan(0);
    // No child's NHS number (a metric's value may happen to hold the digits 999…, a label never should).
    for (const text of [gateway, health]) {
      expect(text).not.toContain(onPlan.nhsNumber);
      expect(text).not.toMatch(/="999\d{7}"/);
    }
  });

  it('refuses events not signed by their agency, and an unknown agency', async () => {
    const post = (events: unknown) =>
      fetch(stack.gatewayUrl.replace('/graphql', '/notifications/events'), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ events }),
      });
    expect((await post('not-a-token')).status).toBe(400);
    const { SignJWT } = await import('jose');
    const forged = await new SignJWT({ agency: 'health', events: [] })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer('events:health')
      .setIssuedAt()
      .sign(new TextEncoder().encode('a secret nobody registered'));
    const refused = await post(forged);
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('BAD_SIGNATURE');
  });
});

describe('notifications on Redis', () => {
  let redis: RedisServer;
  let onRedis: Awaited<ReturnType<typeof startTestStack>>;
  beforeAll(async () => {
    redis = await startRedisServer();
    onRedis = await startTestStack({ REDIS_URL: redis.url });
  }, 180_000);
  afterAll(async () => {
    await onRedis?.stopAll();
    await redis?.destroy();
  });

  it('holds events while Redis is killed (no record, no delivery) and delivers each once when it is back', async () => {
    const lcpp = `lcpp-${la.toLowerCase()}`;
    const count = async () => {
      const r = await gql(onRedis.gatewayUrl, INBOX, {}, headers(await onRedis.tokenFor(lcpp), 'CP_PLAN_REVIEW'));
      return (r.data?.notifications?.items ?? []).filter(
        (i: { nhsNumber: string; rule: string }) =>
          i.nhsNumber === onPlan.nhsNumber && i.rule === 'CP_IS_UNSCHEDULED_CARE',
      ).length as number;
    };
    const emit = () =>
      spawnSync(
        process.execPath,
        [join(REPO_ROOT, 'dev/dist/bin/event.js'), 'health', 'ae-attendance', onPlan.nhsNumber],
        {
          env: { ...process.env, DATA_DIR: onRedis.dataDir },
          encoding: 'utf8',
        },
      ).status;
    expect(emit()).toBe(0);
    await expect.poll(count, { timeout: 10_000 }).toBe(1);

    await redis.kill();
    expect(emit()).toBe(0);
    expect(emit()).toBe(0);
    await new Promise((r) => setTimeout(r, 2_000)); // the relay tries, the router cannot record: they wait
    await redis.start();
    await expect.poll(count, { timeout: 20_000 }).toBe(3);
    await new Promise((r) => setTimeout(r, 1_500));
    expect(await count()).toBe(3);
  });
});
