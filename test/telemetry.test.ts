import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  children,
  gql,
  headers,
  householdOf,
  PURPOSE_FOR_STAGE,
  startTestStack,
  startTestStackBehindProxy,
} from './testkit.js';

// Issue #17: OpenTelemetry traces from the gateway to every agency (W3C traceparent), exported over
// OTLP when configured; logs, traces and the disclosure log share the request id. Followed from
// outside: an OTLP/HTTP receiver of our own, the gateway's log lines, and the IG lead's view of the log.

interface Span {
  service: string;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  attributes: Record<string, string | number | boolean>;
}

/** A minimal OTLP/HTTP (JSON) trace receiver: keeps every span it is sent. */
function startReceiver(): Promise<{ server: Server; url: string; spans: Span[] }> {
  const spans: Span[] = [];
  type Value = { stringValue?: string; intValue?: string | number; boolValue?: boolean };
  const valueOf = (v: Value) => v.stringValue ?? (v.intValue !== undefined ? Number(v.intValue) : v.boolValue!);
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      for (const rs of body.resourceSpans ?? []) {
        const service = String(
          valueOf(rs.resource.attributes.find((a: { key: string }) => a.key === 'service.name').value),
        );
        for (const ss of rs.scopeSpans ?? [])
          for (const s of ss.spans ?? [])
            spans.push({
              service,
              traceId: s.traceId,
              spanId: s.spanId,
              parentSpanId: s.parentSpanId || undefined,
              name: s.name,
              attributes: Object.fromEntries(
                (s.attributes ?? []).map((a: { key: string; value: Value }) => [a.key, valueOf(a.value)]),
              ),
            });
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ server, url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, spans }),
    ),
  );
}

const child = children.find(
  (c) =>
    c.socialCare?.stage === 'SECTION_47' &&
    c.health &&
    c.police &&
    c.education &&
    householdOf(c).confidentialBy === null &&
    c.socialCare.namedWorkers.some((w) => w.startsWith('lcpp-')),
)!;
const lcpp = child.socialCare!.namedWorkers.find((w) => w.startsWith('lcpp-'))!;

let receiver: Awaited<ReturnType<typeof startReceiver>>;
let stack: Awaited<ReturnType<typeof startTestStack>>;

beforeAll(async () => {
  receiver = await startReceiver();
  // Every process exports to the receiver, in batches sent every 100 ms.
  stack = await startTestStack({
    OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
    OTEL_BSP_SCHEDULE_DELAY: '100',
    // The gateway's line per recorded request is written at info.
    LOG_LEVEL: 'info',
  });
});
afterAll(async () => {
  await stack?.stopAll();
  receiver?.server.close();
});

describe('one request followed through traces, logs and the disclosure log', () => {
  it('carries one trace from the gateway into every agency, naming the request and its disclosure record', async () => {
    const response = await fetch(stack.gatewayUrl, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...headers(await stack.tokenFor(lcpp), PURPOSE_FOR_STAGE[child.socialCare!.stage!]!),
      },
      body: JSON.stringify({
        query: `query($n: ID!) { child(nhsNumber: $n) { socialCare { name } health { name } police { name } education { name } } }`,
        variables: { n: child.nhsNumber },
      }),
    });
    expect(response.status).toBe(200);
    const requestId = response.headers.get('x-request-id')!;
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);

    // The disclosure record, as the IG lead reads it.
    const ig = headers(await stack.tokenFor('ig-social-care'), 'IG_AUDIT');
    const page = await gql(
      stack.gatewayUrl,
      `query($u: ID) { disclosures(first: 20, filter: { userId: $u }) { records { id requestId kind } } }`,
      { u: lcpp },
      ig,
    );
    const record = page.data.disclosures.records.find((r: { requestId: string }) => r.requestId === requestId);
    expect(record).toMatchObject({ kind: 'DISCLOSURE' });

    // The trace: the gateway's span names the request and the record; each agency's spans continue it.
    let root: Span | undefined;
    let inTrace: Span[] = [];
    for (let i = 0; i < 100; i++) {
      root = receiver.spans.find((s) => s.service === 'gateway' && s.attributes['macpt.request_id'] === requestId);
      inTrace = root ? receiver.spans.filter((s) => s.traceId === root!.traceId) : [];
      // Each agency exports its spans in its own batches: wait for both of each agency's (facts, entity fetch).
      const served = new Set(inTrace.map((s) => `${s.service} ${s.name}`));
      if (
        ['social-care', 'health', 'police', 'education'].every(
          (a) => served.has(`${a} POST /facts`) && served.has(`${a} POST /graphql`),
        )
      )
        break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(root).toBeDefined();
    expect(root!.attributes).toMatchObject({
      'macpt.request_id': requestId,
      'macpt.disclosure_record_id': record.id,
      'http.response.status_code': 200,
    });
    const gatewaySpans = new Set(inTrace.filter((s) => s.service === 'gateway').map((s) => s.spanId));
    for (const agency of ['social-care', 'health', 'police', 'education']) {
      const served = inTrace.filter((s) => s.service === agency);
      // The fact look-up and the entity fetch: each a child of a gateway span, naming the request.
      expect(served.map((s) => s.name)).toEqual(expect.arrayContaining(['POST /facts', 'POST /graphql']));
      for (const s of served) expect(gatewaySpans.has(s.parentSpanId!)).toBe(true);
      expect(served.find((s) => s.name === 'POST /graphql')!.attributes['macpt.request_id']).toBe(requestId);
    }

    // The gateway's log line for the request: the same request, record and trace.
    const line = stack.processes
      .get('gateway')!
      .recent.map((l) => {
        try {
          return JSON.parse(l.slice(l.indexOf('{')));
        } catch {
          return null;
        }
      })
      .find((l) => l?.requestId === requestId && l.msg === 'request answered and recorded');
    expect(line).toMatchObject({ record: record.id, trace_id: root!.traceId, outcome: 'DISCLOSED' });
  });

  it('sends no traceparent to an agency when no OTLP endpoint is configured', async () => {
    const plain = await startTestStackBehindProxy('health');
    try {
      const answer = await gql(
        plain.stack.gatewayUrl,
        `query($n: ID!) { child(nhsNumber: $n) { health { name } } }`,
        { n: child.nhsNumber },
        headers(await plain.stack.tokenFor(lcpp), PURPOSE_FOR_STAGE[child.socialCare!.stage!]!),
      );
      expect(answer.data!.child.health.name).toBe(child.name);
      expect(plain.proxy.requests.length).toBeGreaterThan(0);
      for (const r of plain.proxy.requests) expect(r.headers.traceparent).toBeUndefined();
    } finally {
      await plain.stack.stopAll();
    }
  });
});
