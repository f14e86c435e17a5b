import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { configSchema } from '../src/config/index.js';
import { createGateway } from '../src/gateway.js';
import { silentLogger } from '../src/logger.js';
import { makeKey, sign, startEcho, type JsonServer, type TestKey } from './helpers/auth.js';
import type { Closer } from './helpers/passthrough-gateway.js';
import { sha256Hex } from './rate-limit-support.js';

/**
 * A REST route finds out who the caller is whenever one of its policies depends on it (a budget
 * per consumer or API key, a usage plan, a private cache), with or without a `policies.auth`
 * block: invalid credentials are refused as on /graphql, anonymous callers stay anonymous. A route
 * no policy needs the caller for leaves credentials meant for its backend alone.
 */

const NOW = Date.UTC(2024, 5, 1, 12, 0, 30);
const acme = { 'x-api-key': 'acme-key' };
const globex = { 'x-api-key': 'globex-key' };

const open: Closer[] = [];
afterEach(async () => {
  await Promise.allSettled(open.splice(0).reverse().map((item) => item.close()));
});

let key: TestKey;
beforeAll(async () => {
  key = await makeKey('caller-k1');
});

interface Running {
  url: string;
  echo: JsonServer;
  get(path: string, headers?: Record<string, string>): Promise<{ status: number; body: Record<string, any> }>;
}

async function start(routes: readonly Record<string, unknown>[], rateLimit: Record<string, unknown> = {}): Promise<Running> {
  const echo = await startEcho();
  open.push(echo);
  // Consumers are on the `basic` plan when the test defines one.
  const plan = rateLimit['plans'] === undefined ? {} : { plan: 'basic' };
  const config = configSchema.parse({
    server: { port: 0, host: '127.0.0.1' },
    upstreams: { echo: { url: echo.url, retry: { maxRetries: 0 } } },
    cache: {},
    rateLimit,
    auth: {
      apiKeys: { consumers: [{ id: 'acme', keySha256: sha256Hex('acme-key'), ...plan }, { id: 'globex', keySha256: sha256Hex('globex-key'), ...plan }] },
      jwt: { issuers: [{ issuer: 'https://issuer.test', audience: 'junction-api', keys: [{ jwk: key.publicJwk }] }] },
    },
    routes: routes.map((route) => ({ upstream: 'echo', match: { prefix: `/${String(route['name'])}` }, ...route })),
  } as never);
  const gateway = await createGateway(config, { logger: silentLogger(), now: () => NOW });
  const { port } = await gateway.listen();
  open.push({ close: () => gateway.close() });
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    echo,
    async get(path, headers = {}) {
      const response = await fetch(url + path, { headers });
      return { status: response.status, body: (await response.json()) as Record<string, any> };
    },
  };
}

async function statuses(gw: Running, path: string, callers: readonly Record<string, string>[]): Promise<number[]> {
  const seen: number[] = [];
  for (const headers of callers) seen.push((await gw.get(path, headers)).status);
  return seen;
}

describe('REST routes whose policies depend on the caller', () => {
  it('by: apiKey keys on the verified consumer: unknown keys get 401 and spend nothing, no key counts by client IP', async () => {
    const gw = await start([{ name: 'keyed', policies: { rateLimit: { minute: 1, by: 'apiKey' } } }]);
    const random = Array.from({ length: 5 }, (_, i) => ({ 'x-api-key': `random-${i}` }));
    expect(await statuses(gw, '/keyed', random)).toEqual([401, 401, 401, 401, 401]);
    expect(gw.echo.requests).toBe(0);
    expect(await statuses(gw, '/keyed', [acme, acme, globex, {}, {}])).toEqual([200, 429, 200, 200, 429]);
  });

  it('by: consumer gives each consumer its own budget without an auth block; a bad token gets 401', async () => {
    const gw = await start([{ name: 'per-consumer', policies: { rateLimit: { minute: 1, by: 'consumer' } } }]);
    const alice = { authorization: `Bearer ${await sign({ key, subject: 'alice' })}` };
    const expired = { authorization: `Bearer ${await sign({ key, subject: 'alice', expiresIn: -3600 })}` };
    expect(await statuses(gw, '/per-consumer', [acme, globex, alice, acme, globex, alice, expired])).toEqual([200, 200, 200, 429, 429, 429, 401]);
  });

  it('a private cache keeps one entry per principal without an auth block; anonymous answers are never stored', async () => {
    const gw = await start([{ name: 'mine', policies: { cache: { maxAge: 30, scope: 'PRIVATE' } } }]);
    const first = await gw.get('/mine', acme);
    expect(first.body['headers']['x-junction-consumer']).toBe('acme');
    expect((await gw.get('/mine', globex)).body['headers']['x-junction-consumer']).toBe('globex');
    expect(await gw.get('/mine', acme)).toEqual(first);
    expect(gw.echo.requests).toBe(2);
    expect(await statuses(gw, '/mine', [{}, {}, { 'x-api-key': 'stolen' }])).toEqual([200, 200, 401]);
    expect(gw.echo.requests).toBe(4);
  });
});

