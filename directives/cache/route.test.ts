import { EventEmitter } from 'node:events';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import { createMemoryCacheStore } from '../../src/stores/cache-memory-store.js';
import { createCredentialCheck } from '../auth/credentials.js';
import type { Principal, RouteRequest } from '../policy.js';
import { requestAllowsLookup, responseCacheability, varyOf } from './http-cache.js';
import { createCacheRoute } from './route.js';

const GET = { method: 'GET', headers: {} };

describe('HTTP cacheability of an upstream response', () => {
  const decide = (headers: IncomingHttpHeaders, args = {}, request: { method: string; headers: IncomingHttpHeaders } = GET, status = 200, principal?: string) =>
    responseCacheability(request, { status, headers }, args, principal, 0);

  it('stores for s-maxage, else max-age, minus Age', () => {
    expect(decide({ 'cache-control': 'public, max-age=60' })).toEqual({ store: true, ttlSeconds: 60, vary: [], private: false, staleIfErrorSeconds: 0 });
    expect(decide({ 'cache-control': 'max-age=60, s-maxage=30' })).toMatchObject({ store: true, ttlSeconds: 30 });
    expect(decide({ 'cache-control': 'max-age=60', age: '15' })).toMatchObject({ store: true, ttlSeconds: 45 });
    // An invalid Age is ignored (RFC 9111 §5.1): a negative one must not make the entry outlive the upstream's freshness.
    expect(decide({ 'cache-control': 'max-age=60', age: '-30' })).toMatchObject({ store: true, ttlSeconds: 60 });
  });

  it('uses the route maxAge as default and as cap', () => {
    expect(decide({}, { maxAge: 20 })).toMatchObject({ store: true, ttlSeconds: 20 });
    expect(decide({ 'cache-control': 'max-age=60' }, { maxAge: 20 })).toMatchObject({ ttlSeconds: 20 });
    expect(decide({ 'cache-control': 'max-age=5' }, { maxAge: 20 })).toMatchObject({ ttlSeconds: 5 });
    expect(decide({})).toMatchObject({ store: false, reason: 'no freshness' });
  });

  it('never stores no-store, no-cache, Set-Cookie, Vary: *, uncacheable statuses or methods', () => {
    expect(decide({ 'cache-control': 'no-store, max-age=60' }, { maxAge: 9 }).store).toBe(false);
    expect(decide({ 'cache-control': 'no-cache, max-age=60' }).store).toBe(false);
    expect(decide({ 'cache-control': 'max-age=60', 'set-cookie': ['a=1'] }).store).toBe(false);
    expect(decide({ 'cache-control': 'max-age=60', vary: 'Accept, *' }).store).toBe(false);
    expect(decide({ 'cache-control': 'max-age=60' }, {}, GET, 500).store).toBe(false);
    expect(decide({ 'cache-control': 'max-age=60' }, {}, { method: 'POST', headers: {} }).store).toBe(false);
    expect(decide({ 'cache-control': 'max-age=60' }, {}, { method: 'GET', headers: { 'cache-control': 'no-store' } }).store).toBe(false);
  });

  it('treats private, PRIVATE scope and authorised requests as per principal; none without one', () => {
    expect(decide({ 'cache-control': 'private, max-age=60' })).toMatchObject({ store: false });
    expect(decide({ 'cache-control': 'private, max-age=60' }, {}, GET, 200, 'u1')).toMatchObject({ store: true, private: true });
    expect(decide({ 'cache-control': 'max-age=60' }, { scope: 'PRIVATE' }, GET, 200, 'u1')).toMatchObject({ private: true });
    const authorised = { method: 'GET', headers: { authorization: 'Bearer t' } };
    expect(decide({ 'cache-control': 'max-age=60' }, {}, authorised)).toMatchObject({ store: false });
    expect(decide({ 'cache-control': 'public, max-age=60' }, {}, authorised)).toMatchObject({ store: true, private: false });
  });

  it('keeps a stale-if-error window: the upstream\'s own, none when it asks for revalidation, else the most allowed; never over that most', () => {
    const window = (cacheControl: string, args: { maxAge?: number } = {}, most = 300) => {
      const decision = responseCacheability(GET, { status: 200, headers: { 'cache-control': cacheControl } }, args, undefined, most);
      return decision.store ? decision.staleIfErrorSeconds : undefined;
    };
    expect(window('max-age=60')).toBe(300);
    expect(window('max-age=60, stale-if-error=20')).toBe(20);
    expect(window('max-age=60, stale-if-error=999999')).toBe(300);
    expect(window('max-age=60, must-revalidate')).toBe(0);
    expect(window('max-age=60, proxy-revalidate')).toBe(0);
    expect(window('max-age=60, s-maxage=30')).toBe(0);
    expect(window('max-age=60, must-revalidate, stale-if-error=5')).toBe(5);
    // A route maxAge under the upstream's freshness: the rest of that freshness comes first.
    expect(window('max-age=60, stale-if-error=10', { maxAge: 30 })).toBe(40);
    expect(window('max-age=600, must-revalidate', { maxAge: 30 })).toBe(300);
    expect(window('max-age=60, stale-if-error=20', { maxAge: 30 }, 0)).toBe(0);
    expect(window('max-age=60', {}, 0)).toBe(0);
  });

  it('reads Vary and request directives', () => {
    expect(varyOf('Accept-Language, accept')).toEqual(['accept', 'accept-language']);
    expect(requestAllowsLookup('GET', {})).toBe(true);
    expect(requestAllowsLookup('HEAD', {})).toBe(true);
    expect(requestAllowsLookup('POST', {})).toBe(false);
    expect(requestAllowsLookup('GET', { 'cache-control': 'no-cache' })).toBe(false);
    expect(requestAllowsLookup('GET', { 'cache-control': 'max-age=0' })).toBe(false);
    expect(requestAllowsLookup('GET', { pragma: 'no-cache' })).toBe(false);
  });
});

