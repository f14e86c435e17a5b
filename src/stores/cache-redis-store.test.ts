import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
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

  it('bypasses: misses and dropped writes, never an error, within the command timeout', async () => {
    // A port that accepts connections but never answers: the worst case (a paused Redis).
    server = createServer((socket) => socket.on('error', () => undefined));
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const client = createRedisClient(redisSchema.parse({ url: `redis://127.0.0.1:${port}`, commandTimeoutMs: 100, connectTimeoutMs: 200 }), silentLogger());
    const store = createRedisCacheStore({ redis: client, logger: silentLogger() });
    const started = performance.now();
    expect(await store.get('k')).toBeUndefined();
    await expect(store.set('k', 'v', 1_000, ['E:A:1'])).resolves.toBeUndefined();
    expect(await store.invalidate(['E:A:1'])).toBe(0);
    await expect(store.clear()).resolves.toBeUndefined();
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
