import { createHash } from 'node:crypto';
import { SignJWT } from 'jose';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config/index.js';
import { createGateway, type Gateway } from '../src/gateway.js';
import { silentLogger } from '../src/logger.js';
import { startCatalog, type RunningService } from '../subgraphs/index.js';
import { catalogOpenApiPath } from '../subgraphs/index.js';
import { startAccounts, type AccountsService } from './helpers/cache-accounts.js';

const SECRET = 'cache-test-secret-0123456789-abcdefghij';
const ISSUER = 'https://issuer.test';
const ADMIN_TOKEN = 'cache-admin-token-0123456789';

function configText(accounts: AccountsService, catalog: RunningService, extra = '', adminToken: string | null = ADMIN_TOKEN): string {
  return `
server: { host: 127.0.0.1, port: 0 }
upstreams:
  accounts: { url: "${accounts.url}" }
  catalog: { url: "${catalog.url}" }
sources:
  - { name: accounts, type: graphql, upstream: accounts, schema: { file: "${accounts.sdlFile}" } }
  - { name: catalog, type: openapi, upstream: catalog, spec: "${catalogOpenApiPath}" }
auth:
  jwt:
    issuers: [{ issuer: "${ISSUER}", audience: junction, secret: "${SECRET}" }]
cache:
  types: { Product: { maxAge: 300 } }
  fields: { "Query.products": { maxAge: 300 } }
  staleIfErrorSeconds: 300
${adminToken === null ? '' : `  adminToken: "${adminToken}"`}
${extra}`;
}

/** A token valid on the gateway's injected clock (`nowMs`). */
async function token(sub: string, nowMs: number): Promise<string> {
  const seconds = Math.floor(nowMs / 1000);
  return new SignJWT({})
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuer(ISSUER)
    .setAudience('junction')
    .setSubject(sub)
    .setIssuedAt(seconds)
    .setExpirationTime(seconds + 600)
    .sign(new TextEncoder().encode(SECRET));
}

interface Answer {
  status: number;
  headers: Headers;
  text: string;
  body: { data?: Record<string, any> | null; errors?: { extensions?: Record<string, unknown> }[]; extensions?: Record<string, any> } | undefined;
}

