/**
 * One agency's circuit breaker: after `threshold` consecutive failures it opens and calls fail at
 * once for `openMs`; then one trial call is let through (half-open) and its outcome closes or reopens it.
 */
export class CircuitBreaker {
  private failures = 0;
  private openedAt: number | null = null;
  private trialInFlight = false;

  constructor(
    readonly agency: string,
    private readonly threshold = 5,
    private readonly openMs = 5_000,
    /** Told of every failure (the facts the gateway keeps are dropped at an agency's first failure). */
    private readonly onFailure?: (agency: string) => void,
  ) {}

  /** Null when a call may go ahead; otherwise why not. */
  refusal(now = Date.now()): string | null {
    if (this.openedAt === null) return null;
    const waited = now - this.openedAt;
    if (waited >= this.openMs && !this.trialInFlight) {
      this.trialInFlight = true;
      return null;
    }
    return `circuit open after ${this.failures} consecutive failures; next try in ${Math.max(0, Math.ceil((this.openMs - waited) / 1000))} s`;
  }

  succeeded(): void {
    this.failures = 0;
    this.openedAt = null;
    this.trialInFlight = false;
  }

  failed(now = Date.now()): void {
    this.failures++;
    this.trialInFlight = false;
    this.onFailure?.(this.agency);
    if (this.failures >= this.threshold) this.openedAt = now;
  }

  get state(): 'closed' | 'open' | 'half-open' {
    if (this.openedAt === null) return 'closed';
    return this.trialInFlight ? 'half-open' : 'open';
  }
}
