import { JunctionError } from '../../src/errors.js';
import type { RateLimitConfig } from '../../src/config/rate-limit.js';
import type { ConsumeResult, RateLimitStore } from '../../src/stores/rate-limit-store.js';
import { compileRule, type RateLimitRule } from './args.js';
import { budgetKey, type Caller } from './caller.js';

/** A rule and how many units this request spends of it. */
export interface Charge {
  rule: RateLimitRule;
  units: number;
}

export interface Limiter {
  /** Spends every charge (and the caller's usage plan); throws RATE_LIMITED when any is refused. Resolves to the tightest result. */
  check(caller: Caller, charges: readonly Charge[], requests: number): Promise<ConsumeResult | undefined>;
  /** The usage-plan rule for this caller, if any. */
  planRule(caller: Caller): RateLimitRule | undefined;
}

/**
 * Applies rules through one store. Each rule is one atomic store call (one Redis script), and the
 * calls of one request run concurrently. A refused rule spends nothing of its own budget; rules of
 * the same request that were allowed keep what they spent.
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

  async function check(caller: Caller, charges: readonly Charge[], requests: number): Promise<ConsumeResult | undefined> {
    const plan = planRule(caller);
    const all = plan === undefined ? charges : [...charges, { rule: plan, units: requests }];
    if (all.length === 0) return undefined;
    const spend = (charge: Charge): Promise<ConsumeResult> =>
      store.consume([{ key: budgetKey(charge.rule, caller, config.apiKeyHeader), cost: charge.units * charge.rule.cost, windows: charge.rule.windows }]);
    const results = all.length === 1 ? [await spend(all[0]!)] : await Promise.all(all.map(spend));
    let tightest: ConsumeResult | undefined;
    let refused: ConsumeResult | undefined;
    for (const result of results) {
      if (!result.allowed) {
        if (refused === undefined || result.retryAfterMs > refused.retryAfterMs) refused = result;
      } else if (tightest === undefined || result.remaining < tightest.remaining) {
        tightest = result;
      }
    }
    if (refused !== undefined) throw rateLimitedError(refused);
    return tightest;
  }

  return { check, planRule };
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
