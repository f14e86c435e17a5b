import { createRollingWindow } from './rolling-window.js';

export interface RetryBudgetOptions {
  /** Retries allowed as a share of requests in the window. */
  ratio: number;
  /** Retries always allowed per window. */
  minRetries: number;
  windowMs: number;
}

/**
 * Caps retries at `minRetries + ratio × requests` over a rolling window, so a failing backend
 * sees at most that much extra load from retries, however many callers retry.
 */
export interface RetryBudget {
  /** Counts one original request. */
  recordRequest(): void;
  /** Spends one retry when the budget allows it. */
  tryRetry(): boolean;
}

export function createRetryBudget(options: RetryBudgetOptions, now: () => number): RetryBudget {
  const window = createRollingWindow(options.windowMs, now);
  return {
    recordRequest() {
      window.add(1, 0);
    },
    tryRetry() {
      const { first: requests, second: retries } = window.totals();
      if (retries >= options.minRetries + options.ratio * requests) return false;
      window.add(0, 1);
      return true;
    },
  };
}
