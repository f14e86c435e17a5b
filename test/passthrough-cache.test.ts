import { once } from 'node:events';
import { request, type IncomingMessage, type OutgoingHttpHeaders } from 'node:http';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { configSchema } from '../src/config/index.js';
import { createGateway } from '../src/gateway.js';
import { silentLogger } from '../src/logger.js';
import { makeKey, sign, type TestKey } from './helpers/auth.js';
import { startUpstream, within, type Closer, type TestUpstream } from './helpers/passthrough-gateway.js';

/**
 * HTTP caching of REST routes through the real gateway: the route's `policies.cache` answers
 * fresh GETs from the store (the upstream's request count does not move), honours the
 * upstream's Cache-Control and Vary, answers 304, keeps private entries per principal, and tees
 * the body of a miss into the store without delaying the client.
 */

const open: Closer[] = [];
afterEach(async () => {
  await Promise.allSettled(open.splice(0).reverse().map((item) => item.close()));
});

let key: TestKey;
beforeAll(async () => {
  key = await makeKey('cache-k1');
});

/** Upstream answers by path: `/c/<case>` picks the response headers; the body names the path and the request count. */
const CASES: Record<string, OutgoingHttpHeaders> = {
  plain: { 'content-type': 'text/plain' },
  smax: { 'cache-control': 'max-age=60, s-maxage=5' },
  long: { 'cache-control': 'max-age=600' },
  private: { 'cache-control': 'private, max-age=60' },
  nostore: { 'cache-control': 'no-store' },
  nocache: { 'cache-control': 'no-cache, max-age=60' },
  cookie: { 'cache-control': 'max-age=60', 'set-cookie': 'session=abc' },
  vary: { 'cache-control': 'max-age=60', vary: 'Accept-Language' },
  etag: { 'cache-control': 'max-age=60', etag: '"v1"' },
  revalidate: { 'cache-control': 'max-age=20, must-revalidate' },
  originfresh: { 'cache-control': 'max-age=600, must-revalidate' },
  ownwindow: { 'cache-control': 'max-age=60, stale-if-error=10' },
};

/** How the upstream answers: normally, with 503, or by dropping the connection. */
type Failure = 'none' | '503' | 'down';

interface Setup {
  url: string;
  port: number;
  upstream: TestUpstream;
  advance(ms: number): void;
  calls(path: string): number;
  fail(mode: Failure): void;
}

async function setup(maxEntryBytes = 1024 * 1024, big?: (res: import('node:http').ServerResponse) => void): Promise<Setup> {
  let count = 0;
  let failure: Failure = 'none';
  const upstream = await startUpstream((req, res) => {
    count++;
    if (failure === 'down') return void req.socket.destroy();
    if (failure === '503') return void res.writeHead(503).end('down for maintenance');
    const name = (req.url ?? '').split('?')[0]!.split('/')[2] ?? '';
    if (name === 'big' && big) return big(res);
    res.writeHead(200, CASES[name] ?? {});
    res.end(`${req.url} #${count} ${req.headers['accept-language'] ?? ''}`);
  });
  open.push(upstream);
  let time = Date.now();
  const config = configSchema.parse({
    server: { port: 0, host: '127.0.0.1' },
    upstreams: { api: { url: upstream.url, retry: { maxRetries: 0 } } },
    cache: { maxEntryBytes },
    auth: { jwt: { issuers: [{ issuer: 'https://issuer.test', audience: 'junction-api', keys: [{ jwk: key.publicJwk }] }] } },
    routes: [
      { name: 'cached', match: { prefix: '/c' }, upstream: 'api', policies: { cache: { maxAge: 30 } } },
      { name: 'mine', match: { prefix: '/me' }, upstream: 'api', policies: { auth: {}, cache: { maxAge: 30, scope: 'PRIVATE' } } },
      { name: 'uncached', match: { prefix: '/u' }, upstream: 'api' },
      { name: 'degraded', match: { prefix: '/f' }, upstream: 'api', policies: { cache: { maxAge: 30 } }, fallback: { status: 200, body: { items: [] } } },
      { name: 'passing', match: { prefix: '/p' }, upstream: 'api', passUpstreamErrors: true, policies: { cache: { maxAge: 30 } } },
    ],
  } as never);
  const gateway = await createGateway(config, { logger: silentLogger(), now: () => time });
  const { port } = await gateway.listen();
  open.push({ close: () => gateway.close() });
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    upstream,
    advance: (ms) => void (time += ms),
    calls: (path) => upstream.requests.filter((req) => req.url === path).length,
    fail: (mode) => void (failure = mode),
  };
}

