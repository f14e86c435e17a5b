import type { RetryConfig } from '../config/upstream-resilience.js';
import { CircuitOpenError, UpstreamTimeoutError, UpstreamUnavailableError } from '../errors.js';
import { backoffDelay, parseRetryAfter } from './backoff.js';
import { sleep, type Clock } from './clock.js';
import type { RetryBudget } from './retry-budget.js';
import { onBodyClosed } from './targets.js';
import type { UpstreamFetch, UpstreamRequest, UpstreamResponse, UpstreamStats, UpstreamWrapper } from './types.js';

export interface RetryWrapperOptions {
  retry: RetryConfig;
  /** Time for one attempt (to the response head). */
  attemptTimeoutMs: number;
}

export interface RetryWrapperDeps {
  clock: Clock;
  budget: RetryBudget;
  stats: UpstreamStats;
}

type Attempt = { response: UpstreamResponse; error?: undefined } | { response?: undefined; error: unknown };

/**
 * Attempts with a per-attempt timeout; retries idempotent calls (or all, when configured) on
 * connect errors, attempt timeouts and the configured 5xx, with full-jitter backoff, a
 * `Retry-After` honoured when it fits, never past the deadline and never over the budget.
 */
export function createRetryWrapper(name: string, options: RetryWrapperOptions, deps: RetryWrapperDeps): UpstreamWrapper {
  const { retry, attemptTimeoutMs } = options;
  const { clock, budget, stats } = deps;
  const retryStatus = new Set(retry.onStatus);

  function retryable(attempt: Attempt): boolean {
    if (attempt.response) return retryStatus.has(attempt.response.statusCode);
    return attempt.error instanceof UpstreamUnavailableError || attempt.error instanceof UpstreamTimeoutError;
  }

  /** Milliseconds to wait before the next attempt, or undefined when there is none. */
  function delayBefore(retryNo: number, attempt: Attempt, request: UpstreamRequest): number | undefined {
    if (request.signal?.aborted || !retryable(attempt)) return undefined;
    const now = clock.now();
    let delay = backoffDelay(retryNo, retry.baseDelayMs, retry.maxDelayMs, clock.random);
    const asked = attempt.response ? parseRetryAfter(attempt.response.headers['retry-after'], now) : undefined;
    if (asked !== undefined) delay = Math.max(delay, asked);
    // Capped by the deadline: a wait that would leave no time for the attempt is not taken.
    if (request.deadlineAt !== undefined && now + delay >= request.deadlineAt) return undefined;
    if (!budget.tryRetry()) {
      stats.retriesDenied += 1;
      return undefined;
    }
    return delay;
  }

  return (next) =>
    async function retrying(request) {
      budget.recordRequest();
      const canRetry = retry.maxRetries > 0 && (request.idempotent === true || retry.retryNonIdempotent) && replayable(request);
      let previousError: unknown;
      for (let retryNo = 1; ; retryNo++) {
        const attempt = await attemptOnce(next, request);
        // A retry stopped by the breaker it just tripped reports the failure the caller saw.
        if (attempt.error instanceof CircuitOpenError && previousError !== undefined) throw previousError;
        previousError = attempt.error;
        const delay = canRetry && retryNo <= retry.maxRetries ? delayBefore(retryNo, attempt, request) : undefined;
        if (delay === undefined) {
          if (attempt.response) return attempt.response;
          throw attempt.error;
        }
        if (attempt.response) await attempt.response.body.dump().catch(() => undefined);
        await sleep(clock, delay, request.signal);
        stats.retries += 1;
      }
    };

  /** One attempt; its own timeout applies only when it is shorter than what is left of the deadline. */
  async function attemptOnce(next: UpstreamFetch, request: UpstreamRequest): Promise<Attempt> {
    const left = request.deadlineAt === undefined ? Infinity : request.deadlineAt - clock.now();
    if (attemptTimeoutMs >= left) return settle(next(request));
    const controller = new AbortController();
    const parent = request.signal;
    const onParentAbort = (): void => controller.abort(parent!.reason);
    parent?.addEventListener('abort', onParentAbort, { once: true });
    const timer = clock.setTimeout(() => controller.abort(new UpstreamTimeoutError(name, attemptTimeoutMs)), attemptTimeoutMs);
    const attempt = await settle(next({ ...request, signal: controller.signal }));
    clock.clearTimeout(timer);
    // The body still listens to the parent (deadline, client) until it is read.
    if (attempt.response) onBodyClosed(attempt.response.body, () => parent?.removeEventListener('abort', onParentAbort));
    else parent?.removeEventListener('abort', onParentAbort);
    return attempt;
  }
}

async function settle(promise: Promise<UpstreamResponse>): Promise<Attempt> {
  try {
    return { response: await promise };
  } catch (error) {
    return { error };
  }
}

/** A streamed body cannot be sent twice. */
function replayable(request: UpstreamRequest): boolean {
  const body = request.body;
  return body === undefined || body === null || typeof body === 'string' || Buffer.isBuffer(body);
}
