import { hash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import { pickReported, windowBounds, type Budget, type ConsumeResult, type RateLimitStore, type WindowState } from './rate-limit-store.js';

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

/** A window as read in the check pass, with what the spend pass needs to count it. */
interface ReadWindow extends WindowState {
  start: number;
  /** The stored entry of the window's key, if any. */
  entry: Entry | undefined;
}

/** Keys longer than this are kept as their sha256, so a huge header value costs no more memory than a short one. */
const MAX_RAW_KEY = 128;

const storedKey = (rawKey: string): string => (rawKey.length > MAX_RAW_KEY ? hash('sha256', rawKey, 'base64url') : rawKey);

/**
 * Exact counters in process memory. A check is synchronous (a check pass over every window of
 * every budget, then a spend pass when all have room), so no two requests interleave.
 * Bounded: at most `maxKeys` keys (LRU), and each key is dropped once its longest window is over,
 * so random keys cannot grow memory without bound. A key evicted under pressure starts afresh.
 */
export function createMemoryRateLimitStore(options: MemoryRateLimitStoreOptions, deps: MemoryRateLimitStoreDeps): RateLimitStore & { size(): number } {
  const entries = new LRUCache<string, Entry>({ max: options.maxKeys ?? 100_000, perf: { now: deps.now }, ttlResolution: 0 });

  function consumeNow(budgets: readonly Budget[]): ConsumeResult {
    const now = deps.now();
    const read: ReadWindow[] = [];
    for (const { key, cost, windows } of budgets) {
      const entry = windows.length === 0 ? undefined : entries.get(storedKey(key));
      for (let index = 0; index < windows.length; index++) {
        const window = windows[index]!;
        const [start, end] = windowBounds(window.windowMs, now);
        const used = entry !== undefined && entry.starts[index] === start ? entry.counts[index]! : 0;
        read.push({ limit: window.limit, used, cost, resetMs: end - now, start, entry });
      }
    }
    const result = pickReported(read);
    if (!result.allowed) return result;
    let first = 0;
    for (const { key, cost, windows } of budgets) {
      if (windows.length > 0) spend(key, cost, read, first, windows.length);
      first += windows.length;
    }
    return result;
  }

  /** Counts `cost` in the `count` windows of one key that start at `read[first]`. */
  function spend(key: string, cost: number, read: readonly ReadWindow[], first: number, count: number): void {
    const entry = read[first]!.entry;
    if (entry !== undefined && sameStarts(entry.starts, read, first, count)) {
      // Same windows as stored: count in place (the entry already expires with its longest window).
      for (let index = 0; index < count; index++) entry.counts[index]! += cost;
      return;
    }
    const starts: number[] = [];
    const counts: number[] = [];
    let longestMs = 0;
    for (let index = first; index < first + count; index++) {
      const window = read[index]!;
      starts.push(window.start);
      counts.push(window.used + cost);
      if (window.resetMs > longestMs) longestMs = window.resetMs;
    }
    entries.set(storedKey(key), { starts, counts }, { ttl: longestMs });
  }

  return {
    consume: (budgets) => Promise.resolve(consumeNow(budgets)),
    size: () => {
      entries.purgeStale();
      return entries.size;
    },
    close: async () => entries.clear(),
  };
}

function sameStarts(stored: readonly number[], read: readonly ReadWindow[], first: number, count: number): boolean {
  if (stored.length !== count) return false;
  for (let index = 0; index < count; index++) if (stored[index] !== read[first + index]!.start) return false;
  return true;
}
