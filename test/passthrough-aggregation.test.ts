import { afterEach, describe, expect, it } from 'vitest';
import { startDemoGateway, type DemoGateway } from './helpers/demo-gateway.js';

/** Aggregation routes of the demo gateway.yaml, against the four example upstreams on port 0. */
let demo: DemoGateway | undefined;
afterEach(async () => {
  await demo?.close();
  demo = undefined;
});

const EXTRA_ROUTES = `
  - name: user-by-query
    match: { path: /api/v1/user }
    operation: 'query ($id: ID!) { user(id: $id) { name } }'
  - name: product-reviews
    match: { path: /api/v1/products/:id/ratings }
    operation: 'query ($id: ID!) { reviewsByProductIds(productIds: [$id]) { rating } }'
`;

async function start(): Promise<DemoGateway> {
  demo = await startDemoGateway({ editYaml: (text) => text + EXTRA_ROUTES });
  return demo;
}

interface Summary {
  user: { id: string; name: string; orders: { id: string; items: { quantity: number; product: { name: string } | null }[] }[] } | null;
  errors?: { message: string; path: (string | number)[]; extensions: { code: string } }[];
}

describe('aggregation routes', () => {
  it('GET /api/v1/users/:id/summary returns the user with orders and products, batched: one call per upstream', async () => {
    const gw = await start();
    gw.services.resetCalls();
    const response = await fetch(`${gw.url}/api/v1/users/1/summary`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('application/json');
    const body = (await response.json()) as Summary;
    expect(body.user?.name).toBe('Ada Lovelace');
    expect(body.user?.orders.length).toBeGreaterThan(1);
    expect(body.user?.orders[0]?.items[0]?.product?.name).toBe('Mechanical Keyboard');
    expect(body.errors).toBeUndefined();
    expect([gw.services.users.calls.total, gw.services.orders.calls.total, gw.services.catalog.calls.total]).toEqual([1, 1, 1]);
  });

  it('takes variables from the query string and coerces them by type; a missing or malformed one is 400', async () => {
    const gw = await start();
    expect(await (await fetch(`${gw.url}/api/v1/user?id=2`)).json()).toEqual({ user: { name: expect.any(String) } });
    const missing = await fetch(`${gw.url}/api/v1/user`);
    expect(missing.status).toBe(400);
    expect(((await missing.json()) as { error: { code: string } }).error.code).toBe('BAD_USER_INPUT');
    const malformed = await fetch(`${gw.url}/api/v1/users/%ZZ/summary`);
    expect(malformed.status).toBe(400);
    const ratings = (await (await fetch(`${gw.url}/api/v1/products/p1/ratings`)).json()) as { reviewsByProductIds: { rating: number }[] };
    expect(ratings.reviewsByProductIds.every((review) => typeof review.rating === 'number')).toBe(true);
  });

  it('partial data: 200 with the data and an errors array when one upstream is down', async () => {
    const gw = await start();
    await gw.services.catalog.close();
    const response = await fetch(`${gw.url}/api/v1/users/1/summary`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as Summary;
    expect(body.user?.name).toBe('Ada Lovelace');
    expect(body.user?.orders[0]?.items[0]?.product).toBeNull();
    expect(body.errors?.[0]?.extensions.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(JSON.stringify(body)).not.toContain('127.0.0.1');
  });

  it('no data: the first error in the REST shape with its status', async () => {
    const gw = await start();
    await gw.services.users.close();
    const response = await fetch(`${gw.url}/api/v1/users/1/summary`);
    expect(response.status).toBe(502);
    const body = (await response.json()) as { error: { code: string; requestId: string } };
    expect(body.error.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(body.error.requestId).toBe(response.headers.get('x-request-id'));
  });

  it('an operation that does not validate against the composed schema stops the gateway at startup', async () => {
    await expect(startDemoGateway({ editYaml: (text) => `${text}
  - name: broken
    match: { path: /broken }
    operation: '{ user(id: "1") { noSuchField } }'
` })).rejects.toThrow(/route "broken": operation is not valid.*noSuchField/);
  });

  it('methods default to GET for aggregation routes', async () => {
    const gw = await start();
    const response = await fetch(`${gw.url}/api/v1/users/1/summary`, { method: 'POST', body: '{}' });
    expect([response.status, response.headers.get('allow')]).toEqual([405, 'GET, HEAD']);
  });
});
