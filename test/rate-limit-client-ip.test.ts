import { afterEach, describe, expect, it } from 'vitest';
import { startLimitedGateway, type LimitedGateway } from './rate-limit-support.js';

let running: LimitedGateway | undefined;
afterEach(async () => {
  await running?.close();
  running = undefined;
});

/** A fixed instant mid-window, so no window turns over during a test. */
const NOW = Date.UTC(2024, 5, 1, 12, 0, 30);
const CLIENT_A = '203.0.113.1';
const CLIENT_B = '203.0.113.2';
const CLIENT_C = '203.0.113.3';

/** One request per minute per client IP, on `/graphql` and on a REST route; the test connects from 127.0.0.1. */
const start = async (trustedProxies: readonly string[]) =>
  (running = await startLimitedGateway(`
server: { port: 0, trustedProxies: ${JSON.stringify(trustedProxies)} }
rateLimit:
  fields:
    Query.users: { minute: 1, by: ip }
routes:
  - name: limited-products
    match: { path: /limited/products }
    upstream: catalog
    rewrite: { replacePath: /products }
    policies:
      rateLimit: { minute: 1, by: ip }`, { now: () => NOW }));

const forwardedFor = (value: string) => ({ 'x-forwarded-for': value });

/** POST: the fast path once the document is known (the first one takes the full pipeline). */
const post = async (g: LimitedGateway, xff: string) => (await g.query('{ users { id } }', forwardedFor(xff))).status;

/** GET: always the full pipeline. */
async function get(g: LimitedGateway, xff: string): Promise<number> {
  const response = await fetch(`${g.url}/graphql?query=${encodeURIComponent('{ users { id } }')}`, { headers: { accept: 'application/json', ...forwardedFor(xff) } });
  await response.arrayBuffer();
  return response.status;
}

async function rest(g: LimitedGateway, xff: string): Promise<number> {
  const response = await fetch(`${g.url}/limited/products`, { headers: forwardedFor(xff) });
  await response.arrayBuffer();
  return response.status;
}

describe('by: ip behind trusted proxies (server.trustedProxies)', () => {
  it('on /graphql, clients behind a trusted proxy get a budget each; a hop prepended by the client changes nothing', async () => {
    const g = await start(['127.0.0.0/8']);
    expect(await post(g, CLIENT_A)).toBe(200);
    expect(await get(g, CLIENT_A)).toBe(429);
    expect(await post(g, CLIENT_A)).toBe(429);
    expect(await get(g, CLIENT_B)).toBe(200);
    expect(await post(g, CLIENT_C)).toBe(200);
    expect(await post(g, `198.51.100.9, ${CLIENT_A}`)).toBe(429);
    expect(await get(g, `198.51.100.9, ${CLIENT_B}`)).toBe(429);
  });

  it('on a REST route, clients behind a trusted proxy get a budget each; a hop prepended by the client changes nothing', async () => {
    const g = await start(['127.0.0.0/8']);
    expect(await rest(g, CLIENT_A)).toBe(200);
    expect(await rest(g, CLIENT_A)).toBe(429);
    expect(await rest(g, CLIENT_B)).toBe(200);
    expect(await rest(g, `198.51.100.9, ${CLIENT_A}`)).toBe(429);
  });

  for (const [name, trusted] of [['without trusted proxies', []], ['from a peer that is not a trusted proxy', ['10.0.0.0/8']]] as const) {
    it(`${name}, a forged X-Forwarded-For gives no new budget, on /graphql and on a REST route`, async () => {
      const g = await start(trusted);
      expect(await post(g, CLIENT_A)).toBe(200);
      expect(await post(g, CLIENT_B)).toBe(429);
      expect(await get(g, CLIENT_C)).toBe(429);
      expect(await rest(g, CLIENT_A)).toBe(200);
      expect(await rest(g, CLIENT_B)).toBe(429);
    });
  }
});
