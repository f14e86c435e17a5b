import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { redisSchema } from '../config/redis.js';
import { silentLogger } from '../logger.js';
import { createRedisCacheStore } from './cache-redis-store.js';
import { cacheStoreContract } from './cache-store-contract.js';
import { createRedisClient } from './redis-client.js';
import { TEST_REDIS_URL, testRedisReachable } from './redis-test-support.js';

const REDIS_URL = TEST_REDIS_URL;

const redisUp = await testRedisReachable(REDIS_URL);
const mustRun = process.env['CI'] === 'true';

async function readyClient(keyPrefix: string): Promise<Redis> {
  const client = createRedisClient(redisSchema.parse({ url: REDIS_URL, keyPrefix }), silentLogger());
  if (client.status !== 'ready') await new Promise((resolve) => client.once('ready', resolve));
  return client;
}

describe.skipIf(!redisUp && !mustRun)('redis cache store', () => {
  cacheStoreContract('redis', async () => {
    // A fresh prefix per test: the shared Redis is never touched outside it.
    const prefix = `junction-test:${randomUUID()}:`;
    const client = await readyClient(prefix);
    const store = createRedisCacheStore({ redis: client, logger: silentLogger() });
    return {
      store,
      async remainingTtlMs(key) {
        const ttl = await client.pttl(`cache:e:${key}`);
        return ttl > 0 ? ttl : undefined;
      },
      async close() {
        await store.clear();
        client.disconnect();
      },
    };
  });

  it('clear leaves keys outside its prefix alone', async () => {
    const prefix = `junction-test:${randomUUID()}:`;
    const client = await readyClient(prefix);
    const store = createRedisCacheStore({ redis: client, logger: silentLogger() });
    await client.set('ratelimit:other', '1', 'PX', 60_000);
    await store.set('k', 'v', 60_000);
    await store.clear();
    expect(await store.get('k')).toBeUndefined();
    expect(await client.get('ratelimit:other')).toBe('1');
    await client.del('ratelimit:other');
    client.disconnect();
  });
});

describe('redis cache store with Redis down', () => {
  let server: Server | undefined;
  afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

  it('bypasses reads and writes (a miss, a dropped write, never an error); purges fail; all within the command timeout', async () => {
    // A port that accepts connections but never answers: the worst case (a paused Redis).
    server = createServer((socket) => socket.on('error', () => undefined));
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const client = createRedisClient(redisSchema.parse({ url: `redis://127.0.0.1:${port}`, commandTimeoutMs: 100, connectTimeoutMs: 200 }), silentLogger());
    const store = createRedisCacheStore({ redis: client, logger: silentLogger() });
    const started = performance.now();
    expect(await store.get('k')).toBeUndefined();
    await expect(store.set('k', 'v', 1_000, ['E:A:1'])).resolves.toBeUndefined();
    // Purges are never dropped silently: they fail, within the command timeout too.
    await expect(store.invalidate(['E:A:1'])).rejects.toThrow();
    await expect(store.delete('k')).rejects.toThrow();
    await expect(store.clear()).rejects.toThrow();
    expect(performance.now() - started).toBeLessThan(1_000);
    client.disconnect();
  });

  it('bypasses when nothing listens at all', async () => {
    server = createServer();
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    await new Promise<void>((resolve) => server!.close(() => resolve()));
    server = undefined;
    const client = createRedisClient(redisSchema.parse({ url: `redis://127.0.0.1:${port}`, commandTimeoutMs: 100 }), silentLogger());
    const store = createRedisCacheStore({ redis: client, logger: silentLogger() });
    expect(await store.get('k')).toBeUndefined();
    await expect(store.set('k', 'v', 1_000)).resolves.toBeUndefined();
    client.disconnect();
  });
});

/** The commands the store sends, without a server: `get` fails while `down`, the rest answer. */
function fakeRedis() {
  const state = { down: false };
  const fake = {
    status: 'ready',
    options: { keyPrefix: 'p:' },
    defineCommand(name: string) {
      (fake as Record<string, unknown>)[name] = name === 'junctionCacheInvalidate' ? fake.invalidateScript : vi.fn(() => Promise.resolve(1));
    },
    get: vi.fn(() => (state.down ? Promise.reject(new Error('Command timed out')) : Promise.resolve(null))),
    del: vi.fn(() => Promise.resolve(1)),
    scan: vi.fn(() => Promise.resolve(['0', []])),
    invalidateScript: vi.fn(() => Promise.resolve(2)),
  };
  return { fake, state, redis: fake as unknown as Redis };
}

describe('redis cache store skip period after a failure', () => {
  it('still sends invalidate, delete and clear to Redis inside it; reads stay skipped', async () => {
    let clock = 1_000_000;
    const { fake, state, redis } = fakeRedis();
    const store = createRedisCacheStore({ redis, logger: silentLogger(), retryAfterMs: 1_000, now: () => clock });
    state.down = true;
    expect(await store.get('q1')).toBeUndefined();
    state.down = false;
    clock += 200; // inside the skip period
    expect(await store.get('q1')).toBeUndefined();
    expect(fake.get).toHaveBeenCalledTimes(1);
    expect(await store.invalidate(['E:Product:1'])).toBe(2);
    expect(fake.invalidateScript).toHaveBeenCalledWith(1, 'cache:t:E:Product:1');
    await store.delete('q1');
    expect(fake.del).toHaveBeenCalledWith('cache:e:q1');
    await store.clear();
    expect(fake.scan).toHaveBeenCalledTimes(1);
    expect(store.stats()).toEqual({ failures: 1, bypassed: 2 });
  });

  it('rejects a purge Redis failed, inside the skip period too', async () => {
    let clock = 1_000_000;
    const { fake, state, redis } = fakeRedis();
    const store = createRedisCacheStore({ redis, logger: silentLogger(), retryAfterMs: 1_000, now: () => clock });
    state.down = true;
    await store.get('q1');
    clock += 200;
    fake.invalidateScript.mockImplementationOnce(() => Promise.reject(new Error('Command timed out')));
    await expect(store.invalidate(['E:Product:1'])).rejects.toThrow('Command timed out');
    expect(fake.invalidateScript).toHaveBeenCalledTimes(1);
    expect(store.stats().failures).toBe(2);
  });
});
