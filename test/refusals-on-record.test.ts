import { FileDisclosureStore } from '@macpt/gateway/disclosure';
import { request } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  children,
  gql,
  headers,
  householdOf,
  JUSTIFICATION,
  recordEvent,
  startExtraGateway,
  startTestStack,
  wellInsideAMinute,
} from './testkit.js';

// Every answer names its record (DESIGN §6), wherever the request is refused: before execution, by
// Apollo Server itself, by a download route; and every break-glass attempt, refused or not, waits in
// IG's review queue and can be reviewed (DESIGN §4). When the refusal cannot be recorded, the answer
// is 503 DISCLOSURE_LOG_UNAVAILABLE, as for an answer with data.

let stack: Awaited<ReturnType<typeof startTestStack>>;
/** A gateway that runs registered operations only, over its own file log. */
let trusted: Awaited<ReturnType<typeof startExtraGateway>>;
/** A gateway whose log refuses every write. */
let unwritable: Awaited<ReturnType<typeof startExtraGateway>>;

const RATE_LIMIT = 30;
const child = children.find((c) => c.socialCare?.stage === 'SECTION_47' && c.police)!;
const VIEW = `query($n: ID!) { child(nhsNumber: $n) { health { name } police { incidents { date } } } }`;
const DEEP = `query($n: ID!) { child(nhsNumber: $n) { socialCare { currentCase { child { socialCare { currentCase { child { socialCare { currentCase { child { nhsNumber } } } } } } } } } } }`;

beforeAll(async () => {
  stack = await startTestStack({}, { RATE_LIMIT_REQUESTS_PER_MINUTE: String(RATE_LIMIT) });
  [trusted, unwritable] = await Promise.all([
    startExtraGateway(stack, { TRUSTED_DOCUMENTS: 'required' }),
    // /dev/full accepts the open and refuses every write.
    startExtraGateway(stack, { DISCLOSURE_LOG_FILE: '/dev/full' }),
  ]);
});
afterAll(async () => {
  trusted?.stop();
  unwritable?.stop();
  await stack?.stopAll();
});

/** An answer as the client sees it: status, request id, and the first error's code. */
interface Sent {
  status: number;
  requestId: string | null;
  code: unknown;
  text: string;
}

/** Sends one request over Node's own client (a 413 or a 431 answers before the request is all sent). */
function send(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<Sent> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: options.method ?? 'POST', headers: { 'content-type': 'application/json', ...options.headers } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => {
          let code: unknown = null;
          try {
            code = (JSON.parse(text) as { errors?: { extensions?: { code?: unknown } }[] }).errors?.[0]?.extensions
              ?.code;
          } catch {}
          resolve({ status: res.statusCode!, requestId: (res.headers['x-request-id'] as string) ?? null, code, text });
        });
      },
    );
    // The server may close the connection on a refused upload before it is all sent: the answer came first.
    req.on('error', (error) => (req.destroyed ? undefined : reject(error)));
    req.end(options.body);
  });
}

const post = (url: string, h: Record<string, string>, body: unknown) =>
  send(url, { headers: h, body: JSON.stringify(body) });

let readers = 0;
/** An IG lead of `agency`: a fresh user each time, so that reading the log never meets the rate limit. */
const igOf = async (agency: string) =>
  headers(await stack.tokenFor(`ig-${agency}`, { claims: { sub: `ig-${agency}-reader-${++readers}` } }), 'IG_AUDIT');

const RECORD = `id requestId kind outcome reason breakGlass purpose justification user { id role agency }`;

/** The record a request id names, as an IG lead of `agency` finds it through the IG API. */
async function recordOf(requestId: string | null, agency: string) {
  expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
  const page = await gql(
    stack.gatewayUrl,
    `{ disclosures(first: 200) { records { ${RECORD} } } }`,
    {},
    await igOf(agency),
  );
  return page.data.disclosures.records.find((r: { requestId: string }) => r.requestId === requestId) ?? null;
}

/** The entry of IG's break-glass review queue for a request id, whatever its status. */
async function queued(requestId: string | null, agency: string) {
  const queue = await gql(
    stack.gatewayUrl,
    `{ breakGlassReviews(status: ALL, first: 200) { status record { ${RECORD} } } }`,
    {},
    await igOf(agency),
  );
  return (
    queue.data.breakGlassReviews.find((e: { record: { requestId: string } }) => e.record.requestId === requestId) ??
    null
  );
}

