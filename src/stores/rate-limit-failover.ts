import { JunctionError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { Budget, ConsumeResult, RateLimitStore } from './rate-limit-store.js';

export interface FailoverRateLimitStoreOptions {
  /** The shared store (Redis). */
  primary: RateLimitStore;
  /** The local limiter used while the primary fails (`failMode: open`). */
  fallback: RateLimitStore;
  /** `open`: count locally while the primary fails; `closed`: refuse with 503. */
  failMode: 'open' | 'closed';
  /** Whether the primary can take commands right now (e.g. the Redis client is `ready`). */
  available: () => boolean;
  /** After a failed call, skip the primary for this long so a slow Redis costs one timeout, not one per request. */
  cooldownMs: number;
}

export interface FailoverRateLimitStoreDeps {
  logger: Logger;
  now: () => number;
}

/** A type, not an interface, so that it is a `PolicyCounters` (a record of numbers) as it is. */
export type FailoverStats = {
  /** Checks answered by the local limiter because the primary failed or was unavailable. */
  fallbacks: number;
  /** Checks refused with 503 because the primary failed (`failMode: closed`). */
  refusals: number;
  /** Primary calls that failed (error or timeout). */
  failures: number;
};

/** Between two warnings about the primary, so an outage logs a line every few seconds, not per request. */
const WARN_EVERY_MS = 5_000;

/**
 * Uses the primary while it answers; when it is down or slow (each call bounded by the client's
 * command timeout), follows `failMode` with a logged, counted warning. The primary is tried again
 * after `cooldownMs`, and at once when `available()` turns true again.
 *
 * Overshoot bound: while Redis answers, zero (one atomic script per request). While failing open,
 * each of G gateways counts alone for the rest of the window, so a window admits at most
 * (G + 1) × limit (with what Redis had counted), plus one limit each time Redis comes back empty
 * or a gateway loses its local count; `failMode: closed` admits nothing instead (docs/policies.md).
 */
export function createFailoverRateLimitStore(
  options: FailoverRateLimitStoreOptions,
  deps: FailoverRateLimitStoreDeps,
): RateLimitStore & { stats(): FailoverStats } {
  const stats: FailoverStats = { fallbacks: 0, refusals: 0, failures: 0 };
  let skipUntil = 0;
  let lastWarning = -Infinity;

  function degraded(budgets: readonly Budget[], reason: string): Promise<ConsumeResult> {
    const now = deps.now();
    if (now - lastWarning >= WARN_EVERY_MS) {
      lastWarning = now;
      deps.logger.warn({ reason, failMode: options.failMode, ...stats }, 'rate-limit store unavailable; applying failMode');
    }
    if (options.failMode === 'closed') {
      stats.refusals++;
      throw new JunctionError('SERVICE_UNAVAILABLE', 'Rate limiting is unavailable; try again shortly', {
        headers: { 'retry-after': '1' },
        extensions: { retryAfter: 1 },
      });
    }
    stats.fallbacks++;
    return options.fallback.consume(budgets);
  }

  async function consume(budgets: readonly Budget[]): Promise<ConsumeResult> {
    if (!options.available()) return degraded(budgets, 'not connected');
    if (deps.now() < skipUntil) return degraded(budgets, 'recent failure');
    try {
      return await options.primary.consume(budgets);
    } catch (error) {
      stats.failures++;
      skipUntil = deps.now() + options.cooldownMs;
      return degraded(budgets, error instanceof Error ? error.message : 'error');
    }
  }

  return {
    consume,
    stats: () => ({ ...stats }),
    async close() {
      await options.fallback.close?.();
    },
  };
}
