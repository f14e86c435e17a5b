import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { makeKey, sign, startEcho, type JsonServer, type TestKey } from './helpers/auth.js';
import { startAuthGateway, type AuthGateway } from './helpers/auth-gateway.js';

/** The field policies of GraphQL hold on aggregation routes, which run an operation against the same schema. */
const ECHO_SDL = resolve(import.meta.dirname, 'fixtures/auth/echo.graphql');
const ISSUER = { issuer: 'https://issuer.test', audience: 'junction-api' };

let key: TestKey;
let running: AuthGateway | undefined;
let echo: JsonServer | undefined;

beforeAll(async () => {
  key = await makeKey('k1');
});
afterEach(async () => {
  await running?.close();
  running = undefined;
  await echo?.close();
  echo = undefined;
});

interface Options {
  apiKeys?: Record<string, unknown>;
  fields?: Record<string, unknown>;
  onFieldDenied?: 'reject' | 'null';
  rateLimit?: Record<string, unknown>;
  routes: Record<string, unknown>[];
}

async function start(options: Options): Promise<AuthGateway> {
  echo = await startEcho();
  running = await startAuthGateway({
    auth: {
      jwt: { issuers: [{ ...ISSUER, keys: [{ jwk: key.publicJwk }] }] },
      ...(options.apiKeys ? { apiKeys: options.apiKeys } : {}),
      ...(options.fields ? { fields: options.fields } : {}),
      ...(options.onFieldDenied ? { onFieldDenied: options.onFieldDenied } : {}),
    },
    extra: {
      upstreams: { echo: { url: echo.url } },
      sources: [{ name: 'echo', type: 'graphql', upstream: 'echo', schema: { file: ECHO_SDL } }],
      routes: options.routes,
      ...(options.rateLimit ? { rateLimit: options.rateLimit } : {}),
    },
  });
  return running;
}

async function get(path: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Headers; body: Record<string, any> }> {
  const response = await fetch(`${running!.url}${path}`, { headers });
  return { status: response.status, headers: response.headers, body: (await response.json()) as Record<string, any> };
}

const bearer = async (claims: Record<string, unknown> = {}, subject = 'alice'): Promise<Record<string, string>> => ({
  authorization: `Bearer ${await sign({ key, subject, claims })}`,
});

