import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Segment } from '../segment.js';

/** A segment to re-hash, and the answer: its first problem, or null. */
export type CheckRequest = { id: number; segment: Segment };
export type CheckAnswer = { id: number; problem: string | null } | { id: number; error: string };

const CHECKER = fileURLToPath(new URL('./verify-worker.js', import.meta.url));

/**
 * Threads that re-hash sealed segments side by side, each on its own connection to the archive at `where`.
 * A segment goes to the thread with the least asked of it. A thread that fails fails what it was asked:
 * the verification then reports the log as unreadable, never as whole.
 */
export class SegmentCheckPool {
  private readonly threads: {
    worker: Worker;
    waiting: Map<number, (a: CheckAnswer) => void>;
    /** Why the thread is gone, once it is: it is asked nothing more. */
    gone: string | null;
  }[] = [];
  private next = 0;

  constructor(where: string, size = availableParallelism()) {
    for (let i = 0; i < Math.max(1, size); i++) {
      const worker = new Worker(CHECKER, { workerData: { where } });
      const thread = { worker, waiting: new Map<number, (a: CheckAnswer) => void>(), gone: null as string | null };
      worker.on('message', (answer: CheckAnswer) => {
        thread.waiting.get(answer.id)?.(answer);
        thread.waiting.delete(answer.id);
      });
      const end = (why: string) => {
        thread.gone ??= why;
        for (const [id, done] of thread.waiting) done({ id, error: `verification thread failed: ${thread.gone}` });
        thread.waiting.clear();
      };
      worker.on('error', (error) => end(error.message));
      worker.on('exit', (code) => end(`it exited (code ${code})`));
      this.threads.push(thread);
    }
  }

  get size(): number {
    return this.threads.length;
  }

  /** The segment's first problem in its records, or null when they hash, chain and make its root. */
  async check(segment: Segment): Promise<string | null> {
    const live = this.threads.filter((t) => t.gone === null);
    if (live.length === 0) throw new Error(`verification threads failed: ${this.threads[0]?.gone ?? 'none started'}`);
    const thread = live.reduce((a, b) => (b.waiting.size < a.waiting.size ? b : a));
    const id = this.next++;
    const answer = await new Promise<CheckAnswer>((resolve) => {
      thread.waiting.set(id, resolve);
      thread.worker.postMessage({ id, segment } satisfies CheckRequest);
    });
    if ('error' in answer) throw new Error(answer.error);
    return answer.problem;
  }

  async close(): Promise<void> {
    await Promise.all(this.threads.map((t) => t.worker.terminate()));
  }
}