describe('GraphQL response cache (real gateway)', () => {
  let accounts: AccountsService;
  let catalog: RunningService;
  let gateway: Gateway;
  let url: string;
  let time: number;

  async function start(extra = '', adminToken: string | null = ADMIN_TOKEN): Promise<void> {
    const config = parseConfig(configText(accounts, catalog, extra, adminToken), '/tmp/cache-e2e.yaml', { env: {} });
    gateway = await createGateway(config, { logger: silentLogger(), now: () => time });
    url = `http://127.0.0.1:${(await gateway.listen()).port}`;
  }

  async function query(text: string, headers: Record<string, string> = {}): Promise<Answer> {
    const response = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', ...headers },
      body: JSON.stringify({ query: text }),
    });
    return answerOf(response);
  }

  /** The same query as a GET, which the full pipeline serves (the fast path takes POSTs only). */
  async function queryByGet(text: string): Promise<Answer> {
    return answerOf(await fetch(`${url}/graphql?query=${encodeURIComponent(text)}`, { headers: { accept: 'application/graphql-response+json' } }));
  }

  async function answerOf(response: Response): Promise<Answer> {
    const raw = await response.text();
    return { status: response.status, headers: response.headers, text: raw, body: raw === '' ? undefined : JSON.parse(raw) };
  }

  /** Restarts the gateway on the test config, its accounts upstream given these extra settings. */
  async function restartWithAccounts(settings: string): Promise<void> {
    await gateway.close();
    const yaml = configText(accounts, catalog).replace(`accounts: { url: "${accounts.url}" }`, `accounts: { url: "${accounts.url}", ${settings} }`);
    gateway = await createGateway(parseConfig(yaml, '/tmp/cache-e2e.yaml', { env: {} }), { logger: silentLogger(), now: () => time });
    url = `http://127.0.0.1:${(await gateway.listen()).port}`;
  }

  function expectStale(answer: Answer, fresh: Answer, age: number): void {
    expect(answer.status).toBe(200);
    expect(answer.body?.data).toEqual(fresh.body?.data);
    expect(answer.body?.errors).toBeUndefined();
    expect(answer.body?.extensions?.['cache']).toEqual({ stale: true, age });
    expect(answer.headers.get('warning')).toBe('110 - "Response is Stale"');
    expect(answer.headers.get('age')).toBe(String(age));
    expect(answer.headers.get('cache-control')).toBe('no-store');
  }

  beforeEach(async () => {
    time = Date.UTC(2030, 0, 1);
    accounts = await startAccounts();
    catalog = await startCatalog({ port: 0 });
    await start();
  });

  afterEach(async () => {
    await gateway.close();
    await accounts.close();
    await catalog.close();
  });

  it('serves a hit with zero upstream calls, capped by the REST source Cache-Control', async () => {
    const first = await query('{ products { id name price } }');
    expect(first.body?.data?.['products']).toHaveLength(20);
    expect(catalog.calls.total).toBe(1);
    // Config says 300 s; the catalog answers `public, max-age=60`: the smaller wins.
    expect(first.headers.get('cache-control')).toBe('public, max-age=60');
    expect(first.headers.get('age')).toBeNull();
    time += 10_000;
    const second = await query('{ products { id name price } }');
    expect(catalog.calls.total).toBe(1);
    expect(second.text).toBe(first.text);
    // The entry's own max age with its Age: a downstream cache subtracts the age once, itself.
    expect(second.headers.get('cache-control')).toBe('public, max-age=60');
    expect(second.headers.get('age')).toBe('10');
    expect(second.headers.get('etag')).toBe(first.headers.get('etag'));
  });

  it('with restHints off, the REST source Cache-Control no longer caps the answer', async () => {
    await gateway.close();
    await start('  restHints: false');
    const first = await queryByGet('{ products { id } }');
    expect(first.headers.get('cache-control')).toBe('public, max-age=300');
    const fast = await query('{ products { id name } }');
    await query('{ products { id name } }');
    expect(fast.headers.get('cache-control')).toBe('public, max-age=300');
    time += 120_000;
    await query('{ products { id name } }');
    await queryByGet('{ products { id } }');
    expect(catalog.calls.total).toBe(2);
  });

  it('a request carrying a header a source receives is cached per principal only, never shared', async () => {
    await gateway.close();
    const yaml = configText(accounts, catalog).replace(
      `spec: "${catalogOpenApiPath}" }`,
      `spec: "${catalogOpenApiPath}", forwardHeaders: [x-tenant] }`,
    );
    gateway = await createGateway(parseConfig(yaml, '/tmp/cache-e2e.yaml', { env: {} }), { logger: silentLogger(), now: () => time });
    url = `http://127.0.0.1:${(await gateway.listen()).port}`;
    await query('{ products { id } }', { 'x-tenant': 'a' });
    const otherTenant = await query('{ products { id } }', { 'x-tenant': 'b' });
    expect(catalog.calls.total).toBe(2);
    expect(otherTenant.headers.get('cache-control')).toBe('no-store');
    await query('{ products { id } }');
    await query('{ products { id } }');
    expect(catalog.calls.total).toBe(3);
  });

  it('a forwarded Authorization or cookie the gateway did not verify keeps an answer out of the cache; a verified token keys it', async () => {
    await gateway.close();
    const yaml = configText(accounts, catalog)
      .replace(`spec: "${catalogOpenApiPath}" }`, `spec: "${catalogOpenApiPath}", forwardHeaders: [authorization, cookie] }`)
      .replace('auth:\n', `auth:\n  apiKeys: { consumers: [{ id: acme, keySha256: "${createHash('sha256').update('acme-key').digest('hex')}" }] }\n`);
    gateway = await createGateway(parseConfig(yaml, '/tmp/cache-e2e.yaml', { env: {} }), { logger: silentLogger(), now: () => time });
    url = `http://127.0.0.1:${(await gateway.listen()).port}`;
    const acme = { 'x-api-key': 'acme-key' };
    // The API key is verified; a Basic Authorization or a cookie beside it goes to the catalog as is.
    for (const other of [{ authorization: 'Basic YWxpY2U6cw==' }, { cookie: 'session=alice' }] as Record<string, string>[]) {
      const before = catalog.calls.total;
      await query('{ products { id } }', { ...acme, ...other });
      const again = await query('{ products { id } }', { ...acme, ...other });
      expect(again.headers.get('cache-control')).toBe('no-store');
      expect(catalog.calls.total).toBe(before + 2);
    }
    const alice = { authorization: `Bearer ${await token('alice', time)}` };
    const before = catalog.calls.total;
    const first = await query('{ products { id } }', alice);
    expect((await query('{ products { id } }', alice)).text).toBe(first.text);
    await query('{ products { id } }', { authorization: `Bearer ${await token('bob', time)}` });
    expect(catalog.calls.total).toBe(before + 2);
  });

  it('a forwarded header the principal does not account for (a user token beside a shared API key) keeps an answer out of the cache', async () => {
    await gateway.close();
    const yaml = configText(accounts, catalog)
      .replace(`spec: "${catalogOpenApiPath}" }`, `spec: "${catalogOpenApiPath}", forwardHeaders: [x-user-token, x-api-key] }`)
      .replace('auth:\n', `auth:\n  apiKeys: { consumers: [{ id: acme, keySha256: "${createHash('sha256').update('acme-key').digest('hex')}" }] }\n`);
    gateway = await createGateway(parseConfig(yaml, '/tmp/cache-e2e.yaml', { env: {} }), { logger: silentLogger(), now: () => time });
    url = `http://127.0.0.1:${(await gateway.listen()).port}`;
    const before = catalog.calls.total;
    // One app's API key, shared by its users; each user's own token goes to the catalog unverified.
    await query('{ products { id } }', { 'x-api-key': 'acme-key', 'x-user-token': 'alice' });
    const bob = await query('{ products { id } }', { 'x-api-key': 'acme-key', 'x-user-token': 'bob' });
    expect(bob.headers.get('cache-control')).toBe('no-store');
    expect(catalog.calls.total).toBe(before + 2);
    // The key's own header, forwarded too, is the consumer's: answers with it alone are kept per consumer.
    await query('{ products { id } }', { 'x-api-key': 'acme-key' });
    await query('{ products { id } }', { 'x-api-key': 'acme-key' });
    expect(catalog.calls.total).toBe(before + 3);
  });

  it('answers 304 to a matching If-None-Match, without a body or an upstream call', async () => {
    const first = await query('{ account(id: "a1") { id owner } }');
    const etag = first.headers.get('etag');
    expect(etag).toMatch(/^".+"$/);
    const calls = accounts.calls.total;
    const revalidated = await query('{ account(id: "a1") { id owner } }', { 'if-none-match': etag! });
    expect(revalidated.status).toBe(304);
    expect(revalidated.text).toBe('');
    expect(revalidated.headers.get('etag')).toBe(etag);
    expect(accounts.calls.total).toBe(calls);
    const other = await query('{ account(id: "a1") { id owner } }', { 'if-none-match': '"something-else"' });
    expect(other.status).toBe(200);
  });

  it('a 304 keeps the RateLimit-* and request-id headers of the 200, on the full pipeline as on the fast path', async () => {
    await gateway.close();
    await start('rateLimit:\n  headersOnSuccess: true\n  fields:\n    Query.account: { minute: 100, by: ip }\n');
    const account = '{ account(id: "a1") { id owner } }';
    const first = await queryByGet(account);
    expect(first.headers.get('ratelimit-remaining')).toBe('99');
    const revalidate = { accept: 'application/graphql-response+json', 'if-none-match': first.headers.get('etag')!, 'x-request-id': 'revalidation-1' };
    const pipeline = await answerOf(await fetch(`${url}/graphql?query=${encodeURIComponent(account)}`, { headers: revalidate }));
    const fastPath = await query(account, revalidate);
    expect([pipeline.status, fastPath.status]).toEqual([304, 304]);
    expect(pipeline.headers.get('ratelimit-limit')).toBe('100');
    expect(pipeline.headers.get('ratelimit-remaining')).toBe('98');
    expect(pipeline.headers.get('ratelimit-reset')).toMatch(/^\d+$/);
    expect(pipeline.headers.get('x-request-id')).toBe('revalidation-1');
    expect(pipeline.headers.get('etag')).toBe(first.headers.get('etag'));
    expect(pipeline.headers.get('content-type')).toBeNull();
    expect(fastPath.headers.get('ratelimit-remaining')).toBe('97');
    expect(headerNames(pipeline)).toEqual(headerNames(fastPath));
  });

  it('keys PRIVATE entries by principal: B never receives A\'s data; anonymous is never cached', async () => {
    const alice = { authorization: `Bearer ${await token('alice', time)}` };
    const bob = { authorization: `Bearer ${await token('bob', time)}` };
    const a1 = await query('{ me { id owner balance } }', alice);
    expect(a1.body?.data?.['me']).toEqual({ id: 'a1', owner: 'alice', balance: 10 });
    expect(a1.headers.get('cache-control')).toBe('private, max-age=60');
    const a2 = await query('{ me { id owner balance } }', alice);
    expect(a2.text).toBe(a1.text);
    expect(accounts.calls.total).toBe(1);
    const b1 = await query('{ me { id owner balance } }', bob);
    expect(b1.body?.data?.['me']).toEqual({ id: 'a2', owner: 'bob', balance: 20 });
    expect(accounts.calls.total).toBe(2);
    const anonymous1 = await query('{ me { id } }');
    const anonymous2 = await query('{ me { id } }');
    expect(anonymous1.headers.get('cache-control')).toBe('no-store');
    expect(anonymous2.body?.data?.['me']).toBeNull();
    expect(accounts.calls.total).toBe(4);
  });

  it('invalidates the entries holding an entity a mutation returns, and only those', async () => {
    await query('{ account(id: "a1") { id owner } }');
    await query('{ account(id: "a2") { id owner } }');
    await query('{ accounts { id owner } }');
    expect(accounts.calls.total).toBe(3);
    const renamed = await query('mutation { renameAccount(id: "a1", owner: "carol") { id owner } }');
    expect(renamed.body?.data?.['renameAccount']).toEqual({ id: 'a1', owner: 'carol' });
    expect(renamed.headers.get('cache-control')).toBe('no-store');
    expect(accounts.calls.total).toBe(4);
    const a1 = await query('{ account(id: "a1") { id owner } }');
    expect(a1.body?.data?.['account']).toEqual({ id: 'a1', owner: 'carol' });
    const list = await query('{ accounts { id owner } }');
    expect(list.body?.data?.['accounts']).toContainEqual({ id: 'a1', owner: 'carol' });
    expect(accounts.calls.total).toBe(6);
    await query('{ account(id: "a2") { id owner } }');
    expect(accounts.calls.total).toBe(6);
  });

  it('without the purge endpoint (only the types a mutation returns are tagged), a mutation still invalidates what it returns', async () => {
    await gateway.close();
    await start('', null);
    await query('{ account(id: "a1") { id owner } }');
    await query('{ products { id name } }');
    await query('mutation { renameAccount(id: "a1", owner: "dora") { id owner } }');
    const a1 = await query('{ account(id: "a1") { id owner } }');
    expect(a1.body?.data?.['account']).toEqual({ id: 'a1', owner: 'dora' });
    expect(accounts.calls.total).toBe(3);
    await query('{ products { id name } }');
    expect(catalog.calls.total).toBe(1);
  });

  it('makes one upstream round for 20 concurrent identical misses', async () => {
    accounts.latencyMs = 150;
    const answers = await Promise.all(Array.from({ length: 20 }, () => query('{ accounts { id owner balance } }')));
    expect(accounts.calls.total).toBe(1);
    for (const answer of answers) {
      expect(answer.status).toBe(200);
      expect(answer.text).toBe(answers[0]!.text);
    }
    expect(answers[0]!.body?.data?.['accounts']).toHaveLength(2);
  });

  it('never caches a response with errors', async () => {
    const first = await query('{ failing { id } }');
    expect(first.body?.errors?.length).toBeGreaterThan(0);
    expect(first.headers.get('cache-control')).toBe('no-store');
    expect(first.headers.get('etag')).toBeNull();
    await query('{ failing { id } }');
    expect(accounts.calls.total).toBe(2);
  });

  it('serves a stale entry, marked, when the upstream fails within the stale-if-error window', async () => {
    const fresh = await query('{ account(id: "a1") { id owner } }');
    accounts.down = true;
    time += 61_000;
    const stale = await query('{ account(id: "a1") { id owner } }');
    expect(accounts.calls.total).toBe(2);
    expect(stale.status).toBe(200);
    expect(stale.body?.data).toEqual(fresh.body?.data);
    expect(stale.body?.errors).toBeUndefined();
    expect(stale.body?.extensions?.['cache']).toEqual({ stale: true, age: 61 });
    expect(stale.headers.get('warning')).toBe('110 - "Response is Stale"');
    expect(stale.headers.get('age')).toBe('61');
    expect(stale.headers.get('cache-control')).toBe('no-store');
    // Never cached before: the error goes through.
    const uncached = await query('{ account(id: "a2") { id owner } }');
    expect(uncached.body?.errors?.[0]?.extensions?.['code']).toBe('UPSTREAM_ERROR');
    // Past the window: the error goes through too.
    time += 300_000;
    const expired = await query('{ account(id: "a1") { id owner } }');
    expect(expired.body?.errors?.[0]?.extensions?.['code']).toBe('UPSTREAM_ERROR');
    expect(expired.body?.extensions?.['cache']).toBeUndefined();
  });

  it('serves a stale entry, marked, while the upstream\'s breaker is open, without calling it; without one, the breaker\'s error', async () => {
    await restartWithAccounts('circuitBreaker: { consecutiveFailures: 1, openMs: 600000 }');
    const account = '{ account(id: "a1") { id owner } }';
    const fresh = await query(account);
    time += 61_000;
    accounts.down = true;
    expect((await query('{ accounts { id } }')).body?.errors?.[0]?.extensions?.['code']).toBe('UPSTREAM_ERROR');
    // The breaker is open now: the upstream would answer again, but is not asked.
    accounts.down = false;
    const callsWhenOpened = accounts.calls.total;
    expectStale(await query(account), fresh, 61);
    expectStale(await queryByGet(account), fresh, 61);
    const uncached = await query('{ account(id: "a2") { id owner } }');
    expect(uncached.body?.errors?.[0]?.extensions?.['code']).toBe('UPSTREAM_CIRCUIT_OPEN');
    expect(uncached.body?.extensions?.['cache']).toBeUndefined();
    expect(accounts.calls.total).toBe(callsWhenOpened);
  });

  it('serves a stale entry, marked, when the upstream is unreachable; without one, the error', async () => {
    await restartWithAccounts('circuitBreaker: { enabled: false }');
    const account = '{ account(id: "a1") { id owner } }';
    const fresh = await query(account);
    await accounts.close();
    time += 61_000;
    expectStale(await query(account), fresh, 61);
    expectStale(await queryByGet(account), fresh, 61);
    const uncached = await query('{ account(id: "a2") { id owner } }');
    expect(uncached.body?.errors?.[0]?.extensions?.['code']).toBe('UPSTREAM_UNAVAILABLE');
    expect(uncached.body?.extensions?.['cache']).toBeUndefined();
  });

  it('purges by entity or everything through the admin endpoint, which needs the admin token', async () => {
    await query('{ account(id: "a1") { id owner } }');
    await query('{ account(id: "a2") { id owner } }');
    const purge = (body: unknown, auth = `Bearer ${ADMIN_TOKEN}`) =>
      fetch(`${url}/admin/cache/purge`, { method: 'POST', headers: { authorization: auth, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const refused = await purge({ type: 'Account', id: 'a1' }, 'Bearer wrong-token-0123456789');
    expect(refused.status).toBe(401);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('UNAUTHENTICATED');
    expect((await purge({ type: 'Account', id: 'a1', extra: 1 })).status).toBe(400);
    const purged = await purge({ type: 'Account', id: 'a1' });
    expect(await purged.json()).toEqual({ purged: 1 });
    await query('{ account(id: "a1") { id owner } }');
    await query('{ account(id: "a2") { id owner } }');
    expect(accounts.calls.total).toBe(3);
    expect((await purge({ all: true })).status).toBe(200);
    await query('{ account(id: "a2") { id owner } }');
    expect(accounts.calls.total).toBe(4);
  });
});

/** The names of an answer's headers, but those any HTTP response may carry (connection management, date). */
function headerNames(answer: { headers: Headers }): string[] {
  const general = new Set(['connection', 'keep-alive', 'date', 'transfer-encoding']);
  return [...answer.headers.keys()].filter((name) => !general.has(name)).sort();
}
