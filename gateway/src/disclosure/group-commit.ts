import {
  DEFAULT_RATE_LIMITS as DEFAULT_LIMITS,
  KnownOverLimit,
  OverLimit,
  RateLimitedError,
  type Charge,
} from '../limits/rate-limit.js';
import type { DisclosureRecord, RecordDraft } from './record.js';
import type { DisclosureStore } from './store.js';

/** Raised when a record could not be made durable in time: the response it belongs to must not leave. */
export class LogUnavailableError extends Error {}

/**
 * Group commit: records of concurrent requests are written together in one store append, and each
 * caller is released when its batch is acknowledged. Every batch has a deadline; a batch that misses
 * it (or fails) fails every record in it — nothing is queued for later. A record may carry its request's
 * charge to the user's rate limits, decided by the store in the same write: a record past a limit is
 * refused to its caller ({@link RateLimitedError}) and the rest of its batch is written without it.
 */
export class GroupCommitter {
  private pending: Pending[] = [];
  private deadlineTimer: NodeJS.Timeout | undefined;
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
    /** What the gateway learns of users past a limit (and how a refusal is worded). */
    private readonly known: KnownOverLimit = new KnownOverLimit(DEFAULT_LIMITS),
  ) {}

  /**
   * Resolves with the stored record once it is durable; rejects with {@link LogUnavailableError}, or with
   * {@link RateLimitedError} when its charge went past a limit (the record was not written).
   */
  append(draft: RecordDraft, charge?: Charge): Promise<DisclosureRecord> {
    if (this.closed) return Promise.reject(new LogUnavailableError('the disclosure log is closed'));
    return new Promise((resolve, reject) => {
      this.pending.push({
        draft,
        charge: charge ?? null,
        resolve,
        reject,
        deadline: performance.now() + this.deadlineMs,
      });
      this.pump();
      this.watchDeadlines();
    });
  }

  /**
   * One timer for the whole queue, at its oldest record's deadline (records queue in the order their deadlines
   * fall): a record still queued at its deadline leaves the queue unwritten, and its response is refused.
   */
  private watchDeadlines(): void {
    if (this.deadlineTimer !== undefined || this.pending.length === 0) return;
    this.deadlineTimer = setTimeout(
      () => {
        this.deadlineTimer = undefined;
        const now = performance.now();
        let late = 0;
        while (late < this.pending.length && this.pending[late]!.deadline <= now) late++;
        for (const entry of this.pending.splice(0, late))
          entry.reject(
            new LogUnavailableError(`not written within ${this.deadlineMs} ms (queued behind batches in flight)`),
          );
        this.watchDeadlines();
      },
      Math.max(1, this.pending[0]!.deadline - performance.now()),
    );
  }

  private pump(): void {
    while (this.pending.length > 0 && this.inFlight < this.maxInFlight) {
      const batch = this.pending.splice(0, this.maxBatch);
      if (this.pending.length === 0) {
        clearTimeout(this.deadlineTimer);
        this.deadlineTimer = undefined;
      }
      this.inFlight++;
      void this.commit(batch).finally(() => {
        this.inFlight--;
        this.pump();
      });
    }
  }

  private async commit(batch: Pending[]): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const rest: Pending[] = [];
    try {
      // The batch has what is left of its oldest record's deadline, not a fresh one.
      const left = Math.max(0, batch[0]!.deadline - performance.now());
      const deadline = new Promise<never>((_, reject) => {
        // Refused one turn of the event loop after the deadline: an acknowledgement that already came (read late
        // because the gateway was busy, not because Redis was) is taken first. Only a durable record is ever taken.
        timer = setTimeout(
          () => setImmediate(() => reject(new LogUnavailableError(`no acknowledgement within ${this.deadlineMs} ms`))),
          left,
        );
      });
      const records = await Promise.race([
        this.store.append(
          batch.map((b) => b.draft),
          batch.map((b) => b.charge),
        ),
        deadline,
      ]);
      batch.forEach((b, i) => b.resolve(records[i]!));
    } catch (error) {
      if (error instanceof OverLimit) {
        // Nothing of the batch was written: the refused are told so, the others are written without them.
        batch.forEach((b, i) => {
          const limit = error.refused.get(i);
          if (limit && b.charge) b.reject(new RateLimitedError(this.known.learn(b.charge.userId, limit, error.at)));
          else rest.push(b);
        });
      } else {
        const reason = error instanceof LogUnavailableError ? error : new LogUnavailableError((error as Error).message);
        for (const b of batch) b.reject(reason);
      }
    } finally {
      clearTimeout(timer);
    }
    if (rest.length > 0) await this.commit(rest);
  }

  /** Waits for the pending batches, then refuses new records (graceful shutdown). */
  async drain(): Promise<void> {
    while (this.inFlight > 0 || this.pending.length > 0) await new Promise((r) => setTimeout(r, 5));
    this.closed = true;
  }
}

interface Pending {
  draft: RecordDraft;
  charge: Charge | null;
  resolve: (r: DisclosureRecord) => void;
  reject: (e: Error) => void;
  /** When the record's response must be refused if the record is not yet durable (`performance.now()` ms). */
  deadline: number;
}
