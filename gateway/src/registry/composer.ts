import { Worker } from 'node:worker_threads';
import type { checkPublication, compose } from './checks.js';
import type { WorkerRequest } from './compose-worker.js';

type Check = ReturnType<typeof checkPublication>;
type Composed = { supergraphSdl: string } | { errors: string[] };

/**
 * Runs composition and the publication checks in a worker thread (one, started on first use and
 * kept), so a publication or a reload never stalls the requests the gateway is serving.
 */
export class Composer {
  private worker: Worker | null = null;
  private next = 0;
  private readonly waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();

  private send(
    request: WorkerRequest extends infer R ? (R extends { id: number } ? Omit<R, 'id'> : never) : never,
  ): Promise<unknown> {
    if (!this.worker) {
      this.worker = new Worker(new URL('./compose-worker.js', import.meta.url));
      this.worker.unref();
      this.worker.on('message', (m: { id: number; result?: unknown; error?: string }) => {
        const w = this.waiting.get(m.id);
        this.waiting.delete(m.id);
        if (m.error !== undefined) w?.reject(new Error(m.error));
        else w?.resolve(m.result);
      });
      this.worker.on('error', (error) => this.failAll(error));
      this.worker.on('exit', () => {
        this.worker = null;
        this.failAll(new Error('the composition worker stopped'));
      });
    }
    const id = ++this.next;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.worker!.postMessage({ ...request, id });
    });
  }

  private failAll(error: Error) {
    for (const w of this.waiting.values()) w.reject(error);
    this.waiting.clear();
  }

  check(input: Parameters<typeof checkPublication>[0]): Promise<Check> {
    return this.send({ kind: 'check', input }) as Promise<Check>;
  }

  compose(own: Parameters<typeof compose>[0], agencies: Parameters<typeof compose>[1]): Promise<Composed> {
    return this.send({ kind: 'compose', own, agencies }) as Promise<Composed>;
  }

  async close(): Promise<void> {
    await this.worker?.terminate();
  }
}
