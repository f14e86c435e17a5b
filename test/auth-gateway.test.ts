import { createHash, randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { makeKey, sign, startEcho, startJsonServer, startJwks, type JsonServer, type TestKey } from './helpers/auth.js';
import { PROTECTED_USERS_SDL, startAuthGateway, type AuthGateway } from './helpers/auth-gateway.js';

const ECHO_SDL = resolve(import.meta.dirname, 'fixtures/auth/echo.graphql');
const WHOAMI_SPEC = resolve(import.meta.dirname, 'fixtures/auth/whoami-openapi.yaml');
let key: TestKey;
let running: AuthGateway | undefined;
let servers: JsonServer[] = [];

beforeAll(async () => {
  key = await makeKey('k1');
});
afterEach(async () => {
  await running?.close();
  running = undefined;
  await Promise.all(servers.map((server) => server.close()));
  servers = [];
});

async function withJwks(keys: TestKey[], extra: Record<string, unknown> = {}): Promise<JsonServer> {
  const jwks = await startJwks(keys);
  servers.push(jwks);
  running = await startAuthGateway({
    usersSdl: PROTECTED_USERS_SDL,
    auth: { jwt: { issuers: [{ issuer: 'https://issuer.test', audience: 'junction-api', jwksUrl: `${jwks.url}/jwks` }], cookie: 'session' }, ...extra },
  });
  return jwks;
}

describe('JWT through the gateway', () => {
  it('a valid token from the remote JWKS opens a protected field; the bearer may come from the cookie', async () => {
    await withJwks([key]);
    expect((await running!.query('{ users { id } }', { authorization: `Bearer ${await sign({ key })}` })).status).toBe(200);
    expect((await running!.query('{ users { id } }', { cookie: `a=b; session=${await sign({ key })}` })).status).toBe(200);
  });

  it('different tokens in the auth cookie twice, or in the cookie and Authorization, are refused with 401: an upstream could act on the one not verified', async () => {
    await withJwks([key]);
    const [mine, other] = [await sign({ key, subject: 'me' }), await sign({ key, subject: 'other' })];
    const answer = await running!.query('{ usersByIds(ids: ["1"]) { id } }', { cookie: `session=${mine}; session=${other}` });
    expect(answer.status).toBe(401);
    expect(answer.body.errors?.[0]?.extensions?.['code']).toBe('UNAUTHENTICATED');
    expect((await running!.query('{ users { id } }', { cookie: `session=${mine}; session=${mine}` })).status).toBe(200);
    // The header and the cookie: different tokens are refused, the same one is one credential.
    const both = await running!.query('{ usersByIds(ids: ["1"]) { id } }', { authorization: `Bearer ${mine}`, cookie: `session=${other}` });
    expect(both.status).toBe(401);
    expect((await running!.query('{ users { id } }', { authorization: `Bearer ${mine}`, cookie: `session=${mine}` })).status).toBe(200);
  });

  it('bad credentials fail the whole request with 401 and WWW-Authenticate, even on open fields', async () => {
    await withJwks([key]);
    for (const token of [await sign({ key, expiresIn: -3600 }), await sign({ key, audience: 'other' }), 'not-a-jwt', '']) {
      const answer = await running!.query('{ usersByIds(ids: ["1"]) { id } }', { authorization: `Bearer ${token}` });
      expect(answer.status).toBe(401);
      expect(answer.body.errors?.[0]?.extensions?.['code']).toBe('UNAUTHENTICATED');
      expect(answer.headers.get('www-authenticate')).toBe('Bearer realm="junction", error="invalid_token"');
    }
  });

  it('JWKS unreachable from the start → 503 AUTH_UNAVAILABLE, no upstream call', async () => {
    const jwks = await withJwks([key]);
    jwks.respond = 'down';
    running!.services.resetCalls();
    const answer = await running!.query('{ users { id } }', { authorization: `Bearer ${await sign({ key })}` });
    expect(answer.status).toBe(503);
    expect(answer.body.errors?.[0]?.extensions?.['code']).toBe('AUTH_UNAVAILABLE');
    expect(JSON.stringify(answer.body)).not.toContain('127.0.0.1');
    expect(running!.services.users.calls.total).toBe(0);
  });

  it('300 requests with random kids: the JWKS server is fetched at most twice (1,000 in the unit test)', async () => {
    const jwks = await withJwks([key]);
    const attacker = await makeKey('x');
    const tokens = await Promise.all(Array.from({ length: 300 }, () => sign({ key: { ...attacker, kid: randomUUID() } })));
    const statuses: number[] = [];
    for (let i = 0; i < tokens.length; i += 100) {
      const batch = tokens.slice(i, i + 100).map((token) => running!.query('{ users { id } }', { authorization: `Bearer ${token}` }));
      statuses.push(...(await Promise.all(batch)).map((answer) => answer.status));
    }
    expect(new Set(statuses)).toEqual(new Set([401]));
    expect(jwks.requests).toBeLessThanOrEqual(2);
  });
});

describe('API keys and introspection through the gateway', () => {
  const sha = (value: string): string => createHash('sha256').update(value).digest('hex');

  it('a good API key maps to its consumer and scopes; a bad one is 401', async () => {
    running = await startAuthGateway({
      usersSdl: PROTECTED_USERS_SDL,
      auth: { apiKeys: { consumers: [{ id: 'acme', keySha256: sha('acme-secret-key'), scopes: ['users:email'], plan: 'gold' }] } },
      extra: { rateLimit: { plans: { gold: { quota: { day: 1000 } } } } },
    });
    const ok = await running.query('{ users { email } }', { 'x-api-key': 'acme-secret-key' });
    expect(ok.status).toBe(200);
    const bad = await running.query('{ usersByIds(ids: ["1"]) { id } }', { 'x-api-key': 'acme-secret-kez' });
    expect(bad.status).toBe(401);
    expect(bad.body.errors?.[0]?.extensions?.['code']).toBe('UNAUTHENTICATED');
  });

  it('an opaque token is introspected once and cached; an inactive one is 401', async () => {
    const idp = await startJsonServer((_req, body) => {
      const token = new URLSearchParams(body).get('token');
      return { status: 200, body: token === 'opaque-good' ? { active: true, sub: 'alice', scope: 'users:email', exp: Math.floor(Date.now() / 1000) + 600 } : { active: false } };
    });
    servers.push(idp);
    running = await startAuthGateway({
      usersSdl: PROTECTED_USERS_SDL,
      auth: { introspection: { endpoint: `${idp.url}/introspect`, clientId: 'gw', clientSecret: 'secret' } },
    });
    for (let i = 0; i < 3; i++) expect((await running.query('{ users { email } }', { authorization: 'Bearer opaque-good' })).status).toBe(200);
    expect(idp.requests).toBe(1);
    expect((await running.query('{ users { id } }', { authorization: 'Bearer opaque-revoked' })).status).toBe(401);
    idp.respond = 'down';
    expect((await running.query('{ users { id } }', { authorization: 'Bearer opaque-other' })).status).toBe(503);
  });
});

describe('identity headers to upstreams', () => {
  async function echoGateway(): Promise<void> {
    const echo = await startEcho();
    servers.push(echo);
    running = await startAuthGateway({
      auth: { jwt: { issuers: [{ issuer: 'https://issuer.test', audience: 'junction-api', keys: [{ jwk: key.publicJwk }] }] } },
      extra: {
        upstreams: { echo: { url: echo.url } },
        sources: [{ name: 'echo', type: 'graphql', upstream: 'echo', schema: { file: ECHO_SDL }, forwardHeaders: ['x-junction-subject', 'x-junction-scopes', 'x-trace'] }],
      },
    });
  }
  const received = (answer: { body: { data?: Record<string, unknown> | null } }): Record<string, string> => JSON.parse(answer.body.data!['echo'] as string);

  it('carry the verified subject and scopes, replacing client-sent copies', async () => {
    await echoGateway();
    const token = await sign({ key, subject: 'alice', claims: { scope: 'a b', azp: 'web-app' } });
    const headers = received(await running!.query('{ echo }', { authorization: `Bearer ${token}`, 'x-junction-subject': 'admin', 'x-trace': 't1' }));
    expect(headers).toMatchObject({ 'x-junction-subject': 'alice', 'x-junction-scopes': 'a b', 'x-junction-consumer': 'web-app', 'x-trace': 't1' });
  });

  it('OpenAPI header parameters cannot set them, whatever their spelling', async () => {
    const whoami = await startJsonServer((req) => ({
      status: 200,
      body: { subject: req.headers['x-junction-subject'], scopes: req.headers['x-junction-scopes'], underscored: req.headers['x_junction_scopes'], tenant: req.headers['x-tenant'] },
    }));
    servers.push(whoami);
    running = await startAuthGateway({
      auth: { jwt: { issuers: [{ issuer: 'https://issuer.test', audience: 'junction-api', keys: [{ jwk: key.publicJwk }] }] } },
      extra: { upstreams: { whoami: { url: whoami.url } }, sources: [{ name: 'whoami', type: 'openapi', upstream: 'whoami', spec: WHOAMI_SPEC }] },
    });
    const fields = (await running.query('{ __type(name: "Query") { fields { name args { name } } } }')).body.data?.['__type'] as { fields: { name: string; args: { name: string }[] }[] };
    const args = fields.fields.find((field) => field.name === 'whoami')!.args.map((arg) => `${arg.name}: "admin"`).join(', ');
    expect(args.split(',')).toHaveLength(3);
    const query = `{ whoami(${args}) { subject scopes underscored tenant } }`;
    const anonymous = await running.query(query);
    expect(anonymous.body.data?.['whoami']).toEqual({ subject: null, scopes: null, underscored: null, tenant: 'admin' });
    const token = await sign({ key, subject: 'bob' });
    const signedIn = await running.query(query, { authorization: `Bearer ${token}` });
    expect(signedIn.body.data?.['whoami']).toEqual({ subject: 'bob', scopes: null, underscored: null, tenant: 'admin' });
  });

  it('anonymous callers cannot spoof them', async () => {
    await echoGateway();
    const headers = received(await running!.query('{ echo }', { 'x-junction-subject': 'admin', 'x-junction-scopes': 'everything' }));
    expect(headers['x-junction-subject']).toBeUndefined();
    expect(headers['x-junction-scopes']).toBeUndefined();
  });
});
