import { hash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import { pickReported, windowBounds, type ConsumeResult, type RateLimitStore, type RateWindow, type WindowState } from './rate-limit-store.js';

export interface MemoryRateLimitStoreOptions {
  /** Most keys kept; past it the least recently used key is forgotten. Default 100 000. */
  maxKeys?: number;
}

export interface MemoryRateLimitStoreDeps {
  now: () => number;
}

/** Window starts and counts of one key, in the order of its windows. */
interface Entry {
  starts: number[];
  counts: number[];
}

/** Keys longer than this are kept as their sha256, so a huge header value costs no more memory than a short one. */
const MAX_RAW_KEY = 128;

/**
 * Exact counters in process memory. Checks are synchronous, so no two requests interleave.
 * Bounded: at most `maxKeys` keys (LRU), and each key is dropped once its longest window is over,
 * so random keys cannot grow memory without bound. A key evicted under pressure starts afresh.
 */
export function createMemoryRateLimitStore(options: MemoryRateLimitStoreOptions, deps: MemoryRateLimitStoreDeps): RateLimitStore & { size(): number } {
  const entries = new LRUCache<string, Entry>({ max: options.maxKeys ?? 100_000, perf: { now: deps.now }, ttlResolution: 0 });

  function consumeNow(rawKey: string, cost: number, windows: readonly RateWindow[]): ConsumeResult {
    const key = rawKey.length > MAX_RAW_KEY ? hash('sha256', rawKey, 'base64url') : rawKey;
    const now = deps.now();
    const entry = entries.get(key);
    const states: WindowState[] = [];
    const starts: number[] = [];
    let longestEnd = now;
    for (let index = 0; index < windows.length; index++) {
      const window = windows[index]!;
      const [start, end] = windowBounds(window.windowMs, now);
      const used = entry !== undefined && entry.starts[index] === start ? entry.counts[index]! : 0;
      states.push({ limit: window.limit, used, resetMs: end - now });
      starts.push(start);
      if (end > longestEnd) longestEnd = end;
    }
    const result = pickReported(states, cost);
    if (!result.allowed || windows.length === 0) return result;
    if (entry !== undefined && sameStarts(entry.starts, starts)) {
      // Same windows as stored: count in place (the entry already expires with its longest window).
      for (let index = 0; index < windows.length; index++) entry.counts[index]! += cost;
    } else {
      entries.set(key, { starts, counts: states.map((state) => state.used + cost) }, { ttl: longestEnd - now });
    }
    return result;
  }

  return {
    consume: (key, cost, windows) => Promise.resolve(consumeNow(key, cost, windows)),
    size: () => {
      entries.purgeStale();
      return entries.size;
    },
    close: async () => entries.clear(),
  };
}

function sameStarts(stored: readonly number[], current: readonly number[]): boolean {
  if (stored.length !== current.length) return false;
  for (let index = 0; index < current.length; index++) if (stored[index] !== current[index]) return false;
  return true;
}
