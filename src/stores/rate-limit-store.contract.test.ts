import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../logger.js';
import { createRedisClient } from './redis-client.js';
import { createMemoryRateLimitStore } from './rate-limit-memory.js';
import { createRedisRateLimitStore, redisKeyOf } from './rate-limit-redis.js';
import { windowsOf, type RateLimitStore, type RateWindow } from './rate-limit-store.js';
import { TEST_REDIS_URL, testRedisReachable } from './redis-test-support.js';

/** One contract, both stores: the same calls at the same (injected) instants give the same answers. */
const redisUp = await testRedisReachable();
let clientForRedis: Redis | undefined;

const stores: { name: string; enabled: boolean; make: (now: () => number) => RateLimitStore }[] = [
  { name: 'memory', enabled: true, make: (now) => createMemoryRateLimitStore({}, { now }) },
  { name: 'redis', enabled: redisUp, make: (now) => createRedisRateLimitStore({ client: clientForRedis!, clock: now }) },
];

beforeAll(async () => {
  if (!redisUp) return;
  clientForRedis = createRedisClient(
    { url: TEST_REDIS_URL, commandTimeoutMs: 1_000, connectTimeoutMs: 1_000, keyPrefix: `junction-test:${randomUUID()}:` },
    silentLogger(),
  );
  await new Promise<void>((resolve) => clientForRedis!.once('ready', () => resolve()));
});

afterAll(async () => {
  if (clientForRedis === undefined) return;
  const keys = await clientForRedis.keys(`${clientForRedis.options.keyPrefix}*`);
  if (keys.length > 0) await clientForRedis.unlink(...keys.map((key) => key.slice(clientForRedis!.options.keyPrefix!.length)));
  clientForRedis.disconnect();
});

