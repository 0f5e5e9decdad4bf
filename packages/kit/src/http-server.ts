import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HeaderMap, type ApolloServer, type BaseContext } from '@apollo/server';
import { siteFile, type StaticSite } from './static-site.js';
import { inServerSpan } from './tracing.js';

/** A plain JSON route served beside GraphQL (health checks, internal fact look-ups). */
export type Route = (
  req: IncomingMessage,
  body: unknown,
) => Promise<{ status: number; body: unknown; headers?: Record<string, string> }>;

/** Options for {@link serveGraphQL}. */
export interface ServeOptions<TContext extends BaseContext> {
  server: ApolloServer<TContext>;
  /** Builds the per-request context; throw a coded `GraphQLError` with `extensions.http.status` to refuse. */
  context: (req: IncomingMessage) => Promise<TContext>;
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
   * Told of every request refused before GraphQL could read it (headers too large, a body too large
   * or not JSON), so it can be recorded; returns the request id the answer carries. `req` is absent
   * when Node could not even parse the request's head.
   */
  onRefusedEarly?: (refusal: { status: number; code: string; req?: IncomingMessage }) => Promise<string>;
  /** Long-lived answers by exact path (Server-Sent Events): the handler writes the response itself. */
  streams?: Record<string, (req: IncomingMessage, res: ServerResponse) => Promise<void>>;
  /** A built web app served on GET from the same origin (everything but `/graphql` and the routes). */
  site?: StaticSite;
}

class BodyTooLarge extends Error {}

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

function toHeaderMap(req: IncomingMessage): HeaderMap {
  const map = new HeaderMap();
  for (const [key, value] of Object.entries(req.headers)) {
    if (value !== undefined) map.set(key, Array.isArray(value) ? value.join(', ') : value);
  }
  return map;
}

/**
 * Serves an Apollo Server on Node's own `http` module: the documented `executeHTTPGraphQLRequest`
 * integration, so we control body and header limits and can add plain routes without a framework.
 */
export async function serveGraphQL<TContext extends BaseContext>(
  options: ServeOptions<TContext>,
): Promise<{ server: Server; url: string; close: (graceMs?: number) => Promise<void> }> {
  const { server: apollo, routes = {}, maxBodyBytes = 2 * 1024 * 1024 } = options;
  const http = createServer(
    { maxHeaderSize: options.maxHeaderBytes ?? 256 * 1024, keepAliveTimeout: 65_000 },
    (req, res) => {
      // Calls (POST) are traced, continuing the caller's trace; health checks and the console's files are not.
      const handled = req.method === 'POST' ? inServerSpan(req, res, () => handle(req, res)) : handle(req, res);
      void handled.catch((error: unknown) => {
        if (!res.headersSent)
          sendJson(res, 500, {
            errors: [{ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } }],
          });
        else res.destroy(error instanceof Error ? error : undefined);
      });
    },
  );
  const noted = async (status: number, code: string, req?: IncomingMessage): Promise<Record<string, string>> => {
    const requestId = await options.onRefusedEarly?.({ status, code, ...(req ? { req } : {}) }).catch(() => undefined);
    return requestId ? { 'x-request-id': requestId } : {};
  };
  // A request head over the header limit never reaches the handler: answer 431 ourselves, on the record.
  http.on('clientError', (error: NodeJS.ErrnoException, socket) => {
    if (!socket.writable) return void socket.destroy();
    const tooLarge = error.code === 'HPE_HEADER_OVERFLOW';
    const status = tooLarge ? 431 : 400;
    const message = tooLarge
      ? `Request headers exceed ${options.maxHeaderBytes ?? 256 * 1024} bytes`
      : 'Malformed HTTP request';
    void noted(status, tooLarge ? 'REQUEST_HEADERS_TOO_LARGE' : 'MALFORMED_HTTP_REQUEST').then((headers) => {
      const body = JSON.stringify({ errors: [{ message, extensions: { code: 'BAD_USER_INPUT' } }] });
      const extra = Object.entries(headers)
        .map(([k, v]) => `${k}: ${v}\r\n`)
        .join('');
      socket.end(
        `HTTP/1.1 ${status} ${tooLarge ? 'Request Header Fields Too Large' : 'Bad Request'}\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n${extra}\r\n${body}`,
      );
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    let raw: string;
    try {
      raw = req.method === 'POST' ? await readBody(req, maxBodyBytes) : '';
    } catch (error) {
      if (error instanceof BodyTooLarge) {
        // The rest of the body is still on its way: discard it and close the connection, so a keep-alive
        // client's next request is not read from the middle of this one's body.
        sendJson(
          res,
          413,
          {
            errors: [{ message: `Request body exceeds ${maxBodyBytes} bytes`, extensions: { code: 'BAD_USER_INPUT' } }],
          },
          { connection: 'close', ...(await noted(413, 'REQUEST_BODY_TOO_LARGE', req)) },
        );
        return;
      }
      throw error;
    }
    let body: unknown = undefined;
    if (raw.length > 0) {
      try {
        body = JSON.parse(raw);
      } catch {
        sendJson(
          res,
          400,
          { errors: [{ message: 'Request body is not valid JSON', extensions: { code: 'BAD_USER_INPUT' } }] },
          await noted(400, 'BODY_NOT_JSON', req),
        );
        return;
      }
    }
    const stream = options.streams?.[url.pathname];
    if (stream && req.method === 'GET') return stream(req, res);
    const route = routes[url.pathname];
    if (route) {
      const out = await route(req, body);
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
      context: () => options.context(req),
    });
    const headers: Record<string, string> = {};
    for (const [key, value] of response.headers) headers[key] = value;
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
