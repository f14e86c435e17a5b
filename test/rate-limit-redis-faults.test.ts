import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../src/logger.js';
import { createRedisClient } from '../src/stores/redis-client.js';
import { createRedisRateLimitStore } from '../src/stores/rate-limit-redis.js';
import { windowsOf } from '../src/stores/rate-limit-store.js';
import { captureLogger, freePort, startLimitedGateway, startOwnRedis, waitFor, type LimitedGateway, type OwnRedis } from './rate-limit-support.js';

/** Every Redis command of the gateway is bounded by this; a response may take it plus the request's own time. */
const TIMEOUT_MS = 200;
const SLACK_MS = 400;

let redis: OwnRedis | undefined;
let running: LimitedGateway | undefined;
const clients: Redis[] = [];
afterEach(async () => {
  await running?.close();
  running = undefined;
  for (const client of clients.splice(0)) client.disconnect();
  await redis?.close();
  redis = undefined;
});

const yaml = (url: string, failMode: 'open' | 'closed') => `
redis: { url: "${url}", commandTimeoutMs: ${TIMEOUT_MS} }
rateLimit:
  store: redis
  failMode: ${failMode}
  fields:
    Query.users: { month: 1000, by: ip }`;

async function timed(g: LimitedGateway): Promise<{ status: number; ms: number; code: unknown }> {
  const started = performance.now();
  const answer = await g.query('{ users { id } }');
  return { status: answer.status, ms: performance.now() - started, code: answer.body.errors?.[0]?.extensions?.['code'] };
}

async function startWithRedis(failMode: 'open' | 'closed') {
  redis = await startOwnRedis();
  const captured = captureLogger();
  const connected = waitFor(captured.lines, /redis connected/, 5_000);
  running = await startLimitedGateway(yaml(redis.url, failMode), { logger: captured.logger });
  await connected;
  return { g: running, own: redis, captured };
}

const countedKeys = async (own: OwnRedis) => ((await own.command('KEYS', 'junction:rl:*')) as string[]).length;

describe('rate limiting when Redis fails', () => {
  it('fail open: Redis killed mid-run, answers stay within the timeout from the local limiter (logged), then Redis comes back by itself', async () => {
    const { g, own, captured } = await startWithRedis('open');
    expect((await timed(g)).status).toBe(200);
    expect(await countedKeys(own)).toBe(1);
    await own.kill();
    const reconnectedAgain = waitFor(captured.lines, /redis connected/, 10_000);
    for (let i = 0; i < 5; i++) {
      const answer = await timed(g);
      expect(answer.status).toBe(200);
      expect(answer.ms).toBeLessThan(TIMEOUT_MS + SLACK_MS);
    }
    expect(captured.messages).toContain('rate-limit store unavailable; applying failMode');
    await own.start();
    await reconnectedAgain;
    expect(await countedKeys(own)).toBe(0);
    const deadline = Date.now() + 5_000;
    while ((await countedKeys(own)) === 0 && Date.now() < deadline) expect((await timed(g)).status).toBe(200);
    expect(await countedKeys(own)).toBe(1);
  });

  it('fail closed: Redis killed, limited requests get 503 SERVICE_UNAVAILABLE within the timeout; others are served', async () => {
    const { g, own } = await startWithRedis('closed');
    expect((await timed(g)).status).toBe(200);
    await own.kill();
    for (let i = 0; i < 3; i++) {
      const answer = await timed(g);
      expect(answer).toMatchObject({ status: 503, code: 'SERVICE_UNAVAILABLE' });
      expect(answer.ms).toBeLessThan(TIMEOUT_MS + SLACK_MS);
    }
    expect((await g.query('{ products { id } }')).status).toBe(200);
  });

  for (const failMode of ['open', 'closed'] as const) {
    it(`Redis paused (CLIENT PAUSE 5000), fail ${failMode}: answers within the command timeout`, async () => {
      const { g, own } = await startWithRedis(failMode);
      expect((await timed(g)).status).toBe(200);
      await own.command('CLIENT', 'PAUSE', '5000');
      const answers = [await timed(g), await timed(g), await timed(g)];
      for (const answer of answers) {
        expect(answer.ms).toBeLessThan(TIMEOUT_MS + SLACK_MS);
        expect(answer.status).toBe(failMode === 'open' ? 200 : 503);
      }
      expect(answers[0]!.ms).toBeGreaterThanOrEqual(TIMEOUT_MS * 0.9);
    });
  }

  it('starts without Redis, serves from the local limiter, and picks Redis up when it appears', async () => {
    const port = await freePort();
    const captured = captureLogger();
    running = await startLimitedGateway(yaml(`redis://127.0.0.1:${port}`, 'open'), { logger: captured.logger });
    const first = await timed(running);
    expect(first.status).toBe(200);
    expect(first.ms).toBeLessThan(TIMEOUT_MS + SLACK_MS);
    const connected = waitFor(captured.lines, /redis connected/, 10_000);
    redis = await startOwnRedis(port);
    await connected;
    const deadline = Date.now() + 5_000;
    while ((await countedKeys(redis)) === 0 && Date.now() < deadline) await timed(running);
    expect(await countedKeys(redis)).toBe(1);
  });
});

describe('the bounded Redis client', () => {
  it('never queues a command while disconnected: it fails at once', async () => {
    const port = await freePort();
    const client = createRedisClient({ url: `redis://127.0.0.1:${port}`, commandTimeoutMs: 5_000, connectTimeoutMs: 1_000, keyPrefix: 'junction:' }, silentLogger());
    clients.push(client);
    const store = createRedisRateLimitStore({ client });
    const started = performance.now();
    await expect(store.consume([{ key: 'k', cost: 1, windows: windowsOf({ second: 1 }) }])).rejects.toThrow(/enableOfflineQueue|writeable|Connection/i);
    expect(performance.now() - started).toBeLessThan(100);
  });

  it('runs the check by EVALSHA, and loads the script again after SCRIPT FLUSH', async () => {
    redis = await startOwnRedis();
    const client = createRedisClient({ url: redis.url, commandTimeoutMs: 1_000, connectTimeoutMs: 1_000, keyPrefix: 'junction:' }, silentLogger());
    clients.push(client);
    await new Promise((resolve) => client.once('ready', resolve));
    const store = createRedisRateLimitStore({ client });
    for (let i = 0; i < 3; i++) await store.consume([{ key: 'k', cost: 1, windows: windowsOf({ minute: 9 }) }]);
    const before = String(await redis.command('INFO', 'commandstats'));
    expect(before).toMatch(/cmdstat_evalsha:calls=2,.*failed_calls=0/);
    expect(before).toMatch(/cmdstat_eval:calls=1,/);
    await redis.command('SCRIPT', 'FLUSH');
    expect(await store.consume([{ key: 'k', cost: 1, windows: windowsOf({ minute: 9 }) }])).toMatchObject({ allowed: true, remaining: 5 });
    const after = String(await redis.command('INFO', 'commandstats'));
    expect(after).toMatch(/cmdstat_evalsha:calls=3,.*failed_calls=1/);
    expect(after).toMatch(/cmdstat_eval:calls=2,/);
  });
});

