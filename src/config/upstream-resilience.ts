import { z } from 'zod';
import { httpUrl } from './primitives.js';

/**
 * Per-upstream resilience options: targets and balancing, health, deadline, retries and the
 * circuit breaker. Spread into `upstreamSchema`; every option has a default, so an upstream
 * with only `url` gets a breaker, retries for idempotent calls and a deadline.
 */


export const upstreamTargetSchema = z.strictObject({
  /** Base URL of this target, e.g. `http://users-1:4001`. Path prefixes are kept. */
  url: httpUrl,
  /** Share of traffic relative to the other targets (`weighted`, `least-outstanding`). Default 1. */
  weight: z.number().int().positive().max(1000).default(1),
});

export const passiveHealthSchema = z
  .strictObject({
    /** Connect errors, timeouts or 5xx in a row that eject a target. `0` turns ejection off. Default 5. */
    consecutiveFailures: z.number().int().nonnegative().default(5),
    /** How long an ejected target gets no traffic. Default 30 s. */
    ejectMs: z.number().int().positive().default(30_000),
  })
  .prefault({});

export const activeHealthSchema = z.strictObject({
  /** Path asked with GET on every target; a 2xx or 3xx answer is a pass. */
  path: z.string().startsWith('/'),
  /** Time between two checks of one target. Default 10 s. */
  intervalMs: z.number().int().positive().default(10_000),
  /** Time one check may take. Default 2 s. */
  timeoutMs: z.number().int().positive().default(2_000),
  /** Passes in a row that bring an unhealthy target back. Default 2. */
  healthyThreshold: z.number().int().positive().default(2),
  /** Failures in a row that take a target out. Default 3. */
  unhealthyThreshold: z.number().int().positive().default(3),
});

export const retryBudgetSchema = z
  .strictObject({
    /** Retries allowed as a share of requests over the window. Default 0.2 (20 % extra attempts). */
    ratio: z.number().min(0).max(10).default(0.2),
    /** Retries always allowed per window, so a quiet upstream can still retry. Default 10. */
    minRetries: z.number().int().nonnegative().default(10),
    /** Length of the rolling window. Default 10 s. */
    windowMs: z.number().int().positive().default(10_000),
  })
  .prefault({});

export const retrySchema = z
  .strictObject({
    /** Retries after the first attempt of an idempotent call. `0` turns retries off. Default 2. */
    maxRetries: z.number().int().nonnegative().max(10).default(2),
    /** First backoff ceiling; doubles each retry, full jitter. Default 25 ms. */
    baseDelayMs: z.number().int().nonnegative().default(25),
    /** Largest backoff ceiling. Default 1 s. */
    maxDelayMs: z.number().int().nonnegative().default(1_000),
    /** Upstream statuses that are retried (connect errors and attempt timeouts always are). Default 502, 503, 504. */
    onStatus: z.array(z.number().int().min(500).max(599)).default([502, 503, 504]),
    /** Retry calls the caller did not mark idempotent (mutations, POST). Default false: never. */
    retryNonIdempotent: z.boolean().default(false),
    budget: retryBudgetSchema,
  })
  .prefault({});

/**
 * The breaker, in its full form or in the short form of gateway plugin configs:
 * `{ timeout: 5000, max_failures: 5 }`, where `timeout` is how long the circuit stays open (ms)
 * and `max_failures` the consecutive failures that open it.
 */
export const circuitBreakerSchema = z
  .strictObject({
    /** Turn the breaker off entirely. Default true. */
    enabled: z.boolean().default(true),
    /** Connect errors, timeouts or 5xx in a row that open the circuit. `0` turns this mode off. Default 5. */
    consecutiveFailures: z.number().int().nonnegative().optional(),
    /** Short form of `consecutiveFailures`. */
    max_failures: z.number().int().positive().optional(),
    /** Failure share (0..1) over `windowMs` that opens the circuit. Default: off. */
    failureRate: z.number().gt(0).max(1).optional(),
    /** Calls needed in the window before `failureRate` is judged. Default 20. */
    minimumRequests: z.number().int().positive().default(20),
    /** Rolling window of `failureRate`. Default 10 s. */
    windowMs: z.number().int().positive().default(10_000),
    /** How long the circuit stays open before probes are let through. Default 5 s. */
    openMs: z.number().int().positive().optional(),
    /** Short form of `openMs`. */
    timeout: z.number().int().positive().optional(),
    /** Probes let through at once when half open; that many successes close it. Default 1. */
    halfOpenProbes: z.number().int().positive().default(1),
  })
  .superRefine(function noMixedForms(value, ctx) {
    if (value.max_failures !== undefined && value.consecutiveFailures !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['max_failures'], message: 'use either "max_failures" or "consecutiveFailures"' });
    }
    if (value.timeout !== undefined && value.openMs !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['timeout'], message: 'use either "timeout" or "openMs"' });
    }
  })
  .transform(function normalise({ max_failures, timeout, ...rest }) {
    return {
      ...rest,
      consecutiveFailures: rest.consecutiveFailures ?? max_failures ?? 5,
      openMs: rest.openMs ?? timeout ?? 5_000,
    };
  })
  .prefault({});

/** Keys spread into `upstreamSchema`. */
export const upstreamResilienceShape = {
  /** Several backends for this upstream; instead of (or besides) `url`. */
  targets: z.array(upstreamTargetSchema).min(1).optional(),
  /** How a target is picked: `round-robin`, `weighted` (smooth weighted round robin) or `least-outstanding`. Default `round-robin`. */
  balancer: z.enum(['round-robin', 'weighted', 'least-outstanding']).default('round-robin'),
  passiveHealth: passiveHealthSchema,
  /** Active health checks of every target. Default: off. */
  healthCheck: activeHealthSchema.optional(),
  /** Time for one call across all its attempts and backoffs, body included. Default: `timeoutMs`. */
  deadlineMs: z.number().int().positive().optional(),
  retry: retrySchema,
  circuitBreaker: circuitBreakerSchema,
};

/** `url` or `targets` (or both): at least one target. */
export function checkUpstreamTargets(value: { url?: unknown; targets?: unknown }, ctx: z.RefinementCtx): void {
  // Runs even when other keys are invalid (`when: () => true`), so it reads defensively.
  if (value.url === undefined && !(Array.isArray(value.targets) && value.targets.length > 0)) {
    ctx.addIssue({ code: 'custom', path: ['url'], message: 'an upstream needs "url" or "targets"' });
  }
}

export type UpstreamTargetConfig = z.output<typeof upstreamTargetSchema>;
export type CircuitBreakerConfig = z.output<typeof circuitBreakerSchema>;
export type RetryConfig = z.output<typeof retrySchema>;
export type ActiveHealthConfig = z.output<typeof activeHealthSchema>;
export type PassiveHealthConfig = z.output<typeof passiveHealthSchema>;
