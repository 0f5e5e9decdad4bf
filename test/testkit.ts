import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, REPO_ROOT, startStack, type Stack } from '@macpt/dev';
import { generateWorld, type Child, type Household, type WorldOptions } from '@macpt/synthetic';

/** The world every end-to-end test runs on: small enough to seed in seconds, big enough for every case kind. */
export const E2E_WORLD: WorldOptions = { seed: 11, children: 10_000, asOf: new Date().toISOString().slice(0, 10) };

/** The purposes a user may state, written out here apart from `policies/` (the tests' own reading of DESIGN §4). */
export const PURPOSES = [
  'STRATEGY_DISCUSSION',
  'SECTION_47_ENQUIRY',
  'CHILD_PROTECTION_CONFERENCE',
  'CP_PLAN_REVIEW',
  'MASH_TRIAGE',
  'EMERGENCY',
  'IG_AUDIT',
];

/** A running system on free loopback ports over a fresh data folder, removed again by `stop()`. */
export async function startTestStack(
  env: Record<string, string> = {},
  gatewayEnv: Record<string, string> = {},
): Promise<Stack & { dataDir: string; stopAll: () => Promise<void> }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'macpt-e2e-'));
  const stack = await startStack({
    dataDir,
    world: E2E_WORLD,
    ports: 'free',
    logs: process.env.E2E_LOGS === '1' ? 'pretty' : 'quiet',
    env: { LOG_LEVEL: 'warn', ...env },
    gatewayEnv,
  });
  return {
    ...stack,
    dataDir,
    stopAll: async () => {
      await stack.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** The generator's households for {@link E2E_WORLD}: the ground truth the responses are checked against. */
export const households: Household[] = [...generateWorld(E2E_WORLD)];
export const children: Child[] = households.flatMap((h) => h.children);
export const householdOf = (child: Child): Household => households.find((h) => h.id === child.householdId)!;

/** A GraphQL response as the client sees it. */
export interface GraphQLResult<T = Record<string, unknown>> {
  status: number;
  data?: T | null;
  errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, unknown> }[];
}

/** POSTs a GraphQL operation to `url`. */
export async function gql<T = any>(
  url: string,
  query: string,
  variables: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): Promise<GraphQLResult<T>> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as Omit<GraphQLResult<T>, 'status'>;
  return { status: response.status, ...body };
}

/** POSTs a GraphQL operation to `url` and returns the answer with the gateway's `x-request-id` (to find its record). */
export async function gqlWithId<T = any>(
  url: string,
  query: string,
  variables: Record<string, unknown>,
  headers: Record<string, string>,
): Promise<GraphQLResult<T> & { requestId: string | null }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as Omit<GraphQLResult<T>, 'status'>;
  return { status: response.status, requestId: response.headers.get('x-request-id'), ...body };
}

/**
 * Waits, when fewer than `margin` ms of the current minute are left, for the next one to begin: rate limits
 * count fixed minutes, and a burst that straddled two would be counted half in each.
 */
export async function wellInsideAMinute(margin = 20_000): Promise<void> {
  const left = 60_000 - (Date.now() % 60_000);
  if (left < margin) await new Promise((r) => setTimeout(r, left + 200));
}

/** Headers of a request by `token` for `purpose` (and a break-glass justification). */
export function headers(token: string, purpose: string, justification?: string): Record<string, string> {
  return {
    authorization: `Bearer ${token}`,
    'x-purpose-of-use': purpose,
    ...(justification ? { 'x-justification': justification } : {}),
  };
}

/** A justification long enough for EMERGENCY. */
export const JUSTIFICATION = 'Child found alone at 2am; police on scene need the safeguarding picture now.';

/** The purpose of use a case at `stage` supports (the one a named worker would state). */
export const PURPOSE_FOR_STAGE: Record<string, string> = {
  REFERRAL: 'MASH_TRIAGE',
  STRATEGY_DISCUSSION: 'STRATEGY_DISCUSSION',
  SECTION_47: 'SECTION_47_ENQUIRY',
  CONFERENCE: 'CHILD_PROTECTION_CONFERENCE',
  CP_PLAN: 'CP_PLAN_REVIEW',
};

/** How a fault proxy treats requests: pass them on, delay them, answer garbage, or refuse the connection. */
export type ProxyMode =
  | { kind: 'pass' }
  | { kind: 'slow'; ms: number }
  | { kind: 'garbage' }
  | { kind: 'reset' }
  /** Holds every request to one path unanswered while the mode lasts (a feed that lags), passing the rest. */
  | { kind: 'hold'; path: string }
  /** Passes requests on, and rewrites the JSON answers to one path (an agency that answers wrongly). */
  | { kind: 'rewrite'; path: string; answer: (body: any) => unknown };

