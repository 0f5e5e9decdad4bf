import { createServer } from 'node:net';

/** Ports this process has handed out: the system may offer a port again once its probe has closed it. */
const handedOut = new Set<number>();

/**
 * A TCP port on 127.0.0.1 that is free now (the OS picks it), and not one this process has handed out
 * before. A stack takes several ports before it binds any of them; without the check, two of its
 * processes could be given the same port, one failing to bind while the other answers in its place (a
 * health check then passes against the wrong process).
 */
export async function freePort(): Promise<number> {
  for (;;) {
    const port = await probe();
    if (!handedOut.has(port)) {
      handedOut.add(port);
      return port;
    }
  }
}

function probe(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
