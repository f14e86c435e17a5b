import type { RetryConfig } from '../config/upstream-resilience.js';
import { UpstreamTimeoutError, UpstreamUnavailableError } from '../errors.js';
import { backoffDelay, parseRetryAfter } from './backoff.js';
import type { Clock } from './clock.js';
import type { RetryBudget } from './retry-budget.js';
import type { UpstreamRequest, UpstreamStats } from './types.js';

/** How one attempt ended, as the retry decision sees it. */
export type Attempt =
  | { response: { statusCode: number; headers: { 'retry-after'?: string | string[] | undefined } }; error?: undefined }
  | { response?: undefined; error: unknown };

/** The retry rules of one upstream, shared by the promise and the streamed call paths. */
export interface RetryPolicy {
  readonly maxRetries: number;
  /** Whether a call may be retried at all: idempotent (or configured so) and with a body that can be sent twice. */
  allows(request: Pick<UpstreamRequest, 'idempotent' | 'body'>): boolean;
  /**
   * Milliseconds to wait before retry number `retryNo` after `attempt`, or `undefined` when there
   * is none: the attempt is not retryable, the wait would pass the deadline, or the budget says no.
   */
  delayBefore(retryNo: number, attempt: Attempt, deadlineAt: number | undefined): number | undefined;
}

/**
 * Retries connect errors, attempt timeouts and the configured 5xx, with full-jitter backoff, a
 * `Retry-After` honoured when it fits, never past the deadline and never over the budget.
 */
export function createRetryPolicy(retry: RetryConfig, deps: { clock: Clock; budget: RetryBudget; stats: UpstreamStats }): RetryPolicy {
  const { clock, budget, stats } = deps;
  const retryStatus = new Set(retry.onStatus);

  function retryable(attempt: Attempt): boolean {
    if (attempt.response) return retryStatus.has(attempt.response.statusCode);
    return attempt.error instanceof UpstreamUnavailableError || attempt.error instanceof UpstreamTimeoutError;
  }

  return {
    maxRetries: retry.maxRetries,
    allows(request) {
      return retry.maxRetries > 0 && (request.idempotent === true || retry.retryNonIdempotent) && replayable(request.body);
    },
    delayBefore(retryNo, attempt, deadlineAt) {
      if (retryNo > retry.maxRetries || !retryable(attempt)) return undefined;
      const now = clock.now();
      let delay = backoffDelay(retryNo, retry.baseDelayMs, retry.maxDelayMs, clock.random);
      const asked = attempt.response ? parseRetryAfter(attempt.response.headers['retry-after'], now) : undefined;
      if (asked !== undefined) delay = Math.max(delay, asked);
      // Capped by the deadline: a wait that would leave no time for the attempt is not taken.
      if (deadlineAt !== undefined && now + delay >= deadlineAt) return undefined;
      if (!budget.tryRetry()) {
        stats.retriesDenied += 1;
        return undefined;
      }
      return delay;
    },
  };
}

/** A streamed body cannot be sent twice. */
function replayable(body: UpstreamRequest['body']): boolean {
  return body === undefined || body === null || typeof body === 'string' || Buffer.isBuffer(body);
}
