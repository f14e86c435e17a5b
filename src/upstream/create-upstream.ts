import type { UpstreamConfig } from '../config/index.js';
import type { Logger } from '../logger.js';
import { startActiveHealth } from './active-health.js';
import { createBreakerWrapper } from './breaker-wrapper.js';
import { failureLabel } from './classify-error.js';
import { createCircuitBreaker, type BreakerSnapshot, type BreakerState, type CircuitBreaker } from './circuit-breaker.js';
import { systemClock, type Clock } from './clock.js';
import { createDeadlineWrapper } from './deadline-wrapper.js';
import { outcomeOfError, outcomeOfStatus } from './outcome.js';
import { createRetryBudget } from './retry-budget.js';
import { createRetryPolicy } from './retry-policy.js';
import { createRetryWrapper } from './retry-wrapper.js';
import { streamViaRequest } from './stream-via-request.js';
import { createStreamedCalls } from './streamed-call.js';
import { createTargetSet } from './targets.js';
import type { Upstream, UpstreamFetch, UpstreamHealth, UpstreamStats, UpstreamWrapper } from './types.js';

export interface UpstreamDeps {
  /** Clock for health timestamps and breaker/budget windows. Default `Date.now`. */
  now?: () => number;
  /** Full clock (timers, jitter) for tests; overrides `now`. Default: real timers. */
  clock?: Clock;
  /** Receives breaker state changes and target ejections. */
  logger?: Logger;
  /** Extra layers applied outside the built-in ones, outermost first. */
  wrappers?: UpstreamWrapper[];
}

/**
 * Builds the one `Upstream` object of a named backend. The layers, outermost first:
 * health tracking → deadline → retry → circuit breaker → attempt counting → balanced targets.
 * The breaker sits inside the retry loop, so every attempt is judged and a retry never passes
 * an open circuit.
 */
export function createUpstream(name: string, config: UpstreamConfig, deps: UpstreamDeps = {}): Upstream {
  const clock = deps.clock ?? systemClock(deps.now);
  const stats: UpstreamStats = { requests: 0, attempts: 0, retries: 0, retriesDenied: 0, failures: 0, shortCircuited: 0, breakerOpens: 0 };
  const health: UpstreamHealth = { reachable: undefined, checkedAt: undefined, lastError: undefined };
  const targets = createTargetSet(name, config, { clock, logger: deps.logger });
  const breaker = createBreaker(name, config, clock, stats, deps.logger);
  const active = config.healthCheck ? startActiveHealth(name, config.healthCheck, targets.targets, { logger: deps.logger }) : undefined;

  const counted: UpstreamWrapper = (next) =>
    async function countedFetch(request) {
      stats.attempts += 1;
      try {
        const response = await next(request);
        if (outcomeOfStatus(response.statusCode) === 'failure') stats.failures += 1;
        markReachable();
        return response;
      } catch (error) {
        if (outcomeOfError(error) === 'failure') stats.failures += 1;
        if (!request.signal?.aborted || outcomeOfError(error) === 'failure') markFailed(error);
        throw error;
      }
    };
  const entry: UpstreamWrapper = (next) =>
    function entryFetch(request) {
      stats.requests += 1;
      return next(request);
    };
  const deadlineMs = config.deadlineMs ?? config.timeoutMs;
  const budget = createRetryBudget(config.retry.budget, clock.now);
  const layers: UpstreamWrapper[] = [
    ...(deps.wrappers ?? []),
    entry,
    createDeadlineWrapper(name, deadlineMs, clock),
    createRetryWrapper(name, { retry: config.retry, attemptTimeoutMs: config.timeoutMs }, { clock, budget, stats }),
    ...(breaker ? [createBreakerWrapper(name, breaker, stats)] : []),
    counted,
  ];
  const request = layers.reduceRight<UpstreamFetch>((next, wrap) => wrap(next), targets.fetch);
  const stream: Upstream['stream'] = deps.wrappers?.length
    ? (call, sink) => streamViaRequest(request, call, sink)
    : createStreamedCalls(
      { name, deadlineMs, attemptTimeoutMs: config.timeoutMs },
      { clock, budget, policy: createRetryPolicy(config.retry, { clock, budget, stats }), stats, targets, breaker, markReachable, markFailed },
    );

  function markReachable(): void {
    health.reachable = true;
    health.checkedAt = clock.now();
    health.lastError = undefined;
  }

  function markFailed(error: unknown): void {
    health.reachable = false;
    health.checkedAt = clock.now();
    health.lastError = failureLabel(error);
  }

  /** Any HTTP answer counts as reachable. An open circuit answers for the backend: no network call. */
  async function probe(timeoutMs: number): Promise<UpstreamHealth> {
    if (breaker?.snapshot().state === 'open') return { reachable: false, checkedAt: clock.now(), lastError: 'UPSTREAM_CIRCUIT_OPEN' };
    try {
      const response = await targets.pick().pool.fetch({ method: 'GET', path: '/', headers: {}, signal: AbortSignal.timeout(timeoutMs) });
      await response.body.dump();
      markReachable();
    } catch (error) {
      markFailed(error);
    }
    return { ...health };
  }

  return {
    name,
    config,
    request,
    stream,
    health: () => ({ ...health }),
    probe,
    breaker: () => breaker?.snapshot() ?? CLOSED_DISABLED,
    targets: targets.snapshot,
    stats: () => ({ ...stats }),
    close: async () => {
      active?.stop();
      await targets.close();
    },
  };
}

const CLOSED_DISABLED: BreakerSnapshot = Object.freeze({ state: 'closed', consecutiveFailures: 0, windowRequests: 0, windowFailures: 0, opens: 0 });

function createBreaker(name: string, config: UpstreamConfig, clock: Clock, stats: UpstreamStats, logger: Logger | undefined): CircuitBreaker | undefined {
  const options = config.circuitBreaker;
  if (!options.enabled) return undefined;
  return createCircuitBreaker(options, {
    now: clock.now,
    onStateChange(from: BreakerState, to: BreakerState, snapshot: BreakerSnapshot) {
      if (to === 'open') stats.breakerOpens += 1;
      const fields = { upstream: name, from, to, consecutiveFailures: snapshot.consecutiveFailures, windowFailures: snapshot.windowFailures, windowRequests: snapshot.windowRequests };
      if (to === 'open') logger?.warn(fields, 'circuit breaker opened');
      else logger?.info(fields, to === 'closed' ? 'circuit breaker closed' : 'circuit breaker half open');
    },
  });
}