describe('break-glass refused before execution is on the record and in the review queue', () => {
  const officer = async (justification = JUSTIFICATION) =>
    headers(await stack.tokenFor('police-leicester-1'), 'EMERGENCY', justification);
  const LONG = `${JUSTIFICATION} ${'and more '.repeat(200)}`.trim();

  it.each([
    [
      'too short a justification',
      async () => post(stack.gatewayUrl, await officer('urgent'), { query: VIEW, variables: { n: child.nhsNumber } }),
      [400, 'JUSTIFICATION_REQUIRED'],
      'urgent',
    ],
    [
      'a hostile document (too deep)',
      async () => post(stack.gatewayUrl, await officer(), { query: DEEP, variables: { n: child.nhsNumber } }),
      [400, 'OPERATION_LIMIT_EXCEEDED'],
      JUSTIFICATION,
    ],
    [
      'a body over 2 MiB (413), its justification kept to 1,000 characters',
      async () =>
        post(stack.gatewayUrl, await officer(LONG), {
          query: VIEW,
          variables: { n: child.nhsNumber },
          pad: 'x'.repeat(3 * 1024 * 1024),
        }),
      [413, 'BAD_USER_INPUT', 'REQUEST_BODY_TOO_LARGE'],
      LONG.slice(0, 1000),
    ],
    [
      'headers over 32 KiB (431), read from as much of the head as arrived',
      async () =>
        send(stack.gatewayUrl, {
          headers: { ...(await officer()), 'x-padding': 'x'.repeat(40 * 1024) },
          body: JSON.stringify({ query: VIEW, variables: { n: child.nhsNumber } }),
        }),
      [431, 'BAD_USER_INPUT', 'REQUEST_HEADERS_TOO_LARGE'],
      JUSTIFICATION,
    ],
  ] as const)('%s', async (_, run, [status, code, reason], justification) => {
    const sent = await run();
    expect([sent.status, sent.code]).toEqual([status, code]);
    const expected = {
      kind: 'REFUSAL',
      reason: reason ?? code,
      breakGlass: true,
      purpose: 'EMERGENCY',
      justification,
      user: { id: 'police-leicester-1', agency: 'police' },
    };
    expect(await recordOf(sent.requestId, 'police')).toMatchObject(expected);
    expect(await queued(sent.requestId, 'police')).toMatchObject({ status: 'PENDING', record: expected });
  });

  it('a rate limit', async () => {
    // A user of their own, so that no other test meets the limit.
    const token = await stack.tokenFor('police-leicester-1', { claims: { sub: 'police-rate-limited' } });
    await wellInsideAMinute();
    for (let i = 0; i < RATE_LIMIT; i++)
      expect(
        (await post(stack.gatewayUrl, headers(token, 'STRATEGY_DISCUSSION'), { query: '{ __typename }' })).status,
      ).toBe(200);
    const sent = await post(stack.gatewayUrl, headers(token, 'EMERGENCY', JUSTIFICATION), {
      query: VIEW,
      variables: { n: child.nhsNumber },
    });
    expect([sent.status, sent.code]).toEqual([429, 'RATE_LIMITED']);
    const expected = { kind: 'REFUSAL', reason: 'RATE_LIMITED', breakGlass: true, justification: JUSTIFICATION };
    expect(await recordOf(sent.requestId, 'police')).toMatchObject({
      ...expected,
      user: { id: 'police-rate-limited' },
    });
    expect(await queued(sent.requestId, 'police')).toMatchObject({ status: 'PENDING', record: expected });
    // Told so, this gateway refuses the user's next request at once, on the record too.
    const next = await post(stack.gatewayUrl, headers(token, 'STRATEGY_DISCUSSION'), { query: '{ __typename }' });
    expect([next.status, next.code]).toEqual([429, 'RATE_LIMITED']);
    expect(await recordOf(next.requestId, 'police')).toMatchObject({ kind: 'REFUSAL', reason: 'RATE_LIMITED' });
  });

  it('an unregistered document where only registered ones run (read back from that gateway’s log)', async () => {
    const sent = await post(trusted.url, await officer(), { query: VIEW, variables: { n: child.nhsNumber } });
    expect([sent.status, sent.code]).toEqual([400, 'TRUSTED_DOCUMENT_REQUIRED']);
    // Read as an auditor would, through the log's own reader (records are stored compact: parts by id).
    const log = new FileDisclosureStore(join(stack.dataDir, `disclosure-log-${new URL(trusted.url).port}.jsonl`));
    const records = await log.query({}, 10_000);
    await log.close();
    expect(records.find((r) => r.requestId === sent.requestId)).toMatchObject({
      kind: 'REFUSAL',
      reason: 'TRUSTED_DOCUMENT_REQUIRED',
      breakGlass: true,
      justification: JUSTIFICATION,
    });
  });

  it.each([
    ['a school DSL', 'SCHOOL_DSL', 'education'],
    ['an IG lead', 'IG_LEAD', 'police'],
  ])(
    '%s stating EMERGENCY (BREAK_GLASS_NOT_PERMITTED), and an IG lead reviews the refusal',
    async (_, role, agency) => {
      const persona = role === 'IG_LEAD' ? 'ig-police' : stack.personas.find((p) => p.role === role)!.id;
      const sent = await post(stack.gatewayUrl, headers(await stack.tokenFor(persona), 'EMERGENCY', JUSTIFICATION), {
        query: VIEW,
        variables: { n: child.nhsNumber },
      });
      expect([sent.status, sent.code]).toEqual([403, 'BREAK_GLASS_NOT_PERMITTED']);
      const entry = await queued(sent.requestId, agency);
      expect(entry).toMatchObject({
        status: 'PENDING',
        record: { kind: 'REFUSAL', outcome: 'BREAK_GLASS_REFUSED', breakGlass: true, user: { role } },
      });
      const reviewed = await gql(
        stack.gatewayUrl,
        `mutation($id: ID!) { reviewBreakGlass(id: $id, outcome: INAPPROPRIATE, note: "Not a MACPT member; spoken to about break-glass.") { status review { kind review { recordId outcome } } } }`,
        { id: entry.record.id },
        await igOf(agency),
      );
      expect(reviewed.errors).toBeUndefined();
      expect(reviewed.data.reviewBreakGlass).toMatchObject({
        status: 'REVIEWED',
        review: { kind: 'BREAK_GLASS_REVIEW', review: { recordId: entry.record.id, outcome: 'INAPPROPRIATE' } },
      });
      expect(await queued(sent.requestId, agency)).toMatchObject({ status: 'REVIEWED' });
    },
  );
});