describe('aggregation routes enforce the policies of the fields they select', () => {
  it('reject mode: a protected field refuses an anonymous caller with 401 and a caller without the scope with 403, before any upstream call', async () => {
    const gw = await start({
      fields: { 'Query.users': { authenticated: true }, 'Query.user': { requiresScopes: [['admin']] } },
      routes: [
        { name: 'all-users', match: { path: '/agg/users' }, operation: '{ users { id name email } }' },
        { name: 'one-user', match: { path: '/agg/users/:id' }, operation: 'query ($id: ID!) { user(id: $id) { name } }', policies: { auth: {} } },
      ],
    });
    const anonymous = await get('/agg/users');
    expect([anonymous.status, anonymous.body['error']?.code, anonymous.headers.get('www-authenticate')]).toEqual([401, 'UNAUTHENTICATED', 'Bearer realm="junction"']);
    const noScope = await get('/agg/users/1', await bearer());
    expect([noScope.status, noScope.body['error']?.code]).toEqual([403, 'FORBIDDEN']);
    expect(gw.services.users.calls.total).toBe(0);

    const allowed = await get('/agg/users', await bearer());
    expect(allowed.status).toBe(200);
    expect(allowed.body['users'].length).toBeGreaterThan(0);
    const admin = await get('/agg/users/1', await bearer({ scope: 'admin' }));
    expect([admin.status, admin.body['user']?.name]).toEqual([200, 'Ada Lovelace']);
  });

  it('null mode: a denied field answers null with FORBIDDEN beside the rest, and the route\'s caller is the one checked', async () => {
    await start({
      onFieldDenied: 'null',
      fields: { 'Query.user': { requiresScopes: [['support']] } },
      routes: [{
        name: 'user-card',
        match: { path: '/agg/users/:id' },
        operation: 'query ($id: ID!) { user(id: $id) { name } usersByIds(ids: [$id]) { id } }',
        policies: { auth: {} },
      }],
    });
    const denied = await get('/agg/users/1', await bearer());
    expect(denied.status).toBe(200);
    expect([denied.body['user'], denied.body['usersByIds']]).toEqual([null, [{ id: '1' }]]);
    expect(denied.body['errors']?.[0]?.extensions.code).toBe('FORBIDDEN');
    const granted = await get('/agg/users/1', await bearer({ scope: 'support' }));
    expect(granted.body['user']).toEqual({ name: 'Ada Lovelace' });
    expect(granted.body['errors']).toBeUndefined();
  });

  it('credentials that are sent are verified as on /graphql: a bad token is 401 even for an open operation', async () => {
    await start({ routes: [{ name: 'open', match: { path: '/agg/open' }, operation: '{ usersByIds(ids: ["1"]) { name } }' }] });
    expect((await get('/agg/open')).status).toBe(200);
    const expired = await get('/agg/open', { authorization: `Bearer ${await sign({ key, expiresIn: -3600 })}` });
    expect([expired.status, expired.body['error']?.code]).toEqual([401, 'UNAUTHENTICATED']);
  });

  it('the sources get the caller\'s identity headers, never a client-sent copy', async () => {
    await start({ routes: [{ name: 'whoami', match: { path: '/agg/echo' }, operation: '{ echo }' }] });
    const anonymous = JSON.parse((await get('/agg/echo', { 'x-junction-subject': 'admin' })).body['echo'] as string) as Record<string, string>;
    expect(anonymous['x-junction-subject']).toBeUndefined();
    const signedIn = JSON.parse((await get('/agg/echo', { ...(await bearer({ scope: 'a b' }, 'bob')), 'x-junction-subject': 'admin' })).body['echo'] as string) as Record<string, string>;
    expect(signedIn).toMatchObject({ 'x-junction-subject': 'bob', 'x-junction-scopes': 'a b' });
  });

  it('a field\'s rate limit is spent by the route too, in the same budget as /graphql: 429 with Retry-After once it is used up', async () => {
    const gw = await start({
      rateLimit: { fields: { 'Query.usersByIds': { minute: 2, by: 'ip' } } },
      routes: [{ name: 'cards', match: { path: '/agg/cards' }, operation: '{ usersByIds(ids: ["1"]) { name } }' }],
    });
    expect((await get('/agg/cards')).status).toBe(200);
    expect((await gw.query('{ usersByIds(ids: ["2"]) { name } }')).status).toBe(200);
    const refused = await get('/agg/cards');
    expect([refused.status, refused.body['error']?.code]).toEqual([429, 'RATE_LIMITED']);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(refused.headers.get('ratelimit-limit')).toBe('2');
  });

  it('an unauthenticated request spends no field budget', async () => {
    await start({
      fields: { 'Query.usersByIds': { authenticated: true } },
      rateLimit: { fields: { 'Query.usersByIds': { minute: 1, by: 'ip' } } },
      routes: [{ name: 'cards', match: { path: '/agg/cards' }, operation: '{ usersByIds(ids: ["1"]) { name } }' }],
    });
    for (let i = 0; i < 3; i++) expect((await get('/agg/cards')).status).toBe(401);
    expect((await get('/agg/cards', await bearer())).status).toBe(200);
  });

  it('a field that refuses the caller spends none of the route\'s budget: auth runs before any rate limit', async () => {
    await start({
      fields: { 'Query.usersByIds': { authenticated: true } },
      routes: [{ name: 'cards', match: { path: '/agg/cards' }, operation: '{ usersByIds(ids: ["1"]) { name } }', policies: { rateLimit: { minute: 2, by: 'ip' } } }],
    });
    for (let i = 0; i < 3; i++) expect((await get('/agg/cards')).status).toBe(401);
    const headers = await bearer();
    expect([(await get('/agg/cards', headers)).status, (await get('/agg/cards', headers)).status, (await get('/agg/cards', headers)).status]).toEqual([200, 200, 429]);
  });

  it('the route\'s rule and the fields\' rules are spent all or nothing: a request a field rule refuses leaves the route\'s budget', async () => {
    await start({
      rateLimit: { headersOnSuccess: true, fields: { 'Query.usersByIds': { minute: 1, by: 'header', header: 'x-tenant' } } },
      routes: [{ name: 'cards', match: { path: '/agg/cards' }, operation: '{ usersByIds(ids: ["1"]) { name } }', policies: { rateLimit: { minute: 3, by: 'ip' } } }],
    });
    const answers: (string | number | null)[][] = [];
    for (const tenant of ['a', 'a', 'a', 'b', 'c', 'd']) {
      const answer = await get('/agg/cards', { 'x-tenant': tenant });
      answers.push([answer.status, answer.headers.get('ratelimit-limit'), answer.headers.get('ratelimit-remaining')]);
    }
    expect(answers.map(([status]) => status)).toEqual([200, 429, 429, 200, 200, 429]);
    // One check, one set of headers: those of the window that refused (the tenant's field rule, then the route's).
    expect([answers[1], answers[5]]).toEqual([[429, '1', '0'], [429, '3', '0']]);
  });

  it('the route\'s own auth block is checked before the fields, and fields a null-mode caller is denied are not charged', async () => {
    await start({
      onFieldDenied: 'null',
      fields: { 'Query.user': { requiresScopes: [['support']] } },
      rateLimit: { fields: { 'Query.user': { minute: 1, by: 'ip' } } },
      routes: [{
        name: 'card', match: { path: '/agg/users/:id' },
        operation: 'query ($id: ID!) { user(id: $id) { name } usersByIds(ids: [$id]) { id } }',
        policies: { auth: { requiresScopes: [['cards']] } },
      }],
    });
    const noRouteScope = await get('/agg/users/1', await bearer({ scope: 'support' }));
    expect([noRouteScope.status, noRouteScope.body['error']?.message]).toEqual([403, expect.stringContaining('route "card"')]);
    for (let i = 0; i < 3; i++) expect((await get('/agg/users/1', await bearer({ scope: 'cards' }))).status).toBe(200);
    const support = await bearer({ scope: 'cards support' });
    expect((await get('/agg/users/1', support)).status).toBe(200);
    expect((await get('/agg/users/1', support)).status).toBe(429);
  });

  it('an API key sent with a bearer token is refused as on /graphql, though usage plans need only the key', async () => {
    const sha = (text: string) => createHash('sha256').update(text).digest('hex');
    await start({
      apiKeys: { header: 'x-api-key', consumers: [{ id: 'acme', keySha256: sha('acme-key'), plan: 'basic' }] },
      rateLimit: { plans: { basic: { throttle: { minute: 100 } } } },
      routes: [{ name: 'open', match: { path: '/agg/open' }, operation: '{ usersByIds(ids: ["1"]) { name } }' }],
    });
    expect((await get('/agg/open', { 'x-api-key': 'acme-key' })).status).toBe(200);
    const both = await get('/agg/open', { 'x-api-key': 'acme-key', authorization: 'Bearer not.a.token' });
    expect([both.status, both.body['error']?.code]).toEqual([401, 'UNAUTHENTICATED']);
  });
});
