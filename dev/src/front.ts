import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';

/** A running round-robin front. */
export interface Front {
  url: string;
  /** How many requests each backend (by its origin) was given. */
  served: Map<string, number>;
  close: () => Promise<void>;
}

/**
 * A round-robin HTTP front for several gateway processes on loopback (what a load balancer does in a
 * deployment): each request goes to the next backend; one that refuses the connection is skipped for
 * that request (it never reached it), so a gateway restarting does not fail a request. Responses,
 * event streams included, are piped through; `x-macpt-upstream` names the backend that answered.
 */
export async function startFront(options: {
  port: number;
  host?: string;
  backends: readonly string[];
}): Promise<Front> {
  const backends = options.backends.map((b) => new URL(b));
  const served = new Map(backends.map((b) => [b.origin, 0]));
  let next = 0;
  const forward = (req: IncomingMessage, res: ServerResponse, body: Buffer, tries: number) => {
    const backend = backends[next++ % backends.length]!;
    const upstream = request(
      {
        host: backend.hostname,
        port: backend.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, 'x-forwarded-for': req.socket.remoteAddress ?? '' },
      },
      (answer) => {
        served.set(backend.origin, (served.get(backend.origin) ?? 0) + 1);
        res.writeHead(answer.statusCode ?? 502, { ...answer.headers, 'x-macpt-upstream': backend.host });
        answer.pipe(res);
      },
    );
    upstream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ECONNREFUSED' && tries < backends.length) return forward(req, res, body, tries + 1);
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          errors: [{ message: 'No gateway answered.', extensions: { code: 'INTERNAL_SERVER_ERROR' } }],
        }),
      );
    });
    res.on('close', () => upstream.destroy());
    upstream.end(body);
  };
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    forward(req, res, Buffer.concat(chunks), 1);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '127.0.0.1', resolve);
  });
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://${options.host ?? '127.0.0.1'}:${port}`,
    served,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