for (const kind of stores) {
  describe.skipIf(!kind.enabled)(`rate-limit store contract: ${kind.name}`, () => {
    let time = Date.UTC(2024, 0, 10, 12, 0, 0, 250);
    const now = (): number => time;
    let store: RateLimitStore;
    let key: string;
    beforeAll(() => {
      store = kind.make(now);
    });
    const fresh = (): string => (key = `k:${randomUUID()}`);
    /** One budget alone, as a request with one rule spends. */
    const consume = (one: string, cost: number, windows: readonly RateWindow[]) => store.consume([{ key: one, cost, windows }]);

    it('allows exactly `limit` units per window, then refuses with the time to the reset', async () => {
      fresh();
      const windows = windowsOf({ second: 3 });
      const answers = [];
      for (let i = 0; i < 4; i++) answers.push(await consume(key, 1, windows));
      expect(answers.map((a) => a.allowed)).toEqual([true, true, true, false]);
      expect(answers.map((a) => a.remaining)).toEqual([2, 1, 0, 0]);
      expect(answers[0]).toMatchObject({ limit: 3, resetMs: 750, retryAfterMs: 0 });
      expect(answers[3]).toMatchObject({ limit: 3, resetMs: 750, retryAfterMs: 750 });
      time += 750;
      expect(await consume(key, 1, windows)).toMatchObject({ allowed: true, remaining: 2, resetMs: 1_000 });
    });

    it('checks several windows at once and reports the tightest one', async () => {
      fresh();
      const windows = windowsOf({ second: 5, minute: 7 });
      for (let i = 0; i < 5; i++) await consume(key, 1, windows);
      const sixth = await consume(key, 1, windows);
      expect(sixth).toMatchObject({ allowed: false, limit: 5, remaining: 0 });
      time += 1_000;
      expect(await consume(key, 1, windows)).toMatchObject({ allowed: true, limit: 7, remaining: 1 });
      expect(await consume(key, 1, windows)).toMatchObject({ allowed: true, limit: 7, remaining: 0 });
      const refused = await consume(key, 1, windows);
      expect(refused.allowed).toBe(false);
      expect(refused.limit).toBe(7);
      expect(refused.retryAfterMs).toBe(refused.resetMs);
      expect(refused.retryAfterMs).toBeGreaterThan(1_000);
    });

    it('spends the whole cost or nothing: a refused request leaves every window untouched', async () => {
      fresh();
      const windows = windowsOf({ second: 10, hour: 4 });
      expect(await consume(key, 3, windows)).toMatchObject({ allowed: true, remaining: 1 });
      expect(await consume(key, 2, windows)).toMatchObject({ allowed: false, remaining: 1, limit: 4 });
      expect(await consume(key, 1, windows)).toMatchObject({ allowed: true, remaining: 0 });
      expect(await consume(key, 5, windowsOf({ second: 4 }))).toMatchObject({ allowed: false });
    });

    it('several budgets in one call: a refusal by any window of any budget spends nothing in any of them', async () => {
      time = Date.UTC(2024, 0, 10, 12, 0, 0, 250);
      const field = { key: fresh(), cost: 1, windows: windowsOf({ minute: 1 }) };
      const quota = { key: fresh(), cost: 1, windows: windowsOf({ second: 10, day: 4 }) };
      expect(await store.consume([field, quota])).toMatchObject({ allowed: true, limit: 1, remaining: 0 });
      for (let i = 0; i < 3; i++) {
        expect(await store.consume([field, quota])).toMatchObject({ allowed: false, limit: 1, remaining: 0, resetMs: 59_750, retryAfterMs: 59_750 });
      }
      expect(await consume(quota.key, 1, quota.windows)).toMatchObject({ allowed: true, limit: 4, remaining: 2 });
      expect(await store.consume([quota, { ...field, key: fresh() }])).toMatchObject({ allowed: true, limit: 1, remaining: 0 });
      expect(await consume(quota.key, 2, quota.windows)).toMatchObject({ allowed: false, limit: 4, remaining: 1 });
    });

    it('several budgets: each spends its own cost, the tightest window is reported', async () => {
      time = Date.UTC(2024, 0, 10, 12, 0, 0, 250);
      const wide = { key: fresh(), cost: 3, windows: windowsOf({ hour: 12 }) };
      const narrow = { key: fresh(), cost: 1, windows: windowsOf({ second: 5 }) };
      expect(await store.consume([wide, narrow])).toMatchObject({ allowed: true, limit: 5, remaining: 4, resetMs: 750 });
      expect(await store.consume([wide, narrow])).toMatchObject({ allowed: true, limit: 5, remaining: 3 });
      expect(await store.consume([wide, narrow])).toMatchObject({ allowed: true, limit: 5, remaining: 2 });
      expect(await store.consume([wide, narrow])).toMatchObject({ allowed: true, limit: 12, remaining: 0 });
      expect(await store.consume([wide, narrow])).toMatchObject({ allowed: false, limit: 12, remaining: 0 });
      expect(await consume(narrow.key, 1, narrow.windows)).toMatchObject({ allowed: true, limit: 5, remaining: 0 });
    });

    it('several budgets refused at once: reports the refusing window that frees up last', async () => {
      time = Date.UTC(2024, 0, 10, 12, 0, 0, 250);
      const second = { key: fresh(), cost: 1, windows: windowsOf({ second: 1 }) };
      const hour = { key: fresh(), cost: 1, windows: windowsOf({ hour: 1 }) };
      await store.consume([second, hour]);
      const refused = await store.consume([second, hour]);
      expect(refused).toMatchObject({ allowed: false, limit: 1, remaining: 0, retryAfterMs: refused.resetMs });
      expect(refused.retryAfterMs).toBe(3_600_000 - 250);
      time += 750;
      expect(await store.consume([second, hour])).toMatchObject({ allowed: false, retryAfterMs: 3_600_000 - 1_000 });
      expect(await consume(second.key, 1, second.windows)).toMatchObject({ allowed: true });
    });

    it('keeps keys apart', async () => {
      const windows = windowsOf({ minute: 1 });
      const a = fresh();
      const b = fresh();
      expect((await consume(a, 1, windows)).allowed).toBe(true);
      expect((await consume(a, 1, windows)).allowed).toBe(false);
      expect((await consume(b, 1, windows)).allowed).toBe(true);
    });

    it('uses UTC calendar months for `month`', async () => {
      fresh();
      const windows = windowsOf({ month: 2 });
      time = Date.UTC(2024, 1, 29, 23, 59, 59, 0);
      await consume(key, 2, windows);
      const refused = await consume(key, 1, windows);
      expect(refused).toMatchObject({ allowed: false, retryAfterMs: 1_000 });
      time = Date.UTC(2024, 2, 1);
      expect(await consume(key, 1, windows)).toMatchObject({ allowed: true, resetMs: 31 * 86_400_000 });
      time = Date.UTC(2024, 11, 31, 0, 0, 0, 0);
      expect(await consume(key, 1, windows)).toMatchObject({ allowed: true, resetMs: 86_400_000 });
    });

    it('answers concurrent checks exactly: 50 at once against a limit of 20', async () => {
      fresh();
      const windows = windowsOf({ hour: 20 });
      const answers = await Promise.all(Array.from({ length: 50 }, () => consume(key, 1, windows)));
      expect(answers.filter((a) => a.allowed)).toHaveLength(20);
    });

    it('answers concurrent multi-budget checks exactly: the refused ones spend nothing of their own budgets', async () => {
      const shared = { key: fresh(), cost: 1, windows: windowsOf({ hour: 20 }) };
      const own = Array.from({ length: 50 }, () => ({ key: fresh(), cost: 1, windows: windowsOf({ hour: 1 }) }));
      const answers = await Promise.all(own.map((budget) => store.consume([budget, shared])));
      expect(answers.filter((a) => a.allowed)).toHaveLength(20);
      const afterwards = await Promise.all(own.map((budget) => consume(budget.key, 1, budget.windows)));
      expect(afterwards.map((a) => a.allowed)).toEqual(answers.map((a) => !a.allowed));
    });
  });
}

describe.skipIf(!redisUp)('redis store key names', () => {
  it('are the sha256 of the raw key, never the raw key', async () => {
    const raw = `apikey:secret-token-${randomUUID()}`;
    const store = createRedisRateLimitStore({ client: clientForRedis! });
    await store.consume([{ key: raw, cost: 1, windows: windowsOf({ minute: 5 }) }]);
    const keys = await clientForRedis!.keys(`${clientForRedis!.options.keyPrefix}*`);
    expect(keys.some((k) => k.includes('secret-token'))).toBe(false);
    expect(keys).toContain(`${clientForRedis!.options.keyPrefix}${redisKeyOf(raw)}`);
    expect(redisKeyOf(raw)).toMatch(/^rl:[A-Za-z0-9_-]{43}$/);
  });

});
