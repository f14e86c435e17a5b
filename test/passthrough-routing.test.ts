import { afterEach, describe, expect, it } from 'vitest';
import { startEchoUpstream, startGateway, type Closer, type TestGateway, type TestUpstream } from './helpers/passthrough-gateway.js';

/** Routing through a real gateway to real echo upstreams on port 0: which upstream, which path. */
const open: Closer[] = [];
afterEach(async () => {
  await Promise.allSettled(open.splice(0).reverse().map((item) => item.close()));
});

async function echoes(names: string[]): Promise<Record<string, TestUpstream>> {
  const out: Record<string, TestUpstream> = {};
  for (const name of names) {
    out[name] = await startEchoUpstream();
    open.push(out[name]!);
  }
  return out;
}

async function gatewayWith(upstreams: Record<string, TestUpstream>, routes: unknown[]): Promise<TestGateway> {
  const gateway = await startGateway({
    upstreams: Object.fromEntries(Object.entries(upstreams).map(([name, up]) => [name, { url: up.url, retry: { maxRetries: 0 } }])),
    routes: routes as never,
  });
  open.push(gateway);
  return gateway;
}

/** Which upstream answered, and the path and headers it saw. */
async function whoAnswers(gateway: TestGateway, upstreams: Record<string, TestUpstream>, path: string, init: RequestInit = {}) {
  const response = await fetch(gateway.url + path, init);
  const body = (await response.json()) as { url?: string; headers?: Record<string, string>; error?: { code: string } };
  const port = Number(body.headers?.['host']?.split(':')[1]);
  const name = Object.entries(upstreams).find(([, up]) => up.port === port)?.[0];
  return { status: response.status, name, url: body.url, headers: body.headers ?? {}, error: body.error?.code, response };
}

describe('route precedence', () => {
  it('exact beats pattern beats prefix; more literal segments and longer prefixes win; ties go to the declared first', async () => {
    const up = await echoes(['exact', 'pattern', 'literal', 'prefixLong', 'prefixShort', 'first', 'second']);
    const gateway = await gatewayWith(up, [
      // Declared in reverse precedence on purpose: declared order must only break ties.
      { name: 'short-prefix', match: { prefix: '/api' }, upstream: 'prefixShort' },
      { name: 'long-prefix', match: { prefix: '/api/users' }, upstream: 'prefixLong' },
      { name: 'pattern', match: { path: '/api/users/:id' }, upstream: 'pattern' },
      { name: 'more-literal', match: { path: '/api/users/:id/orders' }, upstream: 'literal' },
      { name: 'pattern-any-tail', match: { path: '/api/:a/:b/orders' }, upstream: 'pattern' },
      { name: 'exact', match: { path: '/api/users/me' }, upstream: 'exact' },
      { name: 'tie-first', match: { prefix: '/tie' }, upstream: 'first' },
      { name: 'tie-second', match: { prefix: '/tie' }, upstream: 'second' },
    ]);
    expect((await whoAnswers(gateway, up, '/api/users/me')).name).toBe('exact');
    expect((await whoAnswers(gateway, up, '/api/users/42')).name).toBe('pattern');
    expect((await whoAnswers(gateway, up, '/api/users/42/orders')).name).toBe('literal');
    expect((await whoAnswers(gateway, up, '/api/users/42/other')).name).toBe('prefixLong');
    expect((await whoAnswers(gateway, up, '/api/usersX')).name).toBe('prefixShort');
    expect((await whoAnswers(gateway, up, '/api')).name).toBe('prefixShort');
    expect((await whoAnswers(gateway, up, '/tie/x')).name).toBe('first');
    const none = await whoAnswers(gateway, up, '/elsewhere');
    expect([none.status, none.error]).toEqual([404, 'ROUTE_NOT_FOUND']);
  });

  it('a route whose conditions fail falls through to the next candidate; a method-only mismatch is 405 with Allow', async () => {
    const up = await echoes(['a', 'b']);
    const gateway = await gatewayWith(up, [
      { name: 'writes', match: { path: '/items', methods: ['post', 'PUT'] }, upstream: 'a' },
      { name: 'reads', match: { prefix: '/things', methods: ['GET'] }, upstream: 'b' },
    ]);
    expect((await whoAnswers(gateway, up, '/items', { method: 'POST', body: '{}' })).name).toBe('a');
    const wrong = await whoAnswers(gateway, up, '/items');
    expect([wrong.status, wrong.error, wrong.response.headers.get('allow')]).toEqual([405, 'METHOD_NOT_ALLOWED', 'POST, PUT']);
    expect((await fetch(`${gateway.url}/things/1`, { method: 'HEAD' })).status).toBe(200);
  });
});

