import type { Logger } from '../logger.js';

/** A type, not an interface, so that it is a `PolicyCounters` (a record of numbers) as it is. */
export type CacheBypassStats = {
  /** Redis commands that failed or timed out. */
  failures: number;
  /** Calls answered without Redis (a miss, a dropped write): not connected, or skipping after a failure. */
  bypassed: number;
};

export interface CacheBypassOptions {
  /** Whether Redis can take commands right now (the client is `ready`). */
  available: () => boolean;
  /** After a failed call, skip Redis for this long, so a slow Redis costs one timeout, not one per request. */
  retryAfterMs: number;
  logger: Logger;
  now: () => number;
}

export interface CacheBypass {
  /** Runs `call` on Redis, or answers `fallback` when Redis is skipped or the call fails. */
  run<T>(operation: string, fallback: T, call: () => Promise<T>): Promise<T>;
  /**
   * Runs `call` on Redis even during a skip period: for purges, which must never be dropped (a
   * dropped purge serves stale entries for their whole time to live). A failure (or no connection)
   * is counted, opens a skip period for `run`, and rejects.
   */
  always<T>(operation: string, call: () => Promise<T>): Promise<T>;
  stats(): CacheBypassStats;
}

/** Between two warnings about Redis, so an outage logs a line every few seconds, not per request. */
const WARN_EVERY_MS = 5_000;

/**
 * When to leave Redis out of a cache call. A failed or timed-out command opens a skip period of
 * `retryAfterMs` during which every call is bypassed at once; the first call after it tries Redis
 * again. Bypasses are counted and logged, never an error to a client. Purges (`always`) are never
 * skipped: they are tried every time, and their failures reach the caller.
 */
export function createCacheBypass(options: CacheBypassOptions): CacheBypass {
  const { logger, now } = options;
  const stats: CacheBypassStats = { failures: 0, bypassed: 0 };
  let skipUntil = 0;
  let failing = false;
  let lastWarning = -Infinity;

  function bypass<T>(fallback: T): Promise<T> {
    stats.bypassed++;
    return Promise.resolve(fallback);
  }

  function failed(operation: string, error: unknown): void {
    stats.failures++;
    failing = true;
    const at = now();
    skipUntil = at + options.retryAfterMs;
    if (at - lastWarning < WARN_EVERY_MS) return;
    lastWarning = at;
    const err = error instanceof Error ? error.message : String(error);
    logger.warn({ err, operation, retryAfterMs: options.retryAfterMs, ...stats }, 'cache store unavailable; cache bypassed');
  }

  function answered(operation: string): void {
    if (!failing) return;
    failing = false;
    logger.info({ operation, ...stats }, 'cache store answering again');
  }

  return {
    async run(operation, fallback, call) {
      if (!options.available() || now() < skipUntil) return bypass(fallback);
      try {
        const value = await call();
        answered(operation);
        return value;
      } catch (error) {
        failed(operation, error);
        stats.bypassed++;
        return fallback;
      }
    },
    async always(operation, call) {
      try {
        // No offline queue: a command while disconnected would fail at once anyway.
        if (!options.available()) throw new Error('cache store not connected');
        const value = await call();
        answered(operation);
        return value;
      } catch (error) {
        failed(operation, error);
        throw error;
      }
    },
    stats: () => ({ ...stats }),
  };
}