describe('refusals outside the pipeline’s stages are on the record too', () => {
  const practitioner = async (purpose = 'STRATEGY_DISCUSSION') =>
    headers(await stack.tokenFor('police-leicester-1'), purpose);
  const base = () => stack.gatewayUrl.replace(/\/graphql$/, '');

  it.each([
    [
      'a batch of operations (Apollo: batching disabled)',
      async () =>
        post(stack.gatewayUrl, await practitioner(), [{ query: '{ __typename }' }, { query: '{ __typename }' }]),
      [400, 'BAD_REQUEST'],
      'police-leicester-1',
    ],
    [
      'a simple request Apollo refuses as a possible CSRF',
      async () =>
        send(stack.gatewayUrl, {
          headers: { ...(await practitioner()), 'content-type': 'text/plain' },
          body: JSON.stringify({ query: '{ __typename }' }),
        }),
      [400, 'BAD_REQUEST'],
      'police-leicester-1',
    ],
    [
      'a subject-access CSV asked for by a practitioner',
      async () =>
        send(`${base()}/audit/subject-access.csv?nhsNumber=${child.nhsNumber}`, {
          method: 'GET',
          headers: await practitioner('IG_AUDIT'),
        }),
      [403, 'FORBIDDEN_BY_POLICY'],
      'police-leicester-1',
    ],
    [
      'a subject-access FHIR bundle for a malformed NHS number',
      async () =>
        send(`${base()}/audit/subject-access.fhir.json?nhsNumber=12345`, {
          method: 'GET',
          headers: headers(await stack.tokenFor('ig-police'), 'IG_AUDIT'),
        }),
      [400, 'BAD_USER_INPUT'],
      'ig-police',
    ],
    [
      'a subject-access CSV without a token',
      async () => send(`${base()}/audit/subject-access.csv?nhsNumber=${child.nhsNumber}`, { method: 'GET' }),
      [401, 'UNAUTHENTICATED'],
      null,
    ],
  ] as const)('%s', async (_, run, [status, code], user) => {
    const sent = await run();
    expect([sent.status, sent.code]).toEqual([status, code]);
    expect(await recordOf(sent.requestId, 'police')).toMatchObject({
      kind: 'REFUSAL',
      reason: code,
      breakGlass: false,
      user: user ? { id: user } : null,
    });
  });

  it('a subject-access download that is sent names its record', async () => {
    const sent = await send(`${base()}/audit/subject-access.csv?nhsNumber=${child.nhsNumber}`, {
      method: 'GET',
      headers: headers(await stack.tokenFor('ig-police'), 'IG_AUDIT'),
    });
    expect(sent.status).toBe(200);
    expect(await recordOf(sent.requestId, 'police')).toMatchObject({ kind: 'IG_QUERY', user: { id: 'ig-police' } });
  });

  it('an answer that says nothing about any child (an empty inbox) names its record too', async () => {
    const sent = await post(
      stack.gatewayUrl,
      headers(await stack.tokenFor('police-leicester-1'), 'STRATEGY_DISCUSSION'),
      { query: '{ notifications { unread items { id } } }' },
    );
    expect([sent.status, JSON.parse(sent.text).data.notifications]).toEqual([200, { unread: 0, items: [] }]);
    expect(await recordOf(sent.requestId, 'police')).toMatchObject({
      kind: 'DISCLOSURE',
      outcome: 'NOTHING_DISCLOSED',
      user: { id: 'police-leicester-1' },
    });
  });
});

