import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rateLimitSchema } from '../../src/config/rate-limit.js';
import { JunctionError } from '../../src/errors.js';
import { silentLogger } from '../../src/logger.js';
import { createRedisClient } from '../../src/stores/redis-client.js';
import { TEST_REDIS_URL, testRedisReachable } from '../../src/stores/redis-test-support.js';
import { createMemoryRateLimitStore } from '../../src/stores/rate-limit-memory.js';
import { createRedisRateLimitStore } from '../../src/stores/rate-limit-redis.js';
import { windowsOf, type Budget, type RateLimitStore } from '../../src/stores/rate-limit-store.js';
import type { Principal } from '../policy.js';
import { compileRule } from './args.js';
import type { Caller } from './caller.js';
import { createLimiter, mergeSameKeys, type Charge } from './limiter.js';

const redisUp = await testRedisReachable();
let client: Redis | undefined;
const prefix = `junction-test:${randomUUID()}:`;

beforeAll(async () => {
  if (!redisUp) return;
  client = createRedisClient({ url: TEST_REDIS_URL, commandTimeoutMs: 1_000, connectTimeoutMs: 1_000, keyPrefix: prefix }, silentLogger());
  await new Promise<void>((resolve) => client!.once('ready', () => resolve()));
});

afterAll(async () => {
  if (client === undefined) return;
  const keys = await client.keys(`${prefix}*`);
  if (keys.length > 0) await client.unlink(...keys.map((key) => key.slice(prefix.length)));
  client.disconnect();
});

/** Mid-minute, 11 h 59 min 30 s before the end of the UTC day. */
const NOW = Date.UTC(2024, 5, 1, 12, 0, 30);
const stores: { name: string; enabled: boolean; make: () => RateLimitStore }[] = [
  { name: 'memory', enabled: true, make: () => createMemoryRateLimitStore({}, { now: () => NOW }) },
  { name: 'redis', enabled: redisUp, make: () => createRedisRateLimitStore({ client: client!, clock: () => NOW }) },
];

const acme: Principal = { id: 'acme', scopes: [], claims: {}, method: 'api-key', plan: 'basic' };
const callerOf = (principal: Principal): Caller => ({ principal, clientIp: '10.0.0.1', header: () => undefined });

async function refusal(promise: Promise<unknown>): Promise<JunctionError> {
  const error = await promise.then(() => undefined, (rejected: unknown) => rejected);
  expect(error).toBeInstanceOf(JunctionError);
  return error as JunctionError;
}

for (const kind of stores) {
  describe.skipIf(!kind.enabled)(`limiter over the ${kind.name} store: a request's rules are all or nothing`, () => {
    const config = rateLimitSchema.parse({ plans: { basic: { quota: { day: 4 } } } });

    it('a request refused by a field rule spends nothing of the plan quota, in one store call', async () => {
      const store = kind.make();
      let calls = 0;
      const limiter = createLimiter(config, { consume: (budgets) => (calls++, store.consume(budgets)) });
      const field: Charge = { rule: compileRule(`field:Query.products:${randomUUID()}`, { minute: 1, by: 'consumer', cost: 1 }), units: 1 };
      const caller = callerOf({ ...acme, id: randomUUID() });
      expect(await limiter.check(caller, [field], 1)).toMatchObject({ allowed: true, limit: 1, remaining: 0 });
      for (let i = 0; i < 3; i++) {
        const error = await refusal(limiter.check(caller, [field], 1));
        expect(error.code).toBe('RATE_LIMITED');
        expect(error.headers).toMatchObject({ 'retry-after': '30', 'ratelimit-limit': '1', 'ratelimit-remaining': '0', 'ratelimit-reset': '30' });
      }
      expect(calls).toBe(4);
      expect(await limiter.check(caller, [], 1)).toMatchObject({ allowed: true, limit: 4, remaining: 2 });
    });

    it('when several rules refuse, the rejection reports the window that frees up last', async () => {
      const limiter = createLimiter(config, kind.make());
      const field: Charge = { rule: compileRule(`field:Query.users:${randomUUID()}`, { minute: 1, by: 'field', cost: 1 }), units: 1 };
      const caller = callerOf({ ...acme, id: randomUUID() });
      await limiter.check(caller, [], 3);
      await limiter.check(caller, [field], 1);
      const error = await refusal(limiter.check(caller, [field], 1));
      expect(error.headers).toMatchObject({ 'retry-after': '43170', 'ratelimit-limit': '4', 'ratelimit-remaining': '0', 'ratelimit-reset': '43170' });
      expect(error.extensions).toMatchObject({ retryAfter: 43_170, rateLimit: { limit: 4, remaining: 0, reset: 43_170 } });
    });
  });
}

