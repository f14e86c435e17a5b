import { JunctionError } from '../../src/errors.js';
import type { RateLimitConfig } from '../../src/config/rate-limit.js';
import type { Budget, ConsumeResult, RateLimitStore } from '../../src/stores/rate-limit-store.js';
import { compileRule, type RateLimitRule } from './args.js';
import { budgetKey, type Caller } from './caller.js';

/** A rule and how many units this request spends of it. */
export interface Charge {
  rule: RateLimitRule;
  units: number;
}

export interface Limiter {
  /**
   * Spends every charge and the caller's usage plan, all or nothing; rejects with RATE_LIMITED
   * when any window of any of them is refused. Resolves to the tightest window's numbers.
   */
  check(caller: Caller, charges: readonly Charge[], requests: number): Promise<ConsumeResult | undefined>;
  /** The usage-plan rule for this caller, if any. */
  planRule(caller: Caller): RateLimitRule | undefined;
}

/**
 * Applies rules through one store. All the rules of a request (its charges and the caller's usage
 * plan, every window of each) are one store call, which spends in every window or in none: a
 * request refused by one rule spends nothing of the others (one Redis script in Redis).
 */
export function createLimiter(config: RateLimitConfig, store: RateLimitStore): Limiter {
  const plans = new Map<string, RateLimitRule>();
  for (const [name, plan] of Object.entries(config.plans)) {
    plans.set(name, compileRule(`plan:${name}`, { ...plan.throttle, ...plan.quota, by: 'consumer', cost: 1 }));
  }

  function planRule(caller: Caller): RateLimitRule | undefined {
    const plan = caller.principal?.plan;
    return plan === undefined ? undefined : plans.get(plan);
  }

  function budgetOf(rule: RateLimitRule, units: number, caller: Caller): Budget {
    return { key: budgetKey(rule, caller), cost: units * rule.cost, windows: rule.windows };
  }

  function check(caller: Caller, charges: readonly Charge[], requests: number): Promise<ConsumeResult | undefined> {
    const plan = planRule(caller);
    if (charges.length === 0 && plan === undefined) return Promise.resolve(undefined);
    const budgets: Budget[] = [];
    for (const charge of charges) budgets.push(budgetOf(charge.rule, charge.units, caller));
    if (plan !== undefined) budgets.push(budgetOf(plan, requests, caller));
    return store.consume(budgets).then(allowedOrThrow);
  }

  return { check, planRule };
}

function allowedOrThrow(result: ConsumeResult): ConsumeResult {
  if (!result.allowed) throw rateLimitedError(result);
  return result;
}

/** `RateLimit-Limit`, `RateLimit-Remaining`, `RateLimit-Reset` (seconds, rounded up). */
export function rateLimitHeaders(result: ConsumeResult): Record<string, string> {
  return {
    'ratelimit-limit': String(result.limit),
    'ratelimit-remaining': String(result.remaining),
    'ratelimit-reset': String(Math.ceil(result.resetMs / 1_000)),
  };
}

/** 429 RATE_LIMITED with `Retry-After` in whole seconds (rounded up) and the same numbers in `extensions`. */
export function rateLimitedError(result: ConsumeResult): JunctionError {
  const retryAfter = Math.max(1, Math.ceil(result.retryAfterMs / 1_000));
  const reset = Math.ceil(result.resetMs / 1_000);
  return new JunctionError('RATE_LIMITED', `Rate limit exceeded; retry after ${retryAfter} s`, {
    headers: { 'retry-after': String(retryAfter), ...rateLimitHeaders(result) },
    extensions: { retryAfter, rateLimit: { limit: result.limit, remaining: result.remaining, reset } },
  });
}
