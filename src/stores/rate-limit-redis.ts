import { hash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { CONSUME_SCRIPT } from './rate-limit-lua.js';
import type { Budget, ConsumeResult, RateLimitStore } from './rate-limit-store.js';

export interface RedisRateLimitStoreOptions {
  /** The shared client (./redis-client.ts): no offline queue, short command timeout. */
  client: Redis;
  /**
   * Clock of the windows. `server` (default) reads Redis's own clock inside the script, so
   * gateways with skewed clocks still agree on window boundaries; a function is for tests.
   */
  clock?: 'server' | (() => number);
}

/** The number of keys, the keys, then the script's ARGV (see ./rate-limit-lua.ts). */
type ConsumeCommand = (...args: (string | number)[]) => Promise<number[]>;

const COMMAND = 'junctionRateLimitConsumeAll';

/**
 * Counters in Redis, one hash per key, every key of a request checked and spent by one Lua script
 * (EVALSHA, loaded again on NOSCRIPT by ioredis): atomic, so gateways sharing an instance enforce
 * one global limit with zero overshoot, and a refused request spends nothing anywhere. Key names
 * are the sha256 of the raw key; no token ever appears in one. Every call is bounded by the
 * client's command timeout and fails at once while disconnected.
 */
export function createRedisRateLimitStore(options: RedisRateLimitStoreOptions): RateLimitStore {
  const { client } = options;
  const clock = options.clock ?? 'server';
  if (typeof (client as unknown as Record<string, unknown>)[COMMAND] !== 'function') {
    // No fixed numberOfKeys: each call passes how many keys it has.
    client.defineCommand(COMMAND, { lua: CONSUME_SCRIPT });
  }
  const command = (client as unknown as Record<string, ConsumeCommand>)[COMMAND]!.bind(client);

  async function consume(budgets: readonly Budget[]): Promise<ConsumeResult> {
    const args: (string | number)[] = [budgets.length];
    for (const budget of budgets) args.push(redisKeyOf(budget.key));
    args.push(clock === 'server' ? '' : String(clock()));
    for (const { cost, windows } of budgets) {
      args.push(cost, windows.length);
      for (const window of windows) args.push(String(window.windowMs), window.limit);
    }
    const reply = await command(...args);
    return { allowed: reply[0] === 1, limit: reply[1]!, remaining: reply[2]!, resetMs: reply[3]!, retryAfterMs: reply[4]! };
  }

  return { consume };
}

/** `rl:` + base64url sha256 of the raw key (the client adds its `keyPrefix`). */
export function redisKeyOf(rawKey: string): string {
  return `rl:${hash('sha256', rawKey, 'base64url')}`;
}