describe('a refusal that cannot be recorded is DISCLOSURE_LOG_UNAVAILABLE (503), with its request id', () => {
  const officer = async (justification = JUSTIFICATION) =>
    headers(await stack.tokenFor('police-leicester-1'), 'EMERGENCY', justification);

  it.each([
    [
      'too short a justification',
      async () => post(unwritable.url, await officer('urgent'), { query: VIEW, variables: { n: child.nhsNumber } }),
    ],
    [
      'a hostile document',
      async () => post(unwritable.url, await officer(), { query: DEEP, variables: { n: child.nhsNumber } }),
    ],
    [
      'a malformed NHS number',
      async () =>
        post(unwritable.url, headers(await stack.tokenFor('police-leicester-1'), 'STRATEGY_DISCUSSION'), {
          query: `{ child(nhsNumber: "12345") { nhsNumber } }`,
        }),
    ],
    [
      'a batch',
      async () => post(unwritable.url, await officer(), [{ query: '{ __typename }' }, { query: '{ __typename }' }]),
    ],
    ['a body that is not JSON', async () => send(unwritable.url, { headers: await officer(), body: '{"query":' })],
    [
      'headers over 32 KiB',
      async () =>
        send(unwritable.url, { headers: { ...(await officer()), 'x-padding': 'x'.repeat(40 * 1024) }, body: '{}' }),
    ],
    [
      'a subject-access CSV asked for by a practitioner',
      async () =>
        send(`${unwritable.url.replace(/\/graphql$/, '')}/audit/subject-access.csv?nhsNumber=${child.nhsNumber}`, {
          method: 'GET',
          headers: headers(await stack.tokenFor('police-leicester-1'), 'IG_AUDIT'),
        }),
    ],
  ])('%s', async (_, run) => {
    const sent = await run();
    expect([sent.status, sent.code]).toEqual([503, 'DISCLOSURE_LOG_UNAVAILABLE']);
    expect(sent.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(sent.text).not.toContain(child.nhsNumber);
  });
});

describe('a request that acts, past its user’s rate limit', () => {
  it('does not act: acknowledging a notification is refused (429) and the item stays unread; the stream is refused too', async () => {
    // A pupil police know, at a school whose DSL is a persona: Operation Encompass tells the school's DSL role.
    const pupil = children.find(
      (c) =>
        c.police &&
        c.education?.schoolUrn &&
        !householdOf(c).confidentialBy &&
        stack.personas.some((p) => p.id === `dsl-${c.education!.schoolUrn}`),
    )!;
    const dsl = `dsl-${pupil.education!.schoolUrn}`;
    const run = recordEvent(stack.dataDir, 'police', 'domestic-abuse-incident', pupil.nhsNumber);
    expect(run.status).toBe(0);
    const INBOX = `{ notifications { items { id nhsNumber recipient acknowledgedAt } } }`;
    const items = async () =>
      (
        await gql(stack.gatewayUrl, INBOX, {}, headers(await stack.tokenFor(dsl), 'CP_PLAN_REVIEW'))
      ).data.notifications.items.filter((i: { nhsNumber: string }) => i.nhsNumber === pupil.nhsNumber);
    await expect.poll(async () => (await items()).length, { timeout: 10_000 }).toBeGreaterThan(0);
    const [item] = await items();
    expect(item.recipient).toMatch(/^role:SCHOOL_DSL:/);
    // Another DSL of the school, of their own, uses up the minute's requests; this gateway has not been told so.
    const token = await stack.tokenFor(dsl, { claims: { sub: 'dsl-acting-past-limit' } });
    await wellInsideAMinute();
    for (let i = 0; i < RATE_LIMIT; i++)
      expect((await post(stack.gatewayUrl, headers(token, 'CP_PLAN_REVIEW'), { query: '{ __typename }' })).status).toBe(
        200,
      );
    const ack = await post(stack.gatewayUrl, headers(token, 'CP_PLAN_REVIEW'), {
      query: `mutation($id: ID!) { acknowledgeNotification(id: $id) { acknowledgedAt } }`,
      variables: { id: item.id },
    });
    expect([ack.status, ack.code]).toEqual([429, 'RATE_LIMITED']);
    expect((await items())[0].acknowledgedAt).toBeNull();
    const stream = await fetch(stack.gatewayUrl.replace('/graphql', '/notifications/stream'), {
      headers: headers(token, 'CP_PLAN_REVIEW'),
    });
    expect(stream.status).toBe(429);
    await stream.body?.cancel();
  });
});
