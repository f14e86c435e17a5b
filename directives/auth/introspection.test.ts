import { afterEach, describe, expect, it } from 'vitest';
import { introspectionSchema } from '../../src/config/auth.js';
import { silentLogger } from '../../src/logger.js';
import { codeOf, startJsonServer, type JsonServer } from '../../test/helpers/auth.js';
import { createAuthHttp, type AuthHttpClient } from './http-client.js';
import { createIntrospector, type Introspector } from './introspection.js';

let server: JsonServer | undefined;
let http: AuthHttpClient | undefined;
let clock = 1_000_000_000_000;
const seen: { authorization?: string; body: string }[] = [];

afterEach(async () => {
  await server?.close();
  await http?.close();
  seen.length = 0;
});

/** An RFC 7662 endpoint: tokens starting with "good" are active for `ttl` seconds. */
async function introspector(options: Record<string, unknown> = {}, ttl = 3600): Promise<Introspector> {
  const expiresAt = Math.floor(clock / 1000) + ttl;
  server = await startJsonServer((req, body) => {
    seen.push({ authorization: req.headers.authorization, body });
    const token = new URLSearchParams(body).get('token') ?? '';
    if (!token.startsWith('good')) return { status: 200, body: { active: false } };
    return { status: 200, body: { active: true, sub: `sub-${token}`, scope: 'orders:read profile', client_id: 'app', exp: expiresAt, aud: 'junction-api', iss: 'https://idp.test' } };
  });
  http = createAuthHttp();
  const config = introspectionSchema.parse({ endpoint: `${server.url}/introspect`, clientId: 'gateway', clientSecret: 's3cr:et', ...options });
  return createIntrospector(config, { http: http.request, now: () => clock, logger: silentLogger(), realm: 'junction' });
}

describe('OAuth2 token introspection', () => {
  it('active token → principal; POSTs the token with client credentials (HTTP Basic)', async () => {
    const check = await introspector();
    const principal = await check.verify('good-1');
    expect(principal).toMatchObject({ id: 'sub-good-1', scopes: ['orders:read', 'profile'], method: 'introspection' });
    expect(seen[0]!.authorization).toBe(`Basic ${Buffer.from('gateway:s3cr%3Aet').toString('base64')}`);
    expect(new URLSearchParams(seen[0]!.body).get('token')).toBe('good-1');
  });

  it('inactive token → UNAUTHENTICATED', async () => {
    const check = await introspector();
    expect(await codeOf(check.verify('revoked'))).toBe('UNAUTHENTICATED');
  });

  it('caches results: repeated and concurrent checks of one token make one call', async () => {
    const check = await introspector();
    await Promise.all([check.verify('good-1'), check.verify('good-1'), check.verify('good-1')]);
    await check.verify('good-1');
    expect(await codeOf(check.verify('bad'))).toBe('UNAUTHENTICATED');
    expect(await codeOf(check.verify('bad'))).toBe('UNAUTHENTICATED');
    expect(server!.requests).toBe(2);
  });

  it('never caches past cacheMaxAgeMs', async () => {
    const check = await introspector({ cacheMaxAgeMs: 10_000 });
    await check.verify('good-1');
    clock += 9_000;
    await check.verify('good-1');
    expect(server!.requests).toBe(1);
    clock += 2_000;
    await check.verify('good-1');
    expect(server!.requests).toBe(2);
  });

  it('never caches past the token\'s exp: an expired token is not served from cache', async () => {
    const check = await introspector({ cacheMaxAgeMs: 600_000 }, 5);
    await check.verify('good-1');
    clock += 6_000;
    expect(await codeOf(check.verify('good-1'))).toBe('UNAUTHENTICATED');
    expect(server!.requests).toBe(2);
  });

  it('checks audience and issuer when configured', async () => {
    expect(await codeOf((await introspector({ audience: 'other' })).verify('good-1'))).toBe('UNAUTHENTICATED');
    await server!.close();
    expect(await codeOf((await introspector({ audience: 'junction-api', issuer: 'https://idp.test' })).verify('good-1'))).toBe('ACCEPTED');
  });

  it('endpoint down, failing or hanging → AUTH_UNAVAILABLE (never accepted blind), bounded in time', async () => {
    const check = await introspector({ timeoutMs: 150 });
    server!.respond = 'down';
    expect(await codeOf(check.verify('good-1'))).toBe('AUTH_UNAVAILABLE');
    server!.respond = () => ({ status: 401, body: { error: 'invalid_client' } });
    expect(await codeOf(check.verify('good-1'))).toBe('AUTH_UNAVAILABLE');
    server!.respond = 'hang';
    const started = performance.now();
    expect(await codeOf(check.verify('good-1'))).toBe('AUTH_UNAVAILABLE');
    expect(performance.now() - started).toBeLessThan(1_500);
  });

  it('the cache is bounded (LRU)', async () => {
    const check = await introspector({ cacheSize: 2 });
    for (const token of ['good-a', 'good-b', 'good-c', 'good-a']) await check.verify(token);
    expect(server!.requests).toBe(4);
  });
});