/** node:http, not fetch: fetch adds `Cache-Control: no-cache` to conditional requests and `Accept-Language: *`. */
function get(base: string, path: string, headers: Record<string, string> = {}, method = 'GET') {
  return new Promise<{ status: number; headers: { get(name: string): string | null }; body: string }>((resolve, reject) => {
    request(base + path, { method, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      res.on('end', () => {
        const all = new Map(Object.entries(res.headers).map(([name, value]) => [name, String(value)]));
        resolve({ status: res.statusCode ?? 0, headers: { get: (name: string) => all.get(name) ?? null }, body });
      });
    }).on('error', reject).end();
  });
}

describe('REST route caching through the gateway (policies.cache)', () => {
  it('serves a fresh GET from the store with no upstream call; MISS then HIT with Age; expires on the clock', async () => {
    const gw = await setup();
    const first = await get(gw.url, '/c/plain');
    expect(first.headers.get('x-cache')).toBe('MISS');
    gw.advance(3_000);
    const second = await get(gw.url, '/c/plain');
    expect(second).toMatchObject({ status: 200, body: first.body });
    expect(second.headers.get('x-cache')).toBe('HIT');
    expect(second.headers.get('age')).toBe('3');
    expect(second.headers.get('content-type')).toBe('text/plain');
    expect((await get(gw.url, '/c/plain', {}, 'HEAD')).headers.get('x-cache')).toBe('HIT');
    expect(gw.calls('/c/plain')).toBe(1);
    expect((await get(gw.url, '/c/plain?page=2')).body).toContain('#2');
    gw.advance(28_000);
    expect((await get(gw.url, '/c/plain')).headers.get('x-cache')).toBe('MISS');
    expect(gw.calls('/c/plain')).toBe(2);
  });

  it('takes s-maxage over max-age and caps the upstream age with the route maxAge', async () => {
    const gw = await setup();
    await get(gw.url, '/c/smax');
    gw.advance(4_000);
    expect((await get(gw.url, '/c/smax')).headers.get('x-cache')).toBe('HIT');
    gw.advance(2_000);
    await get(gw.url, '/c/smax');
    expect(gw.calls('/c/smax')).toBe(2);
    await get(gw.url, '/c/long');
    gw.advance(31_000);
    await get(gw.url, '/c/long');
    expect(gw.calls('/c/long')).toBe(2);
  });

  it('never stores private (without a principal), no-store, no-cache or Set-Cookie responses, nor POST', async () => {
    const gw = await setup();
    for (const name of ['private', 'nostore', 'nocache', 'cookie']) {
      const first = await get(gw.url, `/c/${name}`);
      expect(first.headers.get('x-cache')).toBeNull();
      await get(gw.url, `/c/${name}`);
      expect(gw.calls(`/c/${name}`)).toBe(2);
    }
    await get(gw.url, '/c/plain', {}, 'POST');
    await get(gw.url, '/c/plain', {}, 'POST');
    expect(gw.calls('/c/plain')).toBe(2);
  });

  it('keeps one entry per Vary value; a request no-cache goes upstream', async () => {
    const gw = await setup();
    const fr = await get(gw.url, '/c/vary', { 'accept-language': 'fr' });
    expect((await get(gw.url, '/c/vary', { 'accept-language': 'fr' })).body).toBe(fr.body);
    const de = await get(gw.url, '/c/vary', { 'accept-language': 'de' });
    expect(de.body).toContain(' de');
    expect((await get(gw.url, '/c/vary', { 'accept-language': 'de' })).headers.get('x-cache')).toBe('HIT');
    expect(gw.calls('/c/vary')).toBe(2);
    await get(gw.url, '/c/vary', { 'accept-language': 'fr', 'cache-control': 'no-cache' });
    expect(gw.calls('/c/vary')).toBe(3);
  });

  it('answers 304 to If-None-Match from the store (upstream ETag, or one the gateway made)', async () => {
    const gw = await setup();
    await get(gw.url, '/c/etag');
    const notModified = await get(gw.url, '/c/etag', { 'if-none-match': '"v1"' });
    expect(notModified).toMatchObject({ status: 304, body: '' });
    await get(gw.url, '/c/plain');
    const etag = (await get(gw.url, '/c/plain')).headers.get('etag');
    expect(etag).toMatch(/^"[\w-]+"$/);
    expect((await get(gw.url, '/c/plain', { 'if-none-match': etag! })).status).toBe(304);
    expect(gw.calls('/c/etag') + gw.calls('/c/plain')).toBe(2);
  });

  it('keeps private entries per principal: B never gets A\'s response', async () => {
    const gw = await setup();
    const alice = { authorization: `Bearer ${await sign({ key, subject: 'alice' })}` };
    const bob = { authorization: `Bearer ${await sign({ key, subject: 'bob' })}` };
    const a1 = await get(gw.url, '/me/profile', alice);
    const b1 = await get(gw.url, '/me/profile', bob);
    expect(b1.body).not.toBe(a1.body);
    expect((await get(gw.url, '/me/profile', alice)).body).toBe(a1.body);
    expect((await get(gw.url, '/me/profile', bob)).body).toBe(b1.body);
    expect(gw.calls('/me/profile')).toBe(2);
    expect((await get(gw.url, '/me/profile')).status).toBe(401);
    expect(gw.calls('/me/profile')).toBe(2);
  });

  it('does not store a body over maxEntryBytes (chunked or with Content-Length), and serves it whole', async () => {
    const gw = await setup(1024, (res) => {
      res.writeHead(200, { 'cache-control': 'max-age=60' });
      res.write(Buffer.alloc(800, 97));
      res.end(Buffer.alloc(800, 98));
    });
    for (let i = 0; i < 2; i++) expect((await get(gw.url, '/c/big')).body).toHaveLength(1600);
    expect(gw.calls('/c/big')).toBe(2);
  });

  it('streams a miss to the client before the upstream has finished it (the copy never delays the client)', async () => {
    let finish: (() => void) | undefined;
    const gw = await setup(1024 * 1024, (res) => {
      res.writeHead(200, { 'cache-control': 'max-age=60' });
      res.write('first;');
      finish = () => res.end('second');
    });
    const response = await within(new Promise<IncomingMessage>((resolve, reject) => {
      request(`${gw.url}/c/big`, resolve).on('error', reject).end();
    }), 5_000, 'response head');
    const [chunk] = (await within(once(response, 'data'), 5_000, 'first chunk')) as [Buffer];
    expect(chunk.toString()).toBe('first;');
    finish!();
    let rest = '';
    response.on('data', (more: Buffer) => (rest += more));
    await within(once(response, 'end'), 5_000, 'end');
    expect(rest).toBe('second');
    const hit = await within(get(gw.url, '/c/big'), 5_000, 'hit');
    expect(hit).toMatchObject({ body: 'first;second' });
    expect(hit.headers.get('x-cache')).toBe('HIT');
    expect(gw.calls('/c/big')).toBe(1);
  });

  it('answers from an expired entry while the upstream fails, marked stale (stale-if-error), also with the breaker open', async () => {
    const gw = await setup();
    const stored = await get(gw.url, '/c/plain');
    gw.advance(40_000);
    gw.fail('down');
    const stale = await get(gw.url, '/c/plain');
    expect(stale).toMatchObject({ status: 200, body: stored.body });
    expect(stale.headers.get('x-cache')).toBe('STALE');
    expect(stale.headers.get('warning')).toBe('110 - "Response is Stale"');
    expect(stale.headers.get('cache-control')).toBe('no-store');
    expect(stale.headers.get('age')).toBe('40');
    expect(stale.headers.get('etag')).toBeNull();
    expect(stale.headers.get('x-request-id')).toBeTruthy();
    gw.fail('503');
    expect((await get(gw.url, '/c/plain')).headers.get('x-cache')).toBe('STALE');
    // Five failures in a row open the breaker: then the upstream is not even called.
    gw.fail('down');
    for (let i = 0; i < 6; i++) expect((await get(gw.url, '/c/plain')).headers.get('x-cache')).toBe('STALE');
    expect(gw.calls('/c/plain')).toBe(6);
    // Past the window (300 s by default) the failure is answered as it is (the breaker's probe meets the dead upstream).
    gw.advance(300_000);
    const gone = await get(gw.url, '/c/plain');
    expect(gone.status).toBe(502);
    expect(gone.headers.get('x-cache')).toBeNull();
  });

  it('serves stale within the upstream\'s own stale-if-error, past a route maxAge while the upstream still calls it fresh, never when it asks for revalidation', async () => {
    const gw = await setup();
    for (const name of ['ownwindow', 'revalidate', 'originfresh']) await get(gw.url, `/c/${name}`);
    gw.advance(35_000);
    gw.fail('503');
    expect((await get(gw.url, '/c/ownwindow')).headers.get('x-cache')).toBe('STALE');
    expect((await get(gw.url, '/c/originfresh')).headers.get('x-cache')).toBe('STALE');
    const revalidate = await get(gw.url, '/c/revalidate');
    expect(revalidate.status).toBe(502);
    expect(revalidate.body).toContain('UPSTREAM_ERROR');
    // max-age=60 capped at 30 plus stale-if-error=10: usable on failure until 70 s.
    gw.advance(30_000);
    expect((await get(gw.url, '/c/ownwindow')).headers.get('x-cache')).toBe('STALE');
    gw.advance(10_000);
    expect((await get(gw.url, '/c/ownwindow')).status).toBe(502);
    // Five failures opened the breaker: once it lets a probe through, the recovered upstream answers.
    gw.advance(6_000);
    gw.fail('none');
    const recovered = await get(gw.url, '/c/ownwindow');
    expect(recovered).toMatchObject({ status: 200 });
    expect(recovered.headers.get('x-cache')).toBe('MISS');
  });

  it('answers only the principal who stored a private entry with its stale copy; HEAD without a body', async () => {
    const gw = await setup();
    const alice = { authorization: `Bearer ${await sign({ key, subject: 'alice' })}` };
    const bob = { authorization: `Bearer ${await sign({ key, subject: 'bob' })}` };
    const stored = await get(gw.url, '/me/profile', alice);
    gw.advance(40_000);
    gw.fail('503');
    const stale = await get(gw.url, '/me/profile', alice);
    expect(stale).toMatchObject({ status: 200, body: stored.body });
    expect(stale.headers.get('x-cache')).toBe('STALE');
    expect((await get(gw.url, '/me/profile', bob)).status).toBe(502);
    expect((await get(gw.url, '/me/profile')).status).toBe(401);
    const head = await get(gw.url, '/me/profile', alice, 'HEAD');
    expect(head).toMatchObject({ status: 200, body: '' });
    expect(head.headers.get('x-cache')).toBe('STALE');
  });

  it('answers stale before the route\'s static fallback; with passUpstreamErrors only failures that are not upstream answers', async () => {
    const gw = await setup();
    await get(gw.url, '/f/plain');
    await get(gw.url, '/p/plain');
    gw.advance(40_000);
    gw.fail('503');
    expect((await get(gw.url, '/f/plain')).headers.get('x-cache')).toBe('STALE');
    expect((await get(gw.url, '/f/other')).headers.get('x-junction-fallback')).toBe('static');
    const passed = await get(gw.url, '/p/plain');
    expect(passed).toMatchObject({ status: 503, body: 'down for maintenance' });
    gw.fail('down');
    expect((await get(gw.url, '/p/plain')).headers.get('x-cache')).toBe('STALE');
  });

  it('drops the stored response of a URL after a successful unsafe request to it', async () => {
    const gw = await setup();
    await get(gw.url, '/c/plain');
    expect((await get(gw.url, '/c/plain')).headers.get('x-cache')).toBe('HIT');
    await get(gw.url, '/c/plain', {}, 'OPTIONS');
    expect((await get(gw.url, '/c/plain')).headers.get('x-cache')).toBe('HIT');
    await get(gw.url, '/c/plain', {}, 'DELETE');
    expect((await get(gw.url, '/c/plain')).headers.get('x-cache')).toBe('MISS');
    expect(gw.calls('/c/plain')).toBe(4);
  });

  it('drops every variant of a URL after a successful unsafe request, not only the first one stored again', async () => {
    const gw = await setup();
    await get(gw.url, '/c/vary', { 'accept-language': 'fr' });
    await get(gw.url, '/c/vary', { 'accept-language': 'en' });
    await get(gw.url, '/c/vary', {}, 'PUT');
    expect((await get(gw.url, '/c/vary', { 'accept-language': 'en' })).headers.get('x-cache')).toBe('MISS');
    const fr = await get(gw.url, '/c/vary', { 'accept-language': 'fr' });
    expect(fr.headers.get('x-cache')).toBe('MISS');
    expect(fr.body).toContain('#5');
  });

  it('leaves routes without the policy alone', async () => {
    const gw = await setup();
    await get(gw.url, '/u/x');
    const second = await get(gw.url, '/u/x');
    expect(second.headers.get('x-cache')).toBeNull();
    expect(gw.calls('/u/x')).toBe(2);
  });
});
