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
    let distinct: Budget[];
    try {
      distinct = budgets.length === 1 ? budgets : mergeSameKeys(budgets);
    } catch (error) {
      return Promise.reject(error);
    }
    const tooExpensive = neverAllowed(distinct);
    if (tooExpensive !== undefined) return Promise.reject(tooExpensive);
    return store.consume(distinct).then(allowedOrThrow);
  }

  return { check, planRule };
}

/**
 * One budget per key, as the stores expect: they check each budget on its own, so a key given
 * twice would be checked twice but spent once (and the memory and Redis stores would disagree).
 * Budgets of one key with the same windows become one, their costs added; the same key with
 * other windows is a bug (a key names one rule), thrown as an Error. The list itself when every
 * key is distinct (the usual case: rule scopes differ).
 */
export function mergeSameKeys(budgets: Budget[]): Budget[] {
  if (!repeatsAKey(budgets)) return budgets;
  const byKey = new Map<string, Budget>();
  for (const budget of budgets) {
    const first = byKey.get(budget.key);
    if (first === undefined) {
      byKey.set(budget.key, budget);
      continue;
    }
    if (!sameWindows(first.windows, budget.windows)) {
      throw new Error(`rate limit: budget key "${budget.key}" given twice with different windows`);
    }
    // Map order is insertion order: the merged budget keeps the first one's place.
    byKey.set(budget.key, { key: first.key, cost: first.cost + budget.cost, windows: first.windows });
  }
  return [...byKey.values()];
}

/** A few budgets at most (a request's rules): pairwise, without allocating. */
function repeatsAKey(budgets: readonly Budget[]): boolean {
  for (let i = 1; i < budgets.length; i++) {
    for (let j = 0; j < i; j++) if (budgets[i]!.key === budgets[j]!.key) return true;
  }
  return false;
}

function sameWindows(a: Budget['windows'], b: Budget['windows']): boolean {
  if (a === b) return true;
  return a.length === b.length && a.every((window, i) => window.windowMs === b[i]!.windowMs && window.limit === b[i]!.limit);
}

/**
 * A budget no window could ever grant (aliases of a limited field costing more than its limit):
 * 400 COST_ESTIMATED_TOO_EXPENSIVE instead of a 429 whose `Retry-After` would only be answered
 * with another 429. Nothing is spent.
 */
function neverAllowed(budgets: readonly Budget[]): JunctionError | undefined {
  for (const budget of budgets) {
    for (const window of budget.windows) {
      if (budget.cost <= window.limit) continue;
      return new JunctionError('COST_ESTIMATED_TOO_EXPENSIVE', `The request costs ${budget.cost} units of a rate limit that allows ${window.limit} in a window: it can never be allowed`, {
        extensions: { cost: budget.cost, limit: window.limit },
      });
    }
  }
  return undefined;
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