describe('limiter: one budget per key in a store call', () => {
  const config = rateLimitSchema.parse({ plans: { basic: { quota: { day: 4 } } } });
  const caller = callerOf(acme);

  function recording() {
    const calls: Budget[][] = [];
    const store: RateLimitStore = { consume: (budgets) => (calls.push([...budgets]), createMemoryRateLimitStore({}, { now: () => NOW }).consume(budgets)) };
    return { calls, limiter: createLimiter(config, store) };
  }

  it('adds up the costs of charges with the same key and windows, in one budget at the first one\'s place', async () => {
    const { calls, limiter } = recording();
    const rule = compileRule('field:Query.products', { minute: 10, by: 'consumer', cost: 2 });
    const same = compileRule('field:Query.products', { minute: 10, by: 'consumer', cost: 3 });
    const other = compileRule('field:Query.users', { minute: 10, by: 'consumer', cost: 1 });
    expect(await limiter.check(caller, [{ rule, units: 1 }, { rule: other, units: 1 }, { rule: same, units: 1 }], 1)).toMatchObject({ allowed: true });
    expect(calls).toHaveLength(1);
    expect(calls[0]!.map((budget) => [budget.key.slice(0, 16), budget.cost])).toEqual([[rule.id, 5], [other.id, 1], [expect.any(String) as unknown, 1]]);
    expect(new Set(calls[0]!.map((budget) => budget.key)).size).toBe(3);
  });

  it('rejects with an Error (not RATE_LIMITED) when a key comes with different windows, and calls no store', async () => {
    const { calls, limiter } = recording();
    const rule = compileRule('field:Query.products', { minute: 10, by: 'consumer', cost: 1 });
    const tighter = compileRule('field:Query.products', { minute: 5, by: 'consumer', cost: 1 });
    const error = await limiter.check(caller, [{ rule, units: 1 }, { rule: tighter, units: 1 }], 1).then(() => undefined, (rejected: unknown) => rejected);
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(JunctionError);
    expect((error as Error).message).toMatch(/different windows/);
    expect(calls).toHaveLength(0);
  });

  it('refuses with 400 COST_ESTIMATED_TOO_EXPENSIVE, spending nothing, a request costing more than a window allows: no Retry-After could help it', async () => {
    const { calls, limiter } = recording();
    const rule = compileRule('field:Query.products', { minute: 3, by: 'consumer', cost: 1 });
    const error = await limiter.check(caller, [{ rule, units: 4 }], 1).then(() => undefined, (rejected: unknown) => rejected);
    expect(error).toBeInstanceOf(JunctionError);
    expect([(error as JunctionError).code, (error as JunctionError).status]).toEqual(['COST_ESTIMATED_TOO_EXPENSIVE', 400]);
    expect(calls).toHaveLength(0);
    expect(await limiter.check(caller, [{ rule, units: 3 }], 1)).toMatchObject({ allowed: true });
  });

  it('refuses a rule whose cost is over one of its windows\' limits at load', () => {
    expect(() => rateLimitSchema.parse({ fields: { 'Query.products': { minute: 3, hour: 100, cost: 4 } } })).toThrow(/cost.*over a window/);
    expect(rateLimitSchema.parse({ fields: { 'Query.products': { minute: 4, cost: 4 } } }).fields['Query.products']?.cost).toBe(4);
  });

  it('gives back the very list when every key is distinct', () => {
    const budgets: Budget[] = [
      { key: 'a', cost: 1, windows: windowsOf({ minute: 3 }) },
      { key: 'b', cost: 1, windows: windowsOf({ minute: 3 }) },
    ];
    expect(mergeSameKeys(budgets)).toBe(budgets);
    const dup = [...budgets, { key: 'a', cost: 2, windows: windowsOf({ minute: 3 }) }];
    expect(mergeSameKeys(dup)).toEqual([{ key: 'a', cost: 3, windows: windowsOf({ minute: 3 }) }, budgets[1]]);
    expect(() => mergeSameKeys([...budgets, { key: 'b', cost: 1, windows: windowsOf({ second: 3, minute: 3 }) }])).toThrow(/"b"/);
  });
});
