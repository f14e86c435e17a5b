import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { configSchema } from '../src/config/index.js';
import { createGateway } from '../src/gateway.js';
import { silentLogger } from '../src/logger.js';
import { startUpstream, type Closer } from './helpers/passthrough-gateway.js';

/**
 * Every answer of a REST route carries the headers its policies asked for: a cached route with a
 * rate limit sends `RateLimit-*` on a miss, a hit, a 304 and a stale answer alike.
 */

const open: Closer[] = [];
afterEach(async () => {
  await Promise.allSettled(open.splice(0).reverse().map((item) => item.close()));
});

async function limitedCachedRoute(): Promise<{ url: string; advance(ms: number): void; failUpstream(): void }> {
  let down = false;
  const upstream = await startUpstream((req, res) => {
    if (down) return void req.socket.destroy();
    res.writeHead(200, { 'cache-control': 'max-age=60', etag: '"v1"' }).end('products');
  });
  open.push(upstream);
  let time = Date.UTC(2024, 5, 1, 12, 0, 0);
  const config = configSchema.parse({
    server: { port: 0, host: '127.0.0.1' },
    upstreams: { api: { url: upstream.url, retry: { maxRetries: 0 } } },
    cache: {},
    routes: [{ name: 'products', match: { prefix: '/products' }, upstream: 'api', policies: { rateLimit: { minute: 10, by: 'ip' }, cache: { maxAge: 10 } } }],
  } as never);
  const gateway = await createGateway(config, { logger: silentLogger(), now: () => time });
  const { port } = await gateway.listen();
  open.push({ close: () => gateway.close() });
  return { url: `http://127.0.0.1:${port}`, advance: (ms) => void (time += ms), failUpstream: () => void (down = true) };
}

/** node:http, not fetch: fetch adds `Cache-Control: no-cache` to conditional requests. */
function get(url: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    request(url, { headers }, (res) => {
      res.resume().on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers }));
    }).on('error', reject).end();
  });
}

describe('policy response headers on every answer of a REST route', () => {
  it('sends RateLimit-* on a miss, a hit, a 304 and a stale answer', async () => {
    const gw = await limitedCachedRoute();
    const answers = [
      await get(`${gw.url}/products`),
      await get(`${gw.url}/products`),
      await get(`${gw.url}/products`, { 'if-none-match': '"v1"' }),
    ];
    gw.advance(20_000);
    gw.failUpstream();
    answers.push(await get(`${gw.url}/products`));
    expect(answers.map((answer) => [answer.status, answer.headers['x-cache']])).toEqual([[200, 'MISS'], [200, 'HIT'], [304, 'HIT'], [200, 'STALE']]);
    expect(answers.map((answer) => answer.headers['ratelimit-remaining'])).toEqual(['9', '8', '7', '6']);
    for (const answer of answers) expect(answer.headers).toMatchObject({ 'ratelimit-limit': '10', 'ratelimit-reset': expect.any(String) });
  });
});
