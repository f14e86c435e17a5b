import { describe, expect, it } from 'vitest';
import { backoffDelay, parseRetryAfter } from './backoff.js';
import { createRetryBudget } from './retry-budget.js';

describe('retry budget', () => {
  it('allows minRetries plus ratio × requests over the window', () => {
    let time = 0;
    const budget = createRetryBudget({ ratio: 0.2, minRetries: 2, windowMs: 10_000 }, () => time);
    for (let i = 0; i < 100; i++) budget.recordRequest();
    let granted = 0;
    while (budget.tryRetry()) granted += 1;
    expect(granted).toBe(22);
    time += 10_000;
    // The window rolled over: only the minimum is left.
    let later = 0;
    while (budget.tryRetry()) later += 1;
    expect(later).toBe(2);
  });

  it('with no traffic, only the minimum', () => {
    const budget = createRetryBudget({ ratio: 0.2, minRetries: 0, windowMs: 1_000 }, () => 0);
    expect(budget.tryRetry()).toBe(false);
  });
});

describe('backoff', () => {
  it('full jitter under an exponential ceiling capped by maxMs', () => {
    expect(backoffDelay(1, 100, 1_000, () => 0.999)).toBe(99);
    expect(backoffDelay(3, 100, 1_000, () => 0.999)).toBe(399);
    expect(backoffDelay(10, 100, 1_000, () => 0.999)).toBe(999);
    expect(backoffDelay(3, 100, 1_000, () => 0)).toBe(0);
    expect(backoffDelay(2, 100, 1_000, () => 0.5)).toBe(100);
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    const now = Date.parse('2030-01-01T00:00:00Z');
    expect(parseRetryAfter('3', now)).toBe(3_000);
    expect(parseRetryAfter('Tue, 01 Jan 2030 00:00:02 GMT', now)).toBe(2_000);
    expect(parseRetryAfter('Mon, 31 Dec 2029 00:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });
});
