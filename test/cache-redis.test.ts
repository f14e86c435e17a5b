import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config/index.js';
import { createGateway, type Gateway } from '../src/gateway.js';
import { silentLogger } from '../src/logger.js';
import { startAccounts, type AccountsService } from './helpers/cache-accounts.js';
import { TEST_REDIS_URL, testRedisReachable } from '../src/stores/redis-test-support.js';

const REDIS_URL = TEST_REDIS_URL;

const redisUp = await testRedisReachable(REDIS_URL);
const mustRun = process.env['CI'] === 'true';

function config(accounts: AccountsService, redisUrl: string, keyPrefix: string) {
  return parseConfig(`
server: { host: 127.0.0.1, port: 0 }
upstreams: { accounts: { url: "${accounts.url}" } }
sources:
  - { name: accounts, type: graphql, upstream: accounts, schema: { file: "${accounts.sdlFile}" } }
redis: { url: "${redisUrl}", keyPrefix: "${keyPrefix}", commandTimeoutMs: 100, connectTimeoutMs: 200 }
cache: { store: redis, adminToken: "cache-admin-token-0123456789" }
`, '/tmp/cache-redis.yaml', { env: {} });
}

const ports = new WeakMap<Gateway, number>();

async function query(gateway: Gateway, text: string): Promise<{ status: number; body: { data?: Record<string, unknown> | null }; cacheControl: string | null }> {
  let port = ports.get(gateway);
  if (port === undefined) ports.set(gateway, (port = (await gateway.listen()).port));
  const response = await fetch(`http://127.0.0.1:${port}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: text }) });
  return { status: response.status, body: (await response.json()) as { data?: Record<string, unknown> | null }, cacheControl: response.headers.get('cache-control') };
}

describe('GraphQL response cache on Redis (real gateways)', () => {
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  });

  it.skipIf(!redisUp && !mustRun)('shares entries and invalidations between two gateway processes', async () => {
    const accounts = await startAccounts();
    cleanup.push(() => accounts.close());
    const prefix = `junction-test:${randomUUID()}:`;
    const one = await createGateway(config(accounts, REDIS_URL, prefix), { logger: silentLogger() });
    cleanup.push(() => one.close());
    const two = await createGateway(config(accounts, REDIS_URL, prefix), { logger: silentLogger() });
    cleanup.push(() => two.close());
    const admin = new Redis(REDIS_URL, { keyPrefix: prefix });
    cleanup.push(async () => {
      const keys = await admin.keys(`${prefix}*`);
      if (keys.length > 0) await admin.unlink(...keys.map((key) => key.slice(prefix.length)));
      admin.disconnect();
    });
    await until(async () => (await query(one, '{ account(id: "a1") { id owner } }')).status === 200 && (await admin.exists('cache:t:T:Account')) === 1);
    const calls = accounts.calls.total;
    const fromTwo = await query(two, '{ account(id: "a1") { id owner } }');
    expect(fromTwo.body.data).toEqual({ account: { id: 'a1', owner: 'alice' } });
    expect(accounts.calls.total).toBe(calls);
    await query(two, 'mutation { renameAccount(id: "a1", owner: "dora") { id owner } }');
    const fromOne = await query(one, '{ account(id: "a1") { id owner } }');
    expect(fromOne.body.data).toEqual({ account: { id: 'a1', owner: 'dora' } });
  });

  it('bypasses the cache when Redis is down: every request still answered from upstream', async () => {
    const accounts = await startAccounts();
    cleanup.push(() => accounts.close());
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const gateway = await createGateway(config(accounts, `redis://127.0.0.1:${port}`, 'junction-test:'), { logger: silentLogger() });
    cleanup.push(() => gateway.close());
    for (let i = 0; i < 3; i++) {
      const answer = await query(gateway, '{ account(id: "a2") { id owner } }');
      expect(answer.status).toBe(200);
      expect(answer.body.data).toEqual({ account: { id: 'a2', owner: 'bob' } });
    }
    expect(accounts.calls.total).toBe(3);
  });
});

/** Retries a condition a bounded number of times (the Redis client connects in the background). */
async function until(condition: () => Promise<boolean>): Promise<void> {
  for (let attempt = 0; attempt < 50; attempt++) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error('condition not met');
}
