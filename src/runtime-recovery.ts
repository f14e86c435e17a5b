import type { Logger } from './logger.js';

/** Runs `task` after `delayMs`; returns a cancel function. Injected so tests drive retries without waiting. */
export type RetryScheduler = (task: () => Promise<void>, delayMs: number) => () => void;

/** Real timers, unref'd so a pending retry never keeps the process alive. */
export const timerScheduler: RetryScheduler = (task, delayMs) => {
  const timer = setTimeout(() => void task(), delayMs);
  timer.unref();
  return () => clearTimeout(timer);
};

export interface SourceRecoveryOptions {
  /** First delay; doubles per failed attempt. */
  initialMs: number;
  /** Largest delay. */
  maxMs: number;
}

export interface SourceRecoveryDeps {
  scheduler: RetryScheduler;
  logger: Logger;
  /** Tries the missing sources again; true when at least one loads now. */
  probe: () => Promise<boolean>;
  /** Builds and swaps in a new runtime (which starts its own recovery if something is still missing). */
  recovered: () => Promise<void>;
}

/**
 * Retries the sources a runtime could not load (or serves from a snapshot), with capped exponential
 * backoff, until one comes back; then asks for a rebuild. Stopped when the runtime is replaced.
 */
export function startSourceRecovery(names: readonly string[], options: SourceRecoveryOptions, deps: SourceRecoveryDeps): { stop(): void } {
  let stopped = false;
  let cancel: (() => void) | undefined;
  let attempt = 0;

  function next(): void {
    if (stopped) return;
    const delayMs = Math.min(options.maxMs, options.initialMs * 2 ** attempt);
    attempt++;
    cancel = deps.scheduler(tryOnce, delayMs);
  }

  async function tryOnce(): Promise<void> {
    if (stopped) return;
    let back = false;
    try {
      back = await deps.probe();
    } catch (error) {
      deps.logger.warn({ err: error, sources: names }, 'source retry failed');
    }
    if (stopped) return;
    if (!back) {
      deps.logger.info({ sources: names, attempt }, 'sources still unavailable; retrying later');
      return next();
    }
    deps.logger.info({ sources: names }, 'source available again; rebuilding the schema');
    stopped = true;
    await deps.recovered();
  }

  next();
  return {
    stop() {
      stopped = true;
      cancel?.();
    },
  };
}
