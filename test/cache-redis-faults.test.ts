import { afterEach, describe, expect, it } from 'vitest';
import { captureLogger, startLimitedGateway, startOwnRedis, waitFor, type LimitedGateway, type OwnRedis } from './rate-limit-support.js';

/** Every Redis command of the gateway is bounded by this. */
const TIMEOUT_MS = 200;
const SLACK_MS = 400;
const RETRY_AFTER_MS = 1_000;

let redis: OwnRedis | undefined;
let running: LimitedGateway | undefined;
afterEach(async () => {
  await running?.close();
  running = undefined;
  await redis?.close();
  redis = undefined;
});

const yaml = (url: string) => `
redis: { url: "${url}", commandTimeoutMs: ${TIMEOUT_MS} }
cache:
  store: redis
  retryRedisAfterMs: ${RETRY_AFTER_MS}
  fields:
    Query.products: { maxAge: 30 }`;

interface Timed {
  status: number;
  ms: number;
  fromCache: boolean;
}

async function timed(g: LimitedGateway, alias: string): Promise<Timed> {
  const calls = g.services.catalog.calls.total;
  const started = performance.now();
  const answer = await g.query(`{ ${alias}: products { id } }`);
  const ms = performance.now() - started;
  expect(answer.body.errors).toBeUndefined();
  return { status: answer.status, ms, fromCache: g.services.catalog.calls.total === calls };
}

const storedEntries = async (own: OwnRedis) => ((await own.command('KEYS', 'junction:cache:e:*')) as string[]).length;

/** Entries are written after the answer leaves: wait (bounded) until `count` are in Redis. */
async function untilStored(own: OwnRedis, count: number): Promise<void> {
  for (let attempt = 0; attempt < 100 && (await storedEntries(own)) < count; attempt++) await new Promise((resolve) => setImmediate(resolve));
  expect(await storedEntries(own)).toBe(count);
}

describe('GraphQL response cache when Redis is paused', () => {
  it('answers from upstream within about one command timeout (Redis skipped after the first timeout), then caches again', async () => {
    redis = await startOwnRedis();
    const captured = captureLogger();
    const connected = waitFor(captured.lines, /redis connected/, 5_000);
    let clock = Date.now();
    running = await startLimitedGateway(yaml(redis.url), { logger: captured.logger, now: () => clock });
    await connected;
    const g = running;

    expect(await timed(g, 'a0')).toMatchObject({ status: 200, fromCache: false });
    await untilStored(redis, 1);
    expect(await timed(g, 'a0')).toMatchObject({ status: 200, fromCache: true });

    await redis.command('CLIENT', 'PAUSE', '1500');
    const paused = [await timed(g, 'a1'), await timed(g, 'a2'), await timed(g, 'a3'), await timed(g, 'a0')];
    for (const answer of paused) expect(answer).toMatchObject({ status: 200, fromCache: false });
    // The first pays the command timeout once; the others skip Redis instead of waiting on it.
    expect(paused[0]!.ms).toBeGreaterThanOrEqual(TIMEOUT_MS * 0.9);
    expect(paused[0]!.ms).toBeLessThan(TIMEOUT_MS + SLACK_MS);
    for (const answer of paused.slice(1)) expect(answer.ms).toBeLessThan(TIMEOUT_MS * 0.9);
    expect(captured.messages.filter((message) => message === 'cache store unavailable; cache bypassed')).toHaveLength(1);

    await redis.command('PING'); // answered when the pause ends
    clock += RETRY_AFTER_MS;
    expect(await timed(g, 'a1')).toMatchObject({ status: 200, fromCache: false });
    await untilStored(redis, 2);
    expect(await timed(g, 'a1')).toMatchObject({ status: 200, fromCache: true });
    expect(captured.messages).toContain('cache store answering again');
  });
});
