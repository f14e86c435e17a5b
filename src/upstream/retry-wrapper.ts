import type { RetryConfig } from '../config/upstream-resilience.js';
import { CircuitOpenError, UpstreamTimeoutError } from '../errors.js';
import { sleep, type Clock } from './clock.js';
import type { RetryBudget } from './retry-budget.js';
import { createRetryPolicy } from './retry-policy.js';
import { onBodyClosed } from './targets.js';
import type { UpstreamFetch, UpstreamRequest, UpstreamResponse, UpstreamStats, UpstreamWrapper } from './types.js';

type Attempt = { response: UpstreamResponse; error?: undefined } | { response?: undefined; error: unknown };

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

/**
 * Attempts with a per-attempt timeout; retries idempotent calls (or all, when configured) on
 * connect errors, attempt timeouts and the configured 5xx, with full-jitter backoff, a
 * `Retry-After` honoured when it fits, never past the deadline and never over the budget
 * (see retry-policy.ts).
 */
export function createRetryWrapper(name: string, options: RetryWrapperOptions, deps: RetryWrapperDeps): UpstreamWrapper {
  const { attemptTimeoutMs } = options;
  const { clock, budget, stats } = deps;
  const policy = createRetryPolicy(options.retry, deps);

  return (next) =>
    async function retrying(request) {
      budget.recordRequest();
      const canRetry = policy.allows(request);
      let previousError: unknown;
      for (let retryNo = 1; ; retryNo++) {
        const attempt = await attemptOnce(next, request);
        // A retry stopped by the breaker it just tripped reports the failure the caller saw.
        if (attempt.error instanceof CircuitOpenError && previousError !== undefined) throw previousError;
        previousError = attempt.error;
        const delay = canRetry && !request.signal?.aborted ? policy.delayBefore(retryNo, attempt, request.deadlineAt) : undefined;
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
