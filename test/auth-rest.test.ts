import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { makeKey, sign, startEcho, type JsonServer, type TestKey } from './helpers/auth.js';
import { startAuthGateway, type AuthGateway } from './helpers/auth-gateway.js';

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

async function restGateway(policies: Record<string, unknown> = { auth: { requiresScopes: [['orders:read']] } }): Promise<AuthGateway> {
  echo = await startEcho();
  running = await startAuthGateway({
    auth: { jwt: { issuers: [{ issuer: 'https://issuer.test', audience: 'junction-api', keys: [{ jwk: key.publicJwk }] }] } },
    extra: {
      upstreams: { echo: { url: echo.url } },
      routes: [
        { name: 'orders-api', match: { prefix: '/api/orders' }, upstream: 'echo', policies },
        { name: 'public', match: { prefix: '/public' }, upstream: 'echo' },
      ],
    },
  });
  return running;
}

async function get(path: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Headers; body: Record<string, any> }> {
  const response = await fetch(`${running!.url}${path}`, { headers });
  return { status: response.status, headers: response.headers, body: (await response.json()) as Record<string, any> };
}

describe('auth on REST routes (policies.auth)', () => {
  it('no credentials → 401 with WWW-Authenticate, before any upstream call', async () => {
    await restGateway();
    const answer = await get('/api/orders/1');
    expect(answer.status).toBe(401);
    expect(answer.headers.get('www-authenticate')).toBe('Bearer realm="junction"');
    expect(answer.body['error']).toMatchObject({ code: 'UNAUTHENTICATED', requestId: expect.any(String) });
    expect(echo!.requests).toBe(0);
  });

  it('bad token → 401 + WWW-Authenticate: Bearer error="invalid_token"', async () => {
    await restGateway();
    const answer = await get('/api/orders/1', { authorization: `Bearer ${await sign({ key, expiresIn: -3600 })}` });
    expect(answer.status).toBe(401);
    expect(answer.headers.get('www-authenticate')).toContain('error="invalid_token"');
    expect(echo!.requests).toBe(0);
  });

  it('missing scope → 403 FORBIDDEN', async () => {
    await restGateway();
    const answer = await get('/api/orders/1', { authorization: `Bearer ${await sign({ key })}` });
    expect(answer.status).toBe(403);
    expect(answer.body['error']).toMatchObject({ code: 'FORBIDDEN' });
    expect(answer.headers.get('www-authenticate')).toContain('error="insufficient_scope"');
  });

  it('allowed → proxied with identity headers; client-sent copies replaced', async () => {
    await restGateway();
    const token = await sign({ key, subject: 'bob', claims: { scope: 'orders:read' } });
    const answer = await get('/api/orders/1', { authorization: `Bearer ${token}`, 'x-junction-subject': 'admin', 'x_junction_subject': 'admin' });
    expect(answer.status).toBe(200);
    expect(answer.body['headers']).toMatchObject({ 'x-junction-subject': 'bob', 'x-junction-scopes': 'orders:read' });
    expect(answer.body['headers']['x_junction_subject']).toBeUndefined();
  });

  it('routes without policies still strip client-sent identity headers', async () => {
    await restGateway();
    const answer = await get('/public/x', { 'x-junction-subject': 'admin', 'x-junction-consumer': 'acme', 'X_Junction_Scopes': 'admin', 'x-trace_id': 'kept' });
    expect(answer.status).toBe(200);
    expect(answer.body['headers']['x-junction-subject']).toBeUndefined();
    expect(answer.body['headers']['x-junction-consumer']).toBeUndefined();
    // CGI, PHP-FPM and Rack read x_junction_scopes as X-Junction-Scopes: that spelling is the same header to them.
    expect(answer.body['headers']['x_junction_scopes']).toBeUndefined();
    expect(answer.body['headers']['x-trace_id']).toBe('kept');
  });

  it('an invalid or unknown policies block fails the start', async () => {
    await expect(restGateway({ auth: { requiresScopes: 'orders:read' } })).rejects.toThrow(/invalid auth policy/);
    await echo?.close();
    await expect(restGateway({ firewall: {} })).rejects.toThrow(/unknown policy "firewall"/);
  });

  it('gateway.routeGuards(block) returns the composed guard', async () => {
    await restGateway();
    expect(running!.gateway.routeGuards(undefined)).toBeUndefined();
    expect(typeof running!.gateway.routeGuards({ auth: {} })).toBe('function');
  });
});
