import type { DisclosureRecord, RecordDraft } from './record.js';
import type { DisclosureStore } from './store.js';

/** Raised when a record could not be made durable in time: the response it belongs to must not leave. */
export class LogUnavailableError extends Error {}

/**
 * Group commit: records of concurrent requests are written together in one store append, and each
 * caller is released when its batch is acknowledged. Every batch has a deadline; a batch that misses
 * it (or fails) fails every record in it — nothing is queued for later.
 */
export class GroupCommitter {
  private pending: { draft: RecordDraft; resolve: (r: DisclosureRecord) => void; reject: (e: Error) => void }[] = [];
  private flushing = false;
  private closed = false;

  constructor(
    private readonly store: DisclosureStore,
    private readonly deadlineMs = 1000,
    private readonly maxBatch = 500,
  ) {}

  /** Resolves with the stored record once it is durable; rejects with {@link LogUnavailableError}. */
  append(draft: RecordDraft): Promise<DisclosureRecord> {
    if (this.closed) return Promise.reject(new LogUnavailableError('the disclosure log is closed'));
    return new Promise((resolve, reject) => {
      this.pending.push({ draft, resolve, reject });
      if (!this.flushing) void this.flush();
    });
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    while (this.pending.length > 0) {
      const batch = this.pending.splice(0, this.maxBatch);
      let timer: NodeJS.Timeout | undefined;
      try {
        const deadline = new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new LogUnavailableError(`no acknowledgement within ${this.deadlineMs} ms`)), this.deadlineMs);
        });
        const records = await Promise.race([this.store.append(batch.map((b) => b.draft)), deadline]);
        batch.forEach((b, i) => b.resolve(records[i]!));
      } catch (error) {
        const reason = error instanceof LogUnavailableError ? error : new LogUnavailableError((error as Error).message);
        for (const b of batch) b.reject(reason);
      } finally {
        clearTimeout(timer);
      }
    }
    this.flushing = false;
  }

  /** Waits for the pending batch, then refuses new records (graceful shutdown). */
  async drain(): Promise<void> {
    while (this.flushing || this.pending.length > 0) await new Promise((r) => setTimeout(r, 5));
    this.closed = true;
  }
}
