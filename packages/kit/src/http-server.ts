import {
  createServer,
  STATUS_CODES,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { HeaderMap, type ApolloServer, type BaseContext } from '@apollo/server';
import { siteFile, type StaticSite } from './static-site.js';
import { inServerSpan } from './tracing.js';

/** A plain JSON route served beside GraphQL (health checks, internal fact look-ups); `raw` is the body's text as received. */
export type Route = (
  req: IncomingMessage,
  body: unknown,
  raw: string,
) => Promise<{ status: number; body: unknown; headers?: Record<string, string> }>;

/** Options for {@link serveGraphQL}. */
export interface ServeOptions<TContext extends BaseContext> {
  server: ApolloServer<TContext>;
  /**
   * Builds the per-request context from the request and its body's text as received (to check what a
   * signature covers); throw a coded `GraphQLError` with `extensions.http.status` to refuse.
   */
  context: (req: IncomingMessage, raw: string) => Promise<TContext>;
  port: number;
  host?: string;
  /** Extra routes by exact path, e.g. `GET /health`. */
  routes?: Record<string, Route>;
  /** @default 2 MiB */
  maxBodyBytes?: number;
  /** The signed internal context can be large for a 500-child batch. @default 256 KiB */
  maxHeaderBytes?: number;
  /** Runs before GraphQL sees the request; an answer here refuses it (limits, trusted documents). */
  preflight?: (
    req: IncomingMessage,
    body: unknown,
  ) => Promise<{ status: number; body: unknown; headers?: Record<string, string> } | null>;
  /**
   * Told of every request the server refuses on its own — before GraphQL could read it (headers or body
   * too large, a body not JSON) or by Apollo Server before any plugin saw it (a batch, CSRF prevention, a
   * malformed request) — so that it can be recorded; returns the answer to send instead (its request id
   * added, or another answer when the refusal could not be recorded).
   */
  onRefused?: (refusal: Refusal) => Promise<Answer>;
  /** Long-lived answers by exact path (Server-Sent Events): the handler writes the response itself. */
  streams?: Record<string, (req: IncomingMessage, res: ServerResponse) => Promise<void>>;
  /** A built web app served on GET from the same origin (everything but `/graphql` and the routes). */
  site?: StaticSite;
}

/** An HTTP answer: status, JSON (or text) body, headers. */
export interface Answer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

/** A request the server refused on its own, as told to {@link ServeOptions.onRefused}. */
export interface Refusal extends Answer {
  /** Why, for the record: the answer's own code or a finer one (`REQUEST_BODY_TOO_LARGE`). */
  code: string;
  /** The request's head, or as much of it as was read (431); absent when none of it could be read. */
  req?: Pick<IncomingMessage, 'headers'>;
}

class BodyTooLarge extends Error {}

const INTERNAL = { errors: [{ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } }] };

/**
 * The header lines of a request head Node refused to parse (too large), as far as they arrived whole:
 * enough to tell who asked and why. A line cut off by the end of the packet is not taken.
 */
export function headersOfRawHead(raw: Buffer | undefined): IncomingHttpHeaders | null {
  if (!raw) return null;
  const text = raw.toString('latin1');
  const end = text.indexOf('\r\n\r\n');
  const lines = (end >= 0 ? text.slice(0, end + 2) : text).split('\r\n');
  // The last piece is a partial line (or empty after the last CRLF), the first the request line.
  if (lines.length < 2 || !/^[A-Z]+ \S+ HTTP\/1\.[01]$/.test(lines[0]!)) return null;
  const headers: IncomingHttpHeaders = {};
  for (const line of lines.slice(1, -1)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    // As Node does for the headers read here: the first one stands.
    if (headers[name] === undefined) headers[name] = line.slice(colon + 1).trim();
  }
  return headers;
}

/** Reads a body up to `limit` bytes; past it, rejects and keeps discarding what still arrives (no half-read stream left behind). */
function readBody(req: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (chunk: Buffer) => {
      if (over) return;
      size += chunk.length;
      if (size > limit) {
        over = true;
        chunks.length = 0;
        reject(new BodyTooLarge());
      } else chunks.push(chunk);
    });
    req.on('end', () => {
      if (!over) resolve(Buffer.concat(chunks).toString('utf8'));
    });
    req.on('error', reject);
  });
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  // A route may answer with text (CSV, say) by giving a string body and its own content-type.
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  // Set one by one (not through writeHead) so that the request's span can read the request id back.
  for (const [key, value] of Object.entries({
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(Buffer.byteLength(text)),
    'cache-control': 'no-store',
    ...headers,
  }))
    res.setHeader(key, value);
  res.writeHead(status);
  res.end(text);
}

