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
  private inFlight = 0;
  private closed = false;

  /**
   * @param maxInFlight batches handed to the store before the first is acknowledged: the store keeps
   * them in order, and the next batch's work overlaps the previous one's write and fsync.
   */
  constructor(
    private readonly store: DisclosureStore,
    private readonly deadlineMs = 1000,
    private readonly maxBatch = 500,
    private readonly maxInFlight = 4,
  ) {}

  /** Resolves with the stored record once it is durable; rejects with {@link LogUnavailableError}. */
  append(draft: RecordDraft): Promise<DisclosureRecord> {
    if (this.closed) return Promise.reject(new LogUnavailableError('the disclosure log is closed'));
    return new Promise((resolve, reject) => {
      this.pending.push({ draft, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.pending.length > 0 && this.inFlight < this.maxInFlight) {
      const batch = this.pending.splice(0, this.maxBatch);
      this.inFlight++;
      void this.commit(batch).finally(() => {
        this.inFlight--;
        this.pump();
      });
    }
  }

  private async commit(batch: GroupCommitter['pending']): Promise<void> {
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

  /** Waits for the pending batches, then refuses new records (graceful shutdown). */
  async drain(): Promise<void> {
    while (this.inFlight > 0 || this.pending.length > 0) await new Promise((r) => setTimeout(r, 5));
    this.closed = true;
  }
}
