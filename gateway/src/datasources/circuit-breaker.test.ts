import { describe, expect, it } from 'vitest';
import { CircuitBreaker } from './circuit-breaker.js';

describe('circuit breaker', () => {
  it('opens after consecutive failures, lets one trial through after the wait, and closes on success', () => {
    const breaker = new CircuitBreaker('police', 3, 1000);
    for (let i = 0; i < 2; i++) breaker.failed(0);
    expect(breaker.refusal(0)).toBeNull();
    breaker.failed(0);
    expect(breaker.refusal(500)).toMatch(/circuit open after 3 consecutive failures; next try in 1 s/);
    expect(breaker.refusal(1000)).toBeNull(); // the trial
    expect(breaker.refusal(1001)).toMatch(/circuit open/); // only one trial at a time
    breaker.succeeded();
    expect(breaker.state).toBe('closed');
  });

  it('reopens when the trial fails', () => {
    const breaker = new CircuitBreaker('police', 1, 1000);
    breaker.failed(0);
    expect(breaker.refusal(1000)).toBeNull();
    breaker.failed(1000);
    expect(breaker.refusal(1500)).toMatch(/circuit open/);
  });
});