describe('usage plans on REST routes', () => {
  const plans = { plans: { basic: { quota: { day: 1 } } } };

  it('charge the consumer on every route: with an auth block only, with no policies at all', async () => {
    const gw = await start([{ name: 'authed', policies: { auth: {} } }, { name: 'plain' }], plans);
    expect(await statuses(gw, '/authed', [acme])).toEqual([200]);
    expect(await statuses(gw, '/plain', [acme, globex])).toEqual([429, 200]);
    expect(await statuses(gw, '/authed', [globex])).toEqual([429]);
    expect(await statuses(gw, '/plain', [{}, {}])).toEqual([200, 200]);
    expect(await statuses(gw, '/plain', [{ 'x-api-key': 'random' }])).toEqual([401]);
  });

  it('leave an Authorization header meant for the backend alone where no policy needs more than the API key', async () => {
    const gw = await start([{ name: 'plain' }, { name: 'shared', policies: { rateLimit: { minute: 5, by: 'ip' }, cache: { maxAge: 30 } } }], plans);
    for (const path of ['/plain', '/shared']) {
      const answer = await gw.get(path, { authorization: 'Bearer backend-own-token' });
      expect(answer.status).toBe(200);
      expect(answer.body['headers']['authorization']).toBe('Bearer backend-own-token');
    }
    const withKey = await gw.get('/plain', { ...acme, authorization: 'Basic YmFja2VuZDpzZWNyZXQ=' });
    expect(withKey.status).toBe(200);
    expect(withKey.body['headers']).toMatchObject({ authorization: 'Basic YmFja2VuZDpzZWNyZXQ=', 'x-junction-consumer': 'acme' });
  });
});

describe('the REST cache and credentials the gateway did not verify', () => {
  const plans = { plans: { basic: { quota: { day: 100 } } } };
  const seen = (answer: { body: Record<string, any> }) => answer.body['headers'];

  it('never keeps a private answer under an API key when the request also carries an Authorization header or a cookie', async () => {
    // Plans make every route verify the API key alone: a bearer token or cookie beside it is the backend's.
    const gw = await start([{ name: 'me', policies: { cache: { maxAge: 30 } } }, { name: 'mine', policies: { cache: { maxAge: 30, scope: 'PRIVATE' } } }], plans);
    const alice = await gw.get('/me', { ...acme, authorization: 'Bearer alice-session' });
    const bob = await gw.get('/me', { ...acme, authorization: 'Bearer bob-session' });
    const nobody = await gw.get('/me', acme);
    expect([seen(alice)['authorization'], seen(bob)['authorization'], seen(nobody)['authorization']]).toEqual(['Bearer alice-session', 'Bearer bob-session', undefined]);
    expect(gw.echo.requests).toBe(3);
    // A private route verifies every credential the gateway handles; a cookie or a Basic Authorization it does not.
    for (const other of [{ cookie: 'session=alice' }, { authorization: 'Basic YWxpY2U6cw==' }] as Record<string, string>[]) {
      const before = gw.echo.requests;
      const first = await gw.get('/mine', { ...acme, ...other });
      const second = await gw.get('/mine', { ...acme, ...other });
      expect(seen(first)['x-junction-consumer']).toBe('acme');
      expect(seen(second)).toMatchObject(other);
      expect(gw.echo.requests).toBe(before + 2);
    }
    expect(seen(await gw.get('/mine', acme))['cookie']).toBeUndefined();
  });

  it('keeps one entry per verified bearer-token subject; an answer nothing marks private stays shared', async () => {
    const gw = await start([{ name: 'me', policies: { rateLimit: { minute: 50, by: 'consumer' }, cache: { maxAge: 30 } } }], plans);
    const alice = { authorization: `Bearer ${await sign({ key, subject: 'alice' })}` };
    const bob = { authorization: `Bearer ${await sign({ key, subject: 'bob' })}` };
    const first = await gw.get('/me', alice);
    expect(seen(first)['x-junction-subject']).toContain('alice');
    expect(seen(await gw.get('/me', bob))['x-junction-subject']).toContain('bob');
    expect(await gw.get('/me', alice)).toEqual(first);
    expect(gw.echo.requests).toBe(2);
    // Without Authorization nothing marks the answer private: it is shared (the upstream said nothing).
    const shared = await gw.get('/me', acme);
    expect(await gw.get('/me', acme)).toEqual(shared);
    expect(gw.echo.requests).toBe(3);
  });
});
