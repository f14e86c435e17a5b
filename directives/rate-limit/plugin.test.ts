import { makeExecutableSchema } from '@graphql-tools/schema';
import { createYoga, type Plugin } from 'graphql-yoga';
import { describe, expect, it } from 'vitest';
import { rateLimitSchema, type RateLimitConfig } from '../../src/config/rate-limit.js';
import { JunctionError } from '../../src/errors.js';
import { silentLogger } from '../../src/logger.js';
import { createMemoryRateLimitStore } from '../../src/stores/rate-limit-memory.js';
import type { RateLimitStore } from '../../src/stores/rate-limit-store.js';
import type { Principal } from '../policy.js';
import { createChargePlanner } from './charges.js';
import { createLimiter } from './limiter.js';
import { useRateLimit } from './plugin.js';
import { rateLimitTypeDefs } from './type-defs.js';

function setup(input: Record<string, unknown>, extra: Plugin[] = [], wrapStore?: (store: RateLimitStore) => RateLimitStore) {
  let time = Date.UTC(2024, 5, 1, 0, 0, 0, 400);
  const calls = { products: 0, consumes: 0 };
  const config: RateLimitConfig = rateLimitSchema.parse(input);
  const memory = createMemoryRateLimitStore({}, { now: () => time });
  const counting: RateLimitStore = { consume: (...args) => (calls.consumes++, memory.consume(...args)) };
  const limiter = createLimiter(config, wrapStore ? wrapStore(counting) : counting);
  const schema = makeExecutableSchema({
    typeDefs: `${rateLimitTypeDefs} type Query { products: [String!]! @rateLimit(second: 3, by: FIELD) free: Int }`,
    resolvers: { Query: { products: () => (calls.products++, ['a']), free: () => 1 } },
  });
  const yoga = createYoga({
    schema,
    batching: true,
    logging: false,
    plugins: [...extra, useRateLimit({ config, limiter, chargesOf: createChargePlanner(config, silentLogger()), clientIp: () => '127.0.0.1' })],
  });
  const post = (body: unknown, headers: Record<string, string> = {}) =>
    yoga.fetch('http://localhost/graphql', { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  return { post, calls, tick: (ms: number) => (time += ms) };
}

const withPrincipal = (principal: Principal | undefined): Plugin => ({
  onContextBuilding({ extendContext }) {
    extendContext({ policy: { principal, clientIp: '10.9.9.9', responseHeaders: {} } } as never);
  },
});

describe('rate-limit Yoga plugin', () => {
  it('rejects the whole request with 429, Retry-After and RateLimit-* headers, without running any resolver', async () => {
    const { post, calls } = setup({});
    const first = await post({ query: '{ a: products b: products }' });
    expect(first.status).toBe(200);
    expect(first.headers.get('ratelimit-remaining')).toBe('1');
    expect(first.headers.get('ratelimit-limit')).toBe('3');
    expect(first.headers.get('ratelimit-reset')).toBe('1');
    const refused = await post({ query: '{ a: products b: products free }' });
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(refused.headers.get('ratelimit-remaining')).toBe('1');
    const body = await refused.json();
    expect(body.data).toBeUndefined();
    expect(body.errors[0].extensions).toMatchObject({ code: 'RATE_LIMITED', retryAfter: 1, rateLimit: { limit: 3, remaining: 1, reset: 1 } });
    expect(calls.products).toBe(2);
  });

  it('counts each operation of a batch', async () => {
    const { post, calls } = setup({ operations: { minute: 2, by: 'ip' } });
    const batch = await post([{ query: '{ free }' }, { query: '{ free }' }, { query: '{ free }' }]);
    const results = await batch.json();
    expect(results.map((r: { errors?: { extensions: { code: string } }[] }) => r.errors?.[0]?.extensions.code)).toEqual([
      undefined,
      undefined,
      'RATE_LIMITED',
    ]);
    expect(calls.products).toBe(0);
  });

  it('spends nothing for documents without limited fields and no rules', async () => {
    const { post, calls } = setup({});
    for (let i = 0; i < 5; i++) expect((await post({ query: '{ free }' })).status).toBe(200);
    expect(calls.consumes).toBe(0);
  });

  it("applies the caller's usage plan per tenant: throttle and quota, isolated", async () => {
    const plans = { plans: { gold: { throttle: { second: 2 }, quota: { day: 3 } } } };
    const alice: Principal = { id: 'alice', scopes: [], claims: {}, method: 'api-key', plan: 'gold' };
    const bob: Principal = { ...alice, id: 'bob' };
    const a = setup(plans, [withPrincipal(alice)]);
    const statuses = async () => (await a.post({ query: '{ free }' })).status;
    expect([await statuses(), await statuses(), await statuses()]).toEqual([200, 200, 429]);
    a.tick(1_000);
    expect([await statuses(), await statuses()]).toEqual([200, 429]);
    const b = setup(plans, [withPrincipal(bob)]);
    expect((await b.post({ query: '{ free }' })).status).toBe(200);
  });

  it('never spends budget when an earlier (auth) plugin refuses the request', async () => {
    const denyAnonymous: Plugin = {
      onExecute({ setResultAndStopExecution }) {
        setResultAndStopExecution({ errors: [new JunctionError('UNAUTHENTICATED', 'no').toGraphQLError(true)] });
      },
    };
    const { post, calls } = setup({ operations: { second: 1 } }, [denyAnonymous]);
    for (let i = 0; i < 3; i++) expect((await post({ query: '{ products }' })).status).toBe(401);
    expect(calls.consumes).toBe(0);
  });

  it('answers 503 SERVICE_UNAVAILABLE when the store refuses (fail closed)', async () => {
    const failing = (): RateLimitStore => ({
      consume: () => Promise.reject(new JunctionError('SERVICE_UNAVAILABLE', 'Rate limiting is unavailable')),
    });
    const { post, calls } = setup({}, [], failing);
    const response = await post({ query: '{ products }' });
    expect(response.status).toBe(503);
    expect((await response.json()).errors[0].extensions.code).toBe('SERVICE_UNAVAILABLE');
    expect(calls.products).toBe(0);
  });
});
