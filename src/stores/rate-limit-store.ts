/**
 * Counter stores for rate limiting. One contract, two implementations (memory, Redis), the same
 * algorithm in both: a fixed window per window size, all windows of all the budgets a request
 * spends (every rule that applies to it) checked and spent together. A request is allowed only
 * when every window has room for its whole cost; a refused request spends nothing anywhere.
 */

/** A window length in ms, or `month` for a calendar month (UTC). */
export type WindowSize = number | 'month';

/** One limit of a rule: at most `limit` units per window. */
export interface RateWindow {
  windowMs: WindowSize;
  limit: number;
}

/** What a check answers. The numbers describe the window that decided (see `pickReported`). */
export interface ConsumeResult {
  allowed: boolean;
  /** Limit of the reported window. */
  limit: number;
  /** Units left in the reported window after this request. */
  remaining: number;
  /** Time until the reported window starts over. */
  resetMs: number;
  /** When refused: time until every refusing window has started over; 0 when allowed. */
  retryAfterMs: number;
}

/** What one rule costs a request: `cost` units of `key` in each of `windows`. */
export interface Budget {
  key: string;
  cost: number;
  windows: readonly RateWindow[];
}

export interface RateLimitStore {
  /**
   * Spends every budget in every one of its windows at once, or nothing anywhere when any window
   * of any budget lacks room. The keys of one call are distinct: the limiter merges budgets of
   * one key (`mergeSameKeys`).
   */
  consume(budgets: readonly Budget[]): Promise<ConsumeResult>;
  close?(): Promise<void>;
}

const DAY_MS = 86_400_000;

/** Start and end (exclusive) of the window holding `now`: epoch-aligned, or the UTC calendar month. */
export function windowBounds(size: WindowSize, now: number): [number, number] {
  if (size === 'month') {
    const date = new Date(now);
    const year = date.getUTCFullYear();
    const month = date.getUTCMonth();
    return [Date.UTC(year, month, 1), Date.UTC(year, month + 1, 1)];
  }
  const start = Math.floor(now / size) * size;
  return [start, start + size];
}

/** Named windows (`second: 5, hour: 1000`) in the order they are checked. */
export const WINDOW_UNITS = { second: 1_000, minute: 60_000, hour: 3_600_000, day: DAY_MS, month: 'month' } as const;
export type WindowUnit = keyof typeof WINDOW_UNITS;

/** `{ second: 5, hour: 1000 }` → store windows. */
export function windowsOf(limits: Partial<Record<WindowUnit, number>>): RateWindow[] {
  const windows: RateWindow[] = [];
  for (const unit of Object.keys(WINDOW_UNITS) as WindowUnit[]) {
    const limit = limits[unit];
    if (limit !== undefined) windows.push({ windowMs: WINDOW_UNITS[unit], limit });
  }
  return windows;
}

/** One window's state during a check. */
export interface WindowState {
  limit: number;
  /** Units spent before this request. */
  used: number;
  /** Units this request would spend. */
  cost: number;
  /** Time until the window starts over. */
  resetMs: number;
}

/**
 * The numbers reported for a check over every window of every budget (the Redis script mirrors
 * this): when allowed, the window with the fewest units left after spending; when refused, the
 * refusing window that frees up last.
 */
export function pickReported(states: readonly WindowState[]): ConsumeResult {
  let allowed = true;
  let retryAfterMs = 0;
  for (const state of states) {
    if (state.used + state.cost > state.limit) {
      allowed = false;
      if (state.resetMs > retryAfterMs) retryAfterMs = state.resetMs;
    }
  }
  let best: WindowState | undefined;
  let bestLeft = Infinity;
  for (const state of states) {
    const refusing = state.used + state.cost > state.limit;
    if (!allowed && (!refusing || state.resetMs !== retryAfterMs)) continue;
    const left = allowed ? state.limit - state.used - state.cost : Math.max(0, state.limit - state.used);
    if (best === undefined || left < bestLeft) {
      best = state;
      bestLeft = left;
    }
  }
  if (best === undefined) return { allowed: true, limit: 0, remaining: 0, resetMs: 0, retryAfterMs: 0 };
  return { allowed, limit: best.limit, remaining: bestLeft, resetMs: best.resetMs, retryAfterMs };
}