/** A minimal ServerResponse capturing what the guard writes. */
type Written = { status?: number; headers?: Record<string, unknown>; body?: Buffer };

function fakeResponse(): ServerResponse & { written: Written } {
  const written: Written = {};
  const res = Object.assign(new EventEmitter(), {
    written,
    writeHead(status: number, headers: Record<string, unknown>) {
      written.status = status;
      written.headers = headers;
      return res;
    },
    end(body?: Buffer) {
      written.body = body;
      return res;
    },
  });
  return res as unknown as ServerResponse & { written: Written };
}

function routeRequest(url: string, headers: IncomingHttpHeaders = {}, principal?: string, method = 'GET'): RouteRequest & { res: ReturnType<typeof fakeResponse> } {
  const path = url.split('?')[0]!;
  const state = { principal: principal ? ({ id: principal, scopes: [], claims: {}, method: 'jwt' } as Principal) : undefined, clientIp: '127.0.0.1', responseHeaders: {} };
  return { req: { method, url, headers } as IncomingMessage, res: fakeResponse(), requestId: 'r1', path, routeName: 'catalog', state };
}

describe('REST route cache guard', () => {
  function setup(args = {}) {
    let time = 1_000_000;
    const store = createMemoryCacheStore({ maxBytes: 1024 * 1024 }, { now: () => time });
    const route = createCacheRoute(args, { store, now: () => time, maxEntryBytes: 10_000, staleIfErrorSeconds: 100, accountsFor: createCredentialCheck({}) });
    return { route, advance: (ms: number) => void (time += ms) };
  }
  const body = Buffer.from('{"id":"p1"}');

  it('misses, stores, then answers a fresh hit itself with Age; expires on the clock', async () => {
    const { route, advance } = setup();
    expect(await route.guard(routeRequest('/products/p1'))).toBe(false);
    expect(await route.record(routeRequest('/products/p1'), 200, { 'cache-control': 'max-age=60', 'content-type': 'application/json', connection: 'keep-alive' }, body)).toBe(true);
    advance(5_000);
    const hit = routeRequest('/products/p1');
    expect(await route.guard(hit)).toBe(true);
    expect(hit.res.written.status).toBe(200);
    expect(hit.res.written.body?.toString()).toBe('{"id":"p1"}');
    expect(hit.res.written.headers).toMatchObject({ age: '5', 'content-type': 'application/json', 'x-cache': 'HIT' });
    expect(hit.res.written.headers?.['connection']).toBeUndefined();
    expect(await route.guard(routeRequest('/products/p1?x=1'))).toBe(false);
    advance(55_000);
    expect(await route.guard(routeRequest('/products/p1'))).toBe(false);
  });

  it('keeps an expired entry for the request: it answers only if the upstream then fails, marked stale, within the window', async () => {
    const { route, advance } = setup();
    await route.record(routeRequest('/s'), 200, { 'cache-control': 'max-age=60', etag: '"v1"', 'content-type': 'text/plain' }, body);
    const fresh = routeRequest('/s');
    expect(await route.guard(fresh)).toBe(true);
    expect(route.onUpstreamFailure(routeRequest('/s'))).toBe(false);
    advance(70_000);
    const expired = routeRequest('/s');
    expect(await route.guard(expired)).toBe(false);
    expect(expired.res.written.status).toBeUndefined();
    expect(route.onUpstreamFailure(expired)).toBe(true);
    expect(expired.res.written.status).toBe(200);
    expect(expired.res.written.body?.toString()).toBe('{"id":"p1"}');
    expect(expired.res.written.headers).toMatchObject({ age: '70', 'x-cache': 'STALE', 'cache-control': 'no-store', warning: '110 - "Response is Stale"', 'content-type': 'text/plain' });
    expect(expired.res.written.headers?.['etag']).toBeUndefined();
    const late = routeRequest('/s');
    expect(await route.guard(late)).toBe(false);
    advance(100_000);
    expect(route.onUpstreamFailure(late)).toBe(false);
    expect(await route.guard(routeRequest('/s'))).toBe(false);
  });

  it('answers 304 to a matching If-None-Match and no body to HEAD', async () => {
    const { route } = setup();
    await route.record(routeRequest('/p'), 200, { 'cache-control': 'max-age=60', etag: '"v1"' }, body);
    const conditional = routeRequest('/p', { 'if-none-match': '"v1"' });
    expect(await route.guard(conditional)).toBe(true);
    expect(conditional.res.written.status).toBe(304);
    const head = routeRequest('/p', {}, undefined, 'HEAD');
    expect(await route.guard(head)).toBe(true);
    expect(head.res.written.body).toBeUndefined();
  });

  it('keeps one variant per Vary header value', async () => {
    const { route } = setup();
    await route.record(routeRequest('/v', { 'accept-language': 'fr' }), 200, { 'cache-control': 'max-age=60', vary: 'Accept-Language' }, Buffer.from('fr'));
    const fr = routeRequest('/v', { 'accept-language': 'fr' });
    expect(await route.guard(fr)).toBe(true);
    expect(fr.res.written.body?.toString()).toBe('fr');
    expect(await route.guard(routeRequest('/v', { 'accept-language': 'de' }))).toBe(false);
  });

  it('never answers one principal with another\'s private response', async () => {
    const { route } = setup();
    await route.record(routeRequest('/me', {}, 'alice'), 200, { 'cache-control': 'private, max-age=60' }, Buffer.from('alice'));
    const alice = routeRequest('/me', {}, 'alice');
    expect(await route.guard(alice)).toBe(true);
    expect(alice.res.written.body?.toString()).toBe('alice');
    expect(await route.guard(routeRequest('/me', {}, 'bob'))).toBe(false);
    expect(await route.guard(routeRequest('/me'))).toBe(false);
  });

  it('after the proxy: marks a storable GET MISS, taps its body and replays the headers the client got', async () => {
    const { route } = setup({ maxAge: 60 });
    const request = routeRequest('/t');
    const sent: Record<string, string> = { 'content-type': 'text/plain', 'x-renamed': '1' };
    const tap = route.afterProxy(request, { status: 200, upstreamHeaders: { 'content-type': 'text/plain', 'x-original': '1' }, headers: sent });
    expect(sent['x-cache']).toBe('MISS');
    expect(tap?.maxBytes).toBe(10_000);
    await tap!.onBody(Buffer.from('tapped'));
    const hit = routeRequest('/t');
    expect(await route.guard(hit)).toBe(true);
    expect(hit.res.written.body?.toString()).toBe('tapped');
    expect(hit.res.written.headers).toMatchObject({ 'x-renamed': '1', 'x-cache': 'HIT', etag: expect.stringMatching(/^"/) });
    expect(hit.res.written.headers?.['x-original']).toBeUndefined();
  });

  it('after the proxy: no tap for POST, Set-Cookie, no-store or a declared length over the cap', () => {
    const { route } = setup({ maxAge: 60 });
    const tap = (request: RouteRequest, upstreamHeaders: IncomingHttpHeaders) => route.afterProxy(request, { status: 200, upstreamHeaders, headers: {} });
    expect(tap(routeRequest('/p', {}, undefined, 'POST'), {})).toBeUndefined();
    expect(tap(routeRequest('/p'), { 'set-cookie': ['a=1'] })).toBeUndefined();
    expect(tap(routeRequest('/p'), { 'cache-control': 'no-store' })).toBeUndefined();
    expect(tap(routeRequest('/p'), { 'content-length': '20000' })).toBeUndefined();
    expect(tap(routeRequest('/p'), { 'content-length': '200' })).toBeDefined();
  });

  it('does not store what the request or the size forbids', async () => {
    const { route } = setup({ maxAge: 60 });
    expect(await route.record(routeRequest('/big'), 200, {}, Buffer.alloc(20_000))).toBe(false);
    expect(await route.record(routeRequest('/c'), 200, { 'set-cookie': ['a=1'] }, body)).toBe(false);
    expect(await route.guard(routeRequest('/c'))).toBe(false);
    expect(await route.guard(routeRequest('/big', { 'cache-control': 'no-cache' }))).toBe(false);
  });
});