/** A refusal of Apollo Server's own: its body, and the code of its first error (`BAD_REQUEST` when it names none). */
function apolloRefusal(text: string): { body: unknown; code: string } {
  try {
    const body = JSON.parse(text) as { errors?: { extensions?: { code?: unknown } }[] };
    const code = body.errors?.[0]?.extensions?.code;
    return { body, code: typeof code === 'string' ? code : 'BAD_REQUEST' };
  } catch {
    return { body: text, code: 'BAD_REQUEST' };
  }
}

function toHeaderMap(req: IncomingMessage): HeaderMap {
  const map = new HeaderMap();
  for (const [key, value] of Object.entries(req.headers)) {
    if (value !== undefined) map.set(key, Array.isArray(value) ? value.join(', ') : value);
  }
  return map;
}

/** The size of a request's head as sent: its request line and each header line. */
function headBytes(req: IncomingMessage): number {
  let n = (req.method?.length ?? 0) + (req.url?.length ?? 0) + 12;
  for (const part of req.rawHeaders) n += Buffer.byteLength(part) + 2;
  return n;
}

/**
 * Serves an Apollo Server on Node's own `http` module: the documented `executeHTTPGraphQLRequest`
 * integration, so we control body and header limits and can add plain routes without a framework.
 */
export async function serveGraphQL<TContext extends BaseContext>(
  options: ServeOptions<TContext>,
): Promise<{ server: Server; url: string; close: (graceMs?: number) => Promise<void> }> {
  const { server: apollo, routes = {}, maxBodyBytes = 2 * 1024 * 1024 } = options;
  const maxHeaderBytes = options.maxHeaderBytes ?? 256 * 1024;
  const http = createServer(
    // The parser takes heads up to four times the limit, so that a head just over it arrives whole and its
    // refusal is recorded with every header it carried (who, why); the limit itself is kept below. A head
    // past the parser's bound is refused from the part of it that arrived (`clientError`).
    { maxHeaderSize: Math.max(4 * maxHeaderBytes, 64 * 1024), keepAliveTimeout: 65_000 },
    (req, res) => {
      // Calls (POST) are traced, continuing the caller's trace; health checks and the console's files are not.
      const handled = req.method === 'POST' ? inServerSpan(req, res, () => handle(req, res)) : handle(req, res);
      void handled.catch((error: unknown) => {
        if (!res.headersSent) sendJson(res, 500, INTERNAL);
        else res.destroy(error instanceof Error ? error : undefined);
      });
    },
  );
  // A refusal of the server's own, on the record when the application records refusals.
  const refuse = async (refusal: Refusal): Promise<Answer> => {
    if (!options.onRefused) return refusal;
    return options.onRefused(refusal).catch(() => ({ status: 500, body: INTERNAL }));
  };
  const badInput = (message: string) => ({ errors: [{ message, extensions: { code: 'BAD_USER_INPUT' } }] });
  // A request head over the header limit never reaches the handler: answer 431 ourselves, on the record.
  http.on('clientError', (error: NodeJS.ErrnoException & { rawPacket?: Buffer }, socket) => {
    if (!socket.writable) return void socket.destroy();
    const tooLarge = error.code === 'HPE_HEADER_OVERFLOW';
    const status = tooLarge ? 431 : 400;
    const message = tooLarge ? `Request headers exceed ${maxHeaderBytes} bytes` : 'Malformed HTTP request';
    const headers = headersOfRawHead(error.rawPacket);
    void refuse({
      status,
      body: badInput(message),
      code: tooLarge ? 'REQUEST_HEADERS_TOO_LARGE' : 'MALFORMED_HTTP_REQUEST',
      ...(headers ? { req: { headers } } : {}),
    }).then((answer) => {
      const body = JSON.stringify(answer.body);
      const extra = Object.entries(answer.headers ?? {})
        .map(([k, v]) => `${k}: ${v}\r\n`)
        .join('');
      socket.end(
        `HTTP/1.1 ${answer.status} ${STATUS_CODES[answer.status] ?? 'Error'}\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n${extra}\r\n${body}`,
      );
    });
  });

  /** Refuses a request that cannot be read as a whole, on the record, and closes its connection. */
  async function refuseWhole(req: IncomingMessage, res: ServerResponse, status: number, code: string, message: string) {
    const answer = await refuse({ status, body: badInput(message), code, req });
    sendJson(res, answer.status, answer.body, { connection: 'close', ...answer.headers });
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (headBytes(req) > maxHeaderBytes)
      return refuseWhole(req, res, 431, 'REQUEST_HEADERS_TOO_LARGE', `Request headers exceed ${maxHeaderBytes} bytes`);
    const url = new URL(req.url ?? '/', 'http://localhost');
    let raw: string;
    try {
      raw = req.method === 'POST' ? await readBody(req, maxBodyBytes) : '';
    } catch (error) {
      if (error instanceof BodyTooLarge) {
        // The rest of the body is still on its way: discard it and close the connection, so a keep-alive
        // client's next request is not read from the middle of this one's body.
        return refuseWhole(req, res, 413, 'REQUEST_BODY_TOO_LARGE', `Request body exceeds ${maxBodyBytes} bytes`);
      }
      throw error;
    }
    let body: unknown = undefined;
    if (raw.length > 0) {
      try {
        body = JSON.parse(raw);
      } catch {
        const answer = await refuse({
          status: 400,
          body: badInput('Request body is not valid JSON'),
          code: 'BODY_NOT_JSON',
          req,
        });
        sendJson(res, answer.status, answer.body, answer.headers);
        return;
      }
    }
    const stream = options.streams?.[url.pathname];
    if (stream && req.method === 'GET') return stream(req, res);
    const route = routes[url.pathname];
    if (route) {
      const out = await route(req, body, raw);
      sendJson(res, out.status, out.body, out.headers);
      return;
    }
    if (options.site && (req.method === 'GET' || req.method === 'HEAD') && url.pathname !== '/graphql') {
      const file = siteFile(options.site, url.pathname);
      if (file) {
        res.writeHead(200, {
          'content-type': file.type,
          'content-length': file.body.length,
          'cache-control': file.immutable ? 'public, max-age=31536000, immutable' : 'no-store',
          ...options.site.headers,
        });
        res.end(req.method === 'HEAD' ? undefined : file.body);
        return;
      }
    }
    if (url.pathname !== '/graphql' && url.pathname !== '/') {
      sendJson(res, 404, { error: `No route ${url.pathname}; GraphQL is served at /graphql` });
      return;
    }
    const refused = options.preflight ? await options.preflight(req, body) : null;
    if (refused) {
      sendJson(res, refused.status, refused.body, refused.headers);
      return;
    }
    const response = await apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest: { method: req.method ?? 'GET', headers: toHeaderMap(req), search: url.search, body },
      context: () => options.context(req, raw),
    });
    const headers: Record<string, string> = {};
    for (const [key, value] of response.headers) headers[key] = value;
    // Apollo Server refuses some requests before any plugin sees them (a batch, CSRF prevention, a body
    // of the wrong shape): such an answer names no request, so it is refused on the record here.
    const unnamed = (response.status ?? 200) >= 400 && !headers['x-request-id'];
    if (options.onRefused && unnamed && response.body.kind === 'complete') {
      const answer = await refuse({ status: response.status!, ...apolloRefusal(response.body.string), req });
      sendJson(res, answer.status, answer.body, answer.headers);
      return;
    }
    res.statusCode = response.status ?? 200;
    // Answers about children are never kept by a browser or a proxy.
    res.setHeader('cache-control', 'no-store');
    for (const [key, value] of Object.entries(headers)) res.setHeader(key, value);
    if (response.body.kind === 'complete') {
      res.end(response.body.string);
      return;
    }
    for await (const chunk of response.body.asyncIterator) res.write(chunk);
    res.end();
  }

  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(options.port, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = http.address() as AddressInfo;
  return {
    server: http,
    url: `http://${address.address}:${address.port}/graphql`,
    // Stop accepting, let requests in flight finish (closing keep-alive connections as they go idle),
    // and cut whatever is left after the grace period.
    close: (graceMs = 10_000) =>
      new Promise<void>((resolve) => {
        const sweep = setInterval(() => http.closeIdleConnections(), 50);
        const cut = setTimeout(() => http.closeAllConnections(), graceMs);
        http.close(() => {
          clearInterval(sweep);
          clearTimeout(cut);
          resolve();
        });
        http.closeIdleConnections();
      }),
  };
}
