import { afterEach, describe, expect, it } from 'vitest';
import { configSchema } from '../src/config/index.js';
import { createGateway } from '../src/gateway.js';
import { silentLogger } from '../src/logger.js';
import { startJsonServer } from './helpers/auth.js';
import { startUpstream, type Closer } from './helpers/passthrough-gateway.js';
import { sha256Hex } from './rate-limit-support.js';

/**
 * Principal ids are unique only within one auth method: the API-key consumer `acme` and the
 * OAuth client `acme` seen through introspection are different callers, and never share private
 * cache entries or rate-limit budgets.
 */

const open: Closer[] = [];
afterEach(async () => {
  await Promise.allSettled(open.splice(0).reverse().map((item) => item.close()));
});

const apiKeyCaller = { 'x-api-key': 'acme-key' };
const tokenCaller = { authorization: 'Bearer opaque-acme-token' };

async function gatewayWithTwoAcmes(): Promise<string> {
  const introspection = await startJsonServer(() => ({ status: 200, body: { active: true, client_id: 'acme', exp: Math.floor(Date.now() / 1000) + 3600 } }));
  open.push(introspection);
  let count = 0;
  const upstream = await startUpstream((req, res) => {
    res.writeHead(200, { 'cache-control': 'private, max-age=60' }).end(`${req.url} #${++count} for ${req.headers['x-junction-consumer']}`);
  });
  open.push(upstream);
  const config = configSchema.parse({
    server: { port: 0, host: '127.0.0.1' },
    upstreams: { api: { url: upstream.url } },
    cache: {},
    auth: {
      apiKeys: { consumers: [{ id: 'acme', keySha256: sha256Hex('acme-key') }] },
      introspection: { endpoint: `${introspection.url}/introspect`, clientId: 'gateway', clientSecret: 'secret' },
    },
    routes: [
      { name: 'mine', match: { prefix: '/me' }, upstream: 'api', policies: { auth: {}, cache: { maxAge: 30, scope: 'PRIVATE' } } },
      { name: 'limited', match: { prefix: '/limited' }, upstream: 'api', policies: { auth: {}, rateLimit: { minute: 1, by: 'consumer' } } },
    ],
  } as never);
  const gateway = await createGateway(config, { logger: silentLogger() });
  const { port } = await gateway.listen();
  open.push({ close: () => gateway.close() });
  return `http://127.0.0.1:${port}`;
}

async function get(url: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  const response = await fetch(url, { headers });
  return { status: response.status, body: await response.text() };
}

describe('principals of different auth methods with the same id', () => {
  it('never share a private cache entry', async () => {
    const url = await gatewayWithTwoAcmes();
    const byKey = await get(`${url}/me`, apiKeyCaller);
    const byToken = await get(`${url}/me`, tokenCaller);
    expect(byKey).toEqual({ status: 200, body: '/me #1 for acme' });
    expect(byToken.body).toBe('/me #2 for acme');
    expect((await get(`${url}/me`, apiKeyCaller)).body).toBe(byKey.body);
  });

  it('never share a rate-limit budget', async () => {
    const url = await gatewayWithTwoAcmes();
    expect((await get(`${url}/limited`, apiKeyCaller)).status).toBe(200);
    expect((await get(`${url}/limited`, tokenCaller)).status).toBe(200);
    expect((await get(`${url}/limited`, apiKeyCaller)).status).toBe(429);
    expect((await get(`${url}/limited`, tokenCaller)).status).toBe(429);
  });
});
