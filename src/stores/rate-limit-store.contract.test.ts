import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../logger.js';
import { createRedisClient } from './redis-client.js';
import { createMemoryRateLimitStore } from './rate-limit-memory.js';
import { createRedisRateLimitStore, redisKeyOf } from './rate-limit-redis.js';
import { windowsOf, type RateLimitStore } from './rate-limit-store.js';
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

    it('allows exactly `limit` units per window, then refuses with the time to the reset', async () => {
      fresh();
      const windows = windowsOf({ second: 3 });
      const answers = [];
      for (let i = 0; i < 4; i++) answers.push(await store.consume(key, 1, windows));
      expect(answers.map((a) => a.allowed)).toEqual([true, true, true, false]);
      expect(answers.map((a) => a.remaining)).toEqual([2, 1, 0, 0]);
      expect(answers[0]).toMatchObject({ limit: 3, resetMs: 750, retryAfterMs: 0 });
      expect(answers[3]).toMatchObject({ limit: 3, resetMs: 750, retryAfterMs: 750 });
      time += 750;
      expect(await store.consume(key, 1, windows)).toMatchObject({ allowed: true, remaining: 2, resetMs: 1_000 });
    });

    it('checks several windows at once and reports the tightest one', async () => {
      fresh();
      const windows = windowsOf({ second: 5, minute: 7 });
      for (let i = 0; i < 5; i++) await store.consume(key, 1, windows);
      const sixth = await store.consume(key, 1, windows);
      expect(sixth).toMatchObject({ allowed: false, limit: 5, remaining: 0 });
      time += 1_000;
      expect(await store.consume(key, 1, windows)).toMatchObject({ allowed: true, limit: 7, remaining: 1 });
      expect(await store.consume(key, 1, windows)).toMatchObject({ allowed: true, limit: 7, remaining: 0 });
      const refused = await store.consume(key, 1, windows);
      expect(refused.allowed).toBe(false);
      expect(refused.limit).toBe(7);
      expect(refused.retryAfterMs).toBe(refused.resetMs);
      expect(refused.retryAfterMs).toBeGreaterThan(1_000);
    });

    it('spends the whole cost or nothing: a refused request leaves every window untouched', async () => {
      fresh();
      const windows = windowsOf({ second: 10, hour: 4 });
      expect(await store.consume(key, 3, windows)).toMatchObject({ allowed: true, remaining: 1 });
      expect(await store.consume(key, 2, windows)).toMatchObject({ allowed: false, remaining: 1, limit: 4 });
      expect(await store.consume(key, 1, windows)).toMatchObject({ allowed: true, remaining: 0 });
      expect(await store.consume(key, 5, windowsOf({ second: 4 }))).toMatchObject({ allowed: false });
    });

    it('keeps keys apart', async () => {
      const windows = windowsOf({ minute: 1 });
      const a = fresh();
      const b = fresh();
      expect((await store.consume(a, 1, windows)).allowed).toBe(true);
      expect((await store.consume(a, 1, windows)).allowed).toBe(false);
      expect((await store.consume(b, 1, windows)).allowed).toBe(true);
    });

    it('uses UTC calendar months for `month`', async () => {
      fresh();
      const windows = windowsOf({ month: 2 });
      time = Date.UTC(2024, 1, 29, 23, 59, 59, 0);
      await store.consume(key, 2, windows);
      const refused = await store.consume(key, 1, windows);
      expect(refused).toMatchObject({ allowed: false, retryAfterMs: 1_000 });
      time = Date.UTC(2024, 2, 1);
      expect(await store.consume(key, 1, windows)).toMatchObject({ allowed: true, resetMs: 31 * 86_400_000 });
      time = Date.UTC(2024, 11, 31, 0, 0, 0, 0);
      expect(await store.consume(key, 1, windows)).toMatchObject({ allowed: true, resetMs: 86_400_000 });
    });

    it('answers concurrent checks exactly: 50 at once against a limit of 20', async () => {
      fresh();
      const windows = windowsOf({ hour: 20 });
      const answers = await Promise.all(Array.from({ length: 50 }, () => store.consume(key, 1, windows)));
      expect(answers.filter((a) => a.allowed)).toHaveLength(20);
    });
  });
}

describe.skipIf(!redisUp)('redis store key names', () => {
  it('are the sha256 of the raw key, never the raw key', async () => {
    const raw = `apikey:secret-token-${randomUUID()}`;
    const store = createRedisRateLimitStore({ client: clientForRedis! });
    await store.consume(raw, 1, windowsOf({ minute: 5 }));
    const keys = await clientForRedis!.keys(`${clientForRedis!.options.keyPrefix}*`);
    expect(keys.some((k) => k.includes('secret-token'))).toBe(false);
    expect(keys).toContain(`${clientForRedis!.options.keyPrefix}${redisKeyOf(raw)}`);
    expect(redisKeyOf(raw)).toMatch(/^rl:[A-Za-z0-9_-]{43}$/);
  });

});
