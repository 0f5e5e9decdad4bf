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
  private readonly threads: { worker: Worker; waiting: Map<number, (a: CheckAnswer) => void> }[] = [];
  private next = 0;

  constructor(where: string, size = availableParallelism()) {
    for (let i = 0; i < Math.max(1, size); i++) {
      const worker = new Worker(CHECKER, { workerData: { where } });
      const waiting = new Map<number, (a: CheckAnswer) => void>();
      worker.on('message', (answer: CheckAnswer) => {
        waiting.get(answer.id)?.(answer);
        waiting.delete(answer.id);
      });
      worker.on('error', (error) => {
        for (const [id, done] of waiting) done({ id, error: `verification thread failed: ${error.message}` });
        waiting.clear();
      });
      this.threads.push({ worker, waiting });
    }
  }

  get size(): number {
    return this.threads.length;
  }

  /** The segment's first problem in its records, or null when they hash, chain and make its root. */
  async check(segment: Segment): Promise<string | null> {
    const thread = this.threads.reduce((a, b) => (b.waiting.size < a.waiting.size ? b : a));
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