describe('matching on host, headers and query', () => {
  it('sends /api/v1/* to service-a or service-b by X-Service-Type, else to the default', async () => {
    const up = await echoes(['serviceA', 'serviceB', 'fallback']);
    const gateway = await gatewayWith(up, [
      { name: 'a', match: { prefix: '/api/v1', headers: { 'X-Service-Type': 'a' } }, upstream: 'serviceA' },
      { name: 'b', match: { prefix: '/api/v1', headers: { 'x-service-type': ['b', 'beta'] } }, upstream: 'serviceB' },
      { name: 'default', match: { prefix: '/api/v1' }, upstream: 'fallback' },
    ]);
    expect((await whoAnswers(gateway, up, '/api/v1/x', { headers: { 'x-service-type': 'a' } })).name).toBe('serviceA');
    expect((await whoAnswers(gateway, up, '/api/v1/x', { headers: { 'x-service-type': 'beta' } })).name).toBe('serviceB');
    expect((await whoAnswers(gateway, up, '/api/v1/x', { headers: { 'x-service-type': 'c' } })).name).toBe('fallback');
    expect((await whoAnswers(gateway, up, '/api/v1/x')).name).toBe('fallback');
  });

  it('matches the Host (exact and wildcard, port ignored) and query parameters', async () => {
    const up = await echoes(['admin', 'tenant', 'beta', 'rest']);
    const gateway = await gatewayWith(up, [
      { name: 'admin-host', match: { prefix: '/', host: 'admin.example.com' }, upstream: 'admin' },
      { name: 'tenants', match: { prefix: '/', host: '*.tenants.example.com' }, upstream: 'tenant' },
      { name: 'beta', match: { prefix: '/', query: { channel: 'beta' } }, upstream: 'beta' },
      { name: 'rest', match: { prefix: '/' }, upstream: 'rest' },
    ]);
    const rawHost = async (host: string, path = '/x') => {
      const { request } = await import('node:http');
      return new Promise<string>((resolve, reject) => {
        request({ host: '127.0.0.1', port: gateway.port, path, headers: { host } }, (res) => {
          let text = '';
          res.on('data', (c: Buffer) => (text += c)).on('end', () => resolve(JSON.parse(text).headers.host));
        }).on('error', reject).end();
      });
    };
    const portOf = (host: string) => Number(host.split(':')[1]);
    expect(portOf(await rawHost('ADMIN.example.com:8443'))).toBe(up['admin']!.port);
    expect(portOf(await rawHost('acme.tenants.example.com'))).toBe(up['tenant']!.port);
    expect(portOf(await rawHost('tenants.example.com'))).toBe(up['rest']!.port);
    expect((await whoAnswers(gateway, up, '/x?a=1&channel=beta')).name).toBe('beta');
    expect((await whoAnswers(gateway, up, '/x?channel=stable')).name).toBe('rest');
  });
});

describe('rewrites', () => {
  it('strips a prefix, replaces the path with params, adds a prefix, and keeps the query', async () => {
    const up = await echoes(['catalog', 'users', 'v2']);
    const gateway = await gatewayWith(up, [
      { name: 'catalog', match: { path: '/api/catalog/*' }, upstream: 'catalog', rewrite: { stripPrefix: true } },
      { name: 'user', match: { path: '/api/v1/users/:id' }, upstream: 'users', rewrite: { replacePath: '/people/:id/profile' } },
      { name: 'v2', match: { prefix: '/v2' }, upstream: 'v2', rewrite: { stripPrefix: '/v2', addPrefix: '/internal/v2' } },
    ]);
    expect((await whoAnswers(gateway, up, '/api/catalog/products/p1?fields=a,b')).url).toBe('/products/p1?fields=a,b');
    expect((await whoAnswers(gateway, up, '/api/catalog')).url).toBe('/');
    expect((await whoAnswers(gateway, up, '/api/v1/users/u%201')).url).toBe('/people/u%201/profile');
    expect((await whoAnswers(gateway, up, '/v2/orders')).url).toBe('/internal/v2/orders');
    expect((await whoAnswers(gateway, up, '/v2')).url).toBe('/internal/v2');
  });

  it('versioned routes: /v1/... and /v2/... reach different upstreams', async () => {
    const up = await echoes(['old', 'new']);
    const gateway = await gatewayWith(up, [
      { name: 'v1', match: { prefix: '/v1' }, upstream: 'old', rewrite: { stripPrefix: true } },
      { name: 'v2', match: { prefix: '/v2' }, upstream: 'new', rewrite: { stripPrefix: true } },
    ]);
    const v1 = await whoAnswers(gateway, up, '/v1/orders/7');
    const v2 = await whoAnswers(gateway, up, '/v2/orders/7');
    expect([v1.name, v1.url, v2.name, v2.url]).toEqual(['old', '/orders/7', 'new', '/orders/7']);
  });

  it('adds, removes and renames request and response headers', async () => {
    const up = await echoes(['a']);
    const gateway = await gatewayWith(up, [{
      name: 'headers', match: { prefix: '/' }, upstream: 'a',
      requestHeaders: { add: { 'x-gateway': 'junction' }, remove: ['x-secret'], rename: { 'x-old': 'x-new' } },
      responseHeaders: { add: { 'x-served-by': 'junction' }, remove: ['content-type'], rename: { date: 'x-upstream-date' } },
    }]);
    const answer = await whoAnswers(gateway, up, '/h', { headers: { 'x-secret': 's', 'x-old': 'value', 'x-kept': 'k' } });
    expect(answer.headers['x-gateway']).toBe('junction');
    expect(answer.headers['x-secret']).toBeUndefined();
    expect(answer.headers['x-old']).toBeUndefined();
    expect(answer.headers['x-new']).toBe('value');
    expect(answer.headers['x-kept']).toBe('k');
    expect(answer.response.headers.get('x-served-by')).toBe('junction');
    expect(answer.response.headers.get('content-type')).toBeNull();
    expect(answer.response.headers.get('x-upstream-date')).toMatch(/GMT$/);
  });
});