/** A loopback HTTP proxy in front of one agency that records what the gateway sends it and can inject faults. */
export async function startRecordingProxy(target: string): Promise<{
  url: string;
  requests: { path: string; headers: Record<string, string | string[] | undefined>; body: string }[];
  setTarget: (t: string) => void;
  setMode: (m: ProxyMode) => void;
  close: () => Promise<void>;
}> {
  let upstream = new URL(target);
  let mode: ProxyMode = { kind: 'pass' };
  const requests: { path: string; headers: Record<string, string | string[] | undefined>; body: string }[] = [];
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const path = new URL(req.url ?? '/', upstream).pathname;
    // The gateway's polls of the fact-change feed are its own heartbeat, not a request's: not recorded.
    if (path !== '/facts/changes') requests.push({ path, headers: req.headers, body });
    if (mode.kind === 'reset') return req.socket.destroy();
    while (mode.kind === 'hold' && mode.path === path) await new Promise((r) => setTimeout(r, 50));
    if (mode.kind === 'garbage')
      return res.writeHead(200, { 'content-type': 'application/json' }).end('<html>proxy error</html>');
    if (mode.kind === 'slow') await new Promise((r) => setTimeout(r, (mode as { ms: number }).ms));
    try {
      const forwarded = await fetch(new URL(req.url ?? '/', upstream), {
        method: req.method,
        headers: Object.fromEntries(
          Object.entries(req.headers)
            .filter(([k]) => k !== 'host' && k !== 'content-length' && k !== 'connection')
            .map(([k, v]) => [k, String(v)]),
        ),
        body: req.method === 'POST' ? body : undefined,
      });
      res.writeHead(forwarded.status, { 'content-type': forwarded.headers.get('content-type') ?? 'application/json' });
      const text = await forwarded.text();
      const m = mode;
      const rewritten =
        m.kind === 'rewrite' && new URL(req.url ?? '/', upstream).pathname === m.path && forwarded.ok
          ? JSON.stringify(m.answer(JSON.parse(text)))
          : text;
      res.end(rewritten);
    } catch {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}/graphql`,
    requests,
    setTarget: (t) => (upstream = new URL(t)),
    setMode: (m) => (mode = m),
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/**
 * For suites that watch or break each request's fact look-up: the gateway asks the agencies on every
 * request (the facts it keeps, watched by the agencies' change feeds, are tried in facts-staleness.test.ts).
 */
export const EVERY_REQUEST_ASKS = { FACTS_MAX_AGE_MS: '0' } as const;

/**
 * The test stack with a recording (and fault-injecting) proxy between the gateway and one agency;
 * `stopAll` stops both.
 */
export async function startTestStackBehindProxy(
  agency: string,
  env: Record<string, string> = {},
  gatewayEnv: Record<string, string> = {},
) {
  const proxy = await startRecordingProxy('http://127.0.0.1:9/graphql');
  try {
    const stack = await startTestStack(env, {
      ...gatewayEnv,
      [`${agency.toUpperCase().replace(/-/g, '_')}_URL`]: proxy.url,
    });
    proxy.setTarget(stack.subgraphUrls[agency]!);
    const stopAll = async () => {
      await stack.stopAll();
      await proxy.close();
    };
    return { stack: { ...stack, stopAll }, proxy };
  } catch (error) {
    await proxy.close();
    throw error;
  }
}

/**
 * A second gateway process over a running stack's agencies, with its own environment, trusting the
 * development issuer through a JWKS URL (as production does a real provider): for production mode; or,
 * with `devIssuer`, through the embedded issuer itself.
 */
export async function startExtraGateway(
  stack: Stack & { dataDir: string },
  env: Record<string, string>,
  options: { devIssuer?: boolean } = {},
) {
  const jwks = JSON.parse(readFileSync(join(stack.dataDir, 'keys', 'dev-issuer.public.json'), 'utf8'));
  const keys = createServer((_, res) =>
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [jwks] })),
  );
  await new Promise<void>((r) => keys.listen(0, '127.0.0.1', r));
  const port = env.PORT ? Number(env.PORT) : await freePort();
  const child = spawn(process.execPath, [join(REPO_ROOT, 'gateway/dist/main.js')], {
    env: {
      ...process.env,
      ...stack.env,
      PORT: String(port),
      // With `devIssuer`, the embedded issuer as `npm start` has it (the console's persona sign-in included).
      ...(options.devIssuer
        ? {}
        : {
            OIDC_ISSUER: 'urn:macpt:dev-issuer',
            OIDC_JWKS_URL: `http://127.0.0.1:${(keys.address() as { port: number }).port}/jwks.json`,
          }),
      // The file log is one process's (it refuses a second appender): an extra gateway without Redis keeps its own.
      ...(stack.env.REDIS_URL ? {} : { DISCLOSURE_LOG_FILE: join(stack.dataDir, `disclosure-log-${port}.jsonl`) }),
      ...env,
    },
    stdio: 'ignore',
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = `http://127.0.0.1:${port}/graphql`;
  for (let i = 0; i < 100; i++) {
    const ok = await fetch(url.replace('/graphql', '/health')).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    child,
    exited,
    stop: () => {
      child.kill('SIGTERM');
      keys.close();
    },
  };
}

/** An agency's internal-context secret in a running stack, as the gateway and that agency alone hold it. */
export function contextKeyOf(dataDir: string, agency: string): { kid: string; secret: Buffer } {
  const file = JSON.parse(readFileSync(join(dataDir, 'keys', `internal-context-${agency}.secret.json`), 'utf8')) as {
    kid: string;
    k: string;
  };
  return { kid: file.kid, secret: Buffer.from(file.k, 'base64url') };
}

/**
 * Records a change and its event in an agency's store as its own system would (`npm run -s event`);
 * `occurredAt` for something that happened earlier. Returns the CLI's exit status, output and errors.
 */
export function recordEvent(dataDir: string, agency: string, kind: string, nhsNumber: string, occurredAt?: string) {
  const args = [join(REPO_ROOT, 'dev/dist/bin/event.js'), agency, kind, nhsNumber];
  if (occurredAt) args.push('--occurred-at', occurredAt);
  const run = spawnSync(process.execPath, args, { env: { ...process.env, DATA_DIR: dataDir }, encoding: 'utf8' });
  return { status: run.status, stdout: run.stdout.trim(), stderr: run.stderr };
}
