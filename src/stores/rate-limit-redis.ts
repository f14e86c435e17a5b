import { hash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { CONSUME_SCRIPT } from './rate-limit-lua.js';
import type { ConsumeResult, RateLimitStore, RateWindow } from './rate-limit-store.js';

export interface RedisRateLimitStoreOptions {
  /** The shared client (./redis-client.ts): no offline queue, short command timeout. */
  client: Redis;
  /**
   * Clock of the windows. `server` (default) reads Redis's own clock inside the script, so
   * gateways with skewed clocks still agree on window boundaries; a function is for tests.
   */
  clock?: 'server' | (() => number);
}

type ConsumeCommand = (key: string, now: string, cost: number, ...windows: (string | number)[]) => Promise<number[]>;

/**
 * Counters in Redis, one hash per key, checked and spent by one Lua script per check (EVALSHA,
 * loaded again on NOSCRIPT by ioredis): atomic, so gateways sharing an instance enforce one global
 * limit with zero overshoot. Key names are the sha256 of the raw key; no token ever appears in one.
 * Every call is bounded by the client's command timeout and fails at once while disconnected.
 */
export function createRedisRateLimitStore(options: RedisRateLimitStoreOptions): RateLimitStore {
  const { client } = options;
  const clock = options.clock ?? 'server';
  if (typeof (client as unknown as Record<string, unknown>)['junctionRateLimitConsume'] !== 'function') {
    client.defineCommand('junctionRateLimitConsume', { numberOfKeys: 1, lua: CONSUME_SCRIPT });
  }
  const command = (client as unknown as Record<string, ConsumeCommand>)['junctionRateLimitConsume']!.bind(client);

  async function consume(rawKey: string, cost: number, windows: readonly RateWindow[]): Promise<ConsumeResult> {
    const args: (string | number)[] = [];
    for (const window of windows) args.push(String(window.windowMs), window.limit);
    const now = clock === 'server' ? '' : String(clock());
    const reply = await command(redisKeyOf(rawKey), now, cost, ...args);
    return { allowed: reply[0] === 1, limit: reply[1]!, remaining: reply[2]!, resetMs: reply[3]!, retryAfterMs: reply[4]! };
  }

  return { consume };
}

/** `rl:` + base64url sha256 of the raw key (the client adds its `keyPrefix`). */
export function redisKeyOf(rawKey: string): string {
  return `rl:${hash('sha256', rawKey, 'base64url')}`;
}
