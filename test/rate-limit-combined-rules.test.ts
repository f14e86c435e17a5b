import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { TEST_REDIS_URL, testRedisReachable } from '../src/stores/redis-test-support.js';
import { captureLogger, sha256Hex, startLimitedGateway, waitFor, type LimitedGateway } from './rate-limit-support.js';

/** A request refused by one rule spends nothing of the other rules that would have allowed it. */

const redisUp = await testRedisReachable();
let running: LimitedGateway | undefined;
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await running?.close();
  running = undefined;
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

/** A fixed instant mid-minute, so no window turns over during a test. */
const NOW = Date.UTC(2024, 5, 1, 12, 0, 30);
const start = async (yaml: string) => (running = await startLimitedGateway(yaml, { now: () => NOW }));

const acme = { 'x-api-key': 'acme-key' };
const globex = { 'x-api-key': 'globex-key' };
const initech = { 'x-api-key': 'initech-key' };
/** acme and globex on the `basic` plan, initech on no plan. */
const consumers = `
auth:
  apiKeys:
    consumers:
      - { id: acme, keySha256: ${sha256Hex('acme-key')}, plan: basic }
      - { id: globex, keySha256: ${sha256Hex('globex-key')}, plan: basic }
      - { id: initech, keySha256: ${sha256Hex('initech-key')} }`;

async function get(path: string, headers: Record<string, string>): Promise<Response> {
  const response = await fetch(`${running!.url}${path}`, { headers });
  await response.arrayBuffer();
  return response;
}

describe('combined rate-limit rules on /graphql: all or nothing', () => {
  it('requests refused by a field rule leave the plan quota untouched', async () => {
    const g = await start(`${consumers}
rateLimit:
  fields:
    Query.products: { minute: 1, by: consumer }
  plans:
    basic: { quota: { day: 4 } }`);
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await g.query('{ products { id } }', acme)).status);
    expect(statuses).toEqual([200, 429, 429, 429]);
    const other = await g.query('{ users { id } }', acme);
    expect(other.status).toBe(200);
    expect(other.headers.get('ratelimit-limit')).toBe('4');
    expect(other.headers.get('ratelimit-remaining')).toBe('2');
  });

  it('a tenant over its plan quota does not drain a shared `by: field` budget', async () => {
    const g = await start(`${consumers}
rateLimit:
  fields:
    Query.users: { minute: 3, by: field }
  plans:
    basic: { quota: { day: 1 } }`);
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await g.query('{ users { id } }', acme)).status);
    expect(statuses).toEqual([200, 429, 429, 429]);
    const refused = await g.query('{ users { id } }', acme);
    expect(refused.body.errors![0]!.extensions).toMatchObject({ code: 'RATE_LIMITED', retryAfter: 43_170, rateLimit: { limit: 1, remaining: 0 } });
    expect((await g.query('{ users { id } }', globex)).status).toBe(200);
    const last = await g.query('{ users { id } }', initech);
    expect(last.status).toBe(200);
    expect(last.headers.get('ratelimit-limit')).toBe('3');
    expect(last.headers.get('ratelimit-remaining')).toBe('0');
    expect((await g.query('{ users { id } }', initech)).status).toBe(429);
  });
});

describe('combined rate-limit rules on a REST route: all or nothing', () => {
  const route = (name: string, rateLimit: string) => `
  - name: ${name}
    match: { path: /api/${name} }
    upstream: catalog
    rewrite: { replacePath: /products }
    policies:
      auth: { authenticated: true }
      rateLimit: ${rateLimit}`;

  it('requests refused by the route rule leave the plan quota untouched', async () => {
    await start(`${consumers}
rateLimit:
  plans:
    basic: { quota: { day: 4 } }
routes:${route('strict', '{ minute: 1, by: consumer }')}${route('loose', '{ hour: 100, by: consumer }')}`);
    const answers = [];
    for (let i = 0; i < 4; i++) answers.push(await get('/api/strict', acme));
    expect(answers.map((answer) => answer.status)).toEqual([200, 429, 429, 429]);
    expect(answers[3]!.headers.get('retry-after')).toBe('30');
    expect(answers[3]!.headers.get('ratelimit-limit')).toBe('1');
    const other = await get('/api/loose', acme);
    expect(other.status).toBe(200);
    expect(other.headers.get('ratelimit-limit')).toBe('4');
    expect(other.headers.get('ratelimit-remaining')).toBe('2');
  });

  it('a tenant over its plan quota does not drain a shared `by: route` budget', async () => {
    await start(`${consumers}
rateLimit:
  plans:
    basic: { quota: { day: 1 } }
routes:${route('shared', '{ minute: 3, by: route }')}`);
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await get('/api/shared', acme)).status);
    expect(statuses).toEqual([200, 429, 429, 429]);
    expect((await get('/api/shared', globex)).status).toBe(200);
    const last = await get('/api/shared', initech);
    expect(last.status).toBe(200);
    expect(last.headers.get('ratelimit-limit')).toBe('3');
    expect(last.headers.get('ratelimit-remaining')).toBe('0');
    expect((await get('/api/shared', initech)).status).toBe(429);
  });
});

describe.skipIf(!redisUp)('combined rate-limit rules on /graphql with the Redis store', () => {
  it('requests refused by a field rule leave the plan quota untouched', async () => {
    const prefix = `junction-test:${randomUUID()}:`;
    const admin = new Redis(TEST_REDIS_URL, { keyPrefix: prefix });
    cleanups.push(async () => {
      const keys = await admin.keys(`${prefix}*`);
      if (keys.length > 0) await admin.unlink(...keys.map((key) => key.slice(prefix.length)));
      admin.disconnect();
    });
    const captured = captureLogger();
    const connected = waitFor(captured.lines, /redis connected/, 5_000);
    // Redis's own clock decides the windows here: calendar months cannot turn over during the test
    // except at a month boundary.
    const g = (running = await startLimitedGateway(`${consumers}
redis: { url: "${TEST_REDIS_URL}", keyPrefix: "${prefix}", commandTimeoutMs: 1000 }
rateLimit:
  store: redis
  failMode: closed
  fields:
    Query.products: { month: 1, by: consumer }
  plans:
    basic: { quota: { month: 4 } }`, { logger: captured.logger }));
    await connected;
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await g.query('{ products { id } }', acme)).status);
    expect(statuses).toEqual([200, 429, 429, 429]);
    const other = await g.query('{ users { id } }', acme);
    expect(other.status).toBe(200);
    expect(other.headers.get('ratelimit-limit')).toBe('4');
    expect(other.headers.get('ratelimit-remaining')).toBe('2');
    expect(await admin.keys(`${prefix}*`)).toHaveLength(2);
  });
});
