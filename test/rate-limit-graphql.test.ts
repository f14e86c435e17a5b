import { afterEach, describe, expect, it } from 'vitest';
import { sha256Hex, startLimitedGateway, type LimitedGateway } from './rate-limit-support.js';

let running: LimitedGateway | undefined;
afterEach(async () => {
  await running?.close();
  running = undefined;
});

/** A fixed instant mid-window, so no window turns over during a test. */
const NOW = Date.UTC(2024, 5, 1, 12, 0, 30);
const start = async (yaml: string) => (running = await startLimitedGateway(yaml, { now: () => NOW }));
const codes = (answer: { body: { errors?: { extensions?: Record<string, unknown> }[] } }) => (answer.body.errors ?? []).map((e) => e.extensions?.['code']);

describe('rate limiting on /graphql (memory store)', () => {
  it('limits a field by schema coordinate: each alias counts, request N+1 gets 429 before any upstream call', async () => {
    const g = await start(`
rateLimit:
  fields:
    Query.products: { minute: 3, hour: 100, by: ip }`);
    const ok = await g.query('{ a: products { id } b: products { id } }');
    expect(ok.status).toBe(200);
    expect(ok.headers.get('ratelimit-limit')).toBe('3');
    expect(ok.headers.get('ratelimit-remaining')).toBe('1');
    expect(ok.headers.get('ratelimit-reset')).toBe('30');
    g.services.resetCalls();
    const refused = await g.query('{ a: products { id } b: products { id } users { id } }');
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('30');
    expect(refused.headers.get('ratelimit-remaining')).toBe('1');
    expect(codes(refused)).toEqual(['RATE_LIMITED']);
    expect(refused.body.errors![0]!.extensions).toMatchObject({ retryAfter: 30, rateLimit: { limit: 3, remaining: 1, reset: 30 } });
    expect(g.services.catalog.calls.total + g.services.users.calls.total).toBe(0);
    expect((await g.query('{ products { id } }')).status).toBe(200);
    expect((await g.query('{ products { id } }')).status).toBe(429);
    expect((await g.query('{ users { id } }')).status).toBe(200);
  });

  it('refuses a batch (an array of operations) before any upstream call, so no batch passes several operations on one budget', async () => {
    const g = await start(`
rateLimit:
  fields:
    Query.products: { minute: 1, by: ip }`);
    g.services.resetCalls();
    const batch = await fetch(`${g.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify([{ query: '{ products { id } }' }, { query: '{ products { id } }' }]),
    });
    expect(batch.status).toBe(400);
    expect(g.services.catalog.calls.total).toBe(0);
    // Nothing was spent: the one operation the budget allows still passes.
    expect((await g.query('{ products { id } }')).status).toBe(200);
    expect((await g.query('{ products { id } }')).status).toBe(429);
  });

  it('an unauthenticated request never spends budget (auth refuses first)', async () => {
    const g = await start(`
auth:
  apiKeys:
    consumers:
      - { id: alice, keySha256: ${sha256Hex('alice-key')} }
  fields:
    Query.products: { authenticated: true }
rateLimit:
  fields:
    Query.products: { minute: 2, by: field }`);
    for (let i = 0; i < 5; i++) expect((await g.query('{ products { id } }')).status).toBe(401);
    const key = { 'x-api-key': 'alice-key' };
    expect((await g.query('{ products { id } }', key)).status).toBe(200);
    expect((await g.query('{ products { id } }', key)).status).toBe(200);
    expect((await g.query('{ products { id } }', key)).status).toBe(429);
  });

  it('onFieldDenied null: a field the caller is denied is not charged, the fields it may see are', async () => {
    const g = await start(`
auth:
  onFieldDenied: "null"
  apiKeys:
    consumers:
      - { id: reader, keySha256: ${sha256Hex('reader-key')}, scopes: ["catalog:read"] }
      - { id: guest, keySha256: ${sha256Hex('guest-key')} }
  fields:
    Query.products: { requiresScopes: [["catalog:read"]] }
rateLimit:
  fields:
    Query.products: { minute: 2, by: field }
    Query.users: { minute: 3, by: field }`);
    g.services.resetCalls();
    for (let i = 0; i < 3; i++) {
      const anonymous = await g.query('{ products { id } }');
      expect(anonymous.status).toBe(200);
      expect(anonymous.body.data).toEqual({ products: null });
      expect(codes(anonymous)).toEqual(['UNAUTHENTICATED']);
    }
    // The guard answers the denied root field itself: no upstream call was made for it.
    expect(g.services.catalog.calls.total).toBe(0);
    const guest = await g.query('{ products { id } users { id } }', { 'x-api-key': 'guest-key' });
    expect(guest.status).toBe(200);
    expect(codes(guest)).toEqual(['FORBIDDEN']);
    expect(guest.headers.get('ratelimit-limit')).toBe('3');
    expect(guest.headers.get('ratelimit-remaining')).toBe('2');

    const reader = { 'x-api-key': 'reader-key' };
    expect((await g.query('{ products { id } }', reader)).status).toBe(200);
    expect((await g.query('{ products { id } }', reader)).status).toBe(200);
    expect((await g.query('{ products { id } }', reader)).status).toBe(429);
    expect((await g.query('{ users { id } }', reader)).headers.get('ratelimit-remaining')).toBe('1');
  });

  it('onFieldDenied null: a denied nested field is still fetched by its source, so it is charged', async () => {
    const g = await start(`
auth:
  onFieldDenied: "null"
  apiKeys:
    consumers:
      - { id: alice, keySha256: ${sha256Hex('alice-key')} }
  fields:
    User.email: { authenticated: true }
rateLimit:
  fields:
    User.email: { minute: 2, by: field }`);
    for (let i = 0; i < 2; i++) {
      const anonymous = await g.query('{ users { id email } }');
      expect(anonymous.status).toBe(200);
      expect(codes(anonymous)).toContain('UNAUTHENTICATED');
    }
    g.services.resetCalls();
    const refused = await g.query('{ users { id email } }');
    expect(refused.status).toBe(429);
    expect(codes(refused)).toEqual(['RATE_LIMITED']);
    expect(g.services.users.calls.total).toBe(0);
    // The budget is the field's: the anonymous calls spent it for everyone.
    expect((await g.query('{ users { id email } }', { 'x-api-key': 'alice-key' })).status).toBe(429);
    expect((await g.query('{ users { id } }')).status).toBe(200);
  });

  it('usage plans: each consumer of a plan has its own throttle and quota', async () => {
    const g = await start(`
auth:
  apiKeys:
    consumers:
      - { id: acme, keySha256: ${sha256Hex('acme-key')}, plan: basic }
      - { id: globex, keySha256: ${sha256Hex('globex-key')}, plan: basic }
rateLimit:
  plans:
    basic: { throttle: { second: 100 }, quota: { day: 2 } }`);
    const acme = { 'x-api-key': 'acme-key' };
    expect((await g.query('{ users { id } }', acme)).status).toBe(200);
    expect((await g.query('{ users { id } }', acme)).status).toBe(200);
    const over = await g.query('{ users { id } }', acme);
    expect(over.status).toBe(429);
    expect(over.headers.get('ratelimit-limit')).toBe('2');
    expect((await g.query('{ users { id } }', { 'x-api-key': 'globex-key' })).status).toBe(200);
    expect((await g.query('{ users { id } }')).status).toBe(200);
  });

  it('keys by a header value, and by IP when the header is missing', async () => {
    const g = await start(`
rateLimit:
  operations: { minute: 1, by: header, header: x-tenant }`);
    expect((await g.query('{ users { id } }', { 'x-tenant': 'a' })).status).toBe(200);
    expect((await g.query('{ users { id } }', { 'x-tenant': 'a' })).status).toBe(429);
    expect((await g.query('{ users { id } }', { 'x-tenant': 'b' })).status).toBe(200);
    expect((await g.query('{ users { id } }')).status).toBe(200);
    expect((await g.query('{ users { id } }')).status).toBe(429);
  });

  it('limits a REST route from its policies.rateLimit block, with the same headers', async () => {
    const g = await start(`
routes:
  - name: products
    match: { path: /api/products }
    upstream: catalog
    rewrite: { stripPrefix: /api }
    policies:
      rateLimit: { minute: 2, by: ip }`);
    const first = await fetch(`${g.url}/api/products`);
    expect(first.status).toBe(200);
    expect(first.headers.get('ratelimit-remaining')).toBe('1');
    await first.arrayBuffer();
    await (await fetch(`${g.url}/api/products`)).arrayBuffer();
    g.services.resetCalls();
    const refused = await fetch(`${g.url}/api/products`);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('30');
    expect(refused.headers.get('ratelimit-limit')).toBe('2');
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('RATE_LIMITED');
    expect(g.services.catalog.calls.total).toBe(0);
  });
});
