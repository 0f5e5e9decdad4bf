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
  private pending: Pending[] = [];
  private inFlight = 0;
  private closed = false;

  /**
   * @param deadlineMs how long a record may take, counted from the moment its response is ready
   * (the call to {@link append}): time queued behind batches in flight counts too.
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
      const entry: Pending = { draft, resolve, reject, deadline: Date.now() + this.deadlineMs, timer: undefined };
      // Still queued at its deadline: it leaves the queue unwritten, and its response is refused.
      entry.timer = setTimeout(() => {
        const at = this.pending.indexOf(entry);
        if (at < 0) return;
        this.pending.splice(at, 1);
        reject(new LogUnavailableError(`not written within ${this.deadlineMs} ms (queued behind batches in flight)`));
      }, this.deadlineMs);
      this.pending.push(entry);
      this.pump();
    });
  }

  private pump(): void {
    while (this.pending.length > 0 && this.inFlight < this.maxInFlight) {
      const batch = this.pending.splice(0, this.maxBatch);
      for (const b of batch) clearTimeout(b.timer);
      this.inFlight++;
      void this.commit(batch).finally(() => {
        this.inFlight--;
        this.pump();
      });
    }
  }

  private async commit(batch: Pending[]): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    try {
      // The batch has what is left of its oldest record's deadline, not a fresh one.
      const left = Math.max(0, Math.min(...batch.map((b) => b.deadline)) - Date.now());
      const deadline = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new LogUnavailableError(`no acknowledgement within ${this.deadlineMs} ms`)),
          left,
        );
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

interface Pending {
  draft: RecordDraft;
  resolve: (r: DisclosureRecord) => void;
  reject: (e: Error) => void;
  /** When the record's response must be refused if the record is not yet durable (epoch ms). */
  deadline: number;
  timer: NodeJS.Timeout | undefined;
}
