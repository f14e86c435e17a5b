import { afterEach, describe, expect, it } from 'vitest';
import { startDemoGateway, type DemoGateway } from './helpers/demo-gateway.js';

let demo: DemoGateway | undefined;
afterEach(async () => {
  await demo?.close();
  demo = undefined;
});

async function start(editYaml?: (text: string) => string): Promise<DemoGateway> {
  demo = await startDemoGateway({ editYaml });
  demo.services.resetCalls();
  return demo;
}

const production = (text: string): string => text.replace('mode: development', 'mode: production');
const upstreamCalls = (d: DemoGateway): number =>
  d.services.users.calls.total + d.services.reviews.calls.total + d.services.catalog.calls.total + d.services.orders.calls.total;

function codesOf(body: { errors?: { extensions?: Record<string, unknown> }[] }): unknown[] {
  return (body.errors ?? []).map((error) => error.extensions?.['code']);
}

describe('query limits, rejected before any upstream call', () => {
  it('depth hidden in fragments', async () => {
    const d = await start();
    const query = `
      query { products { ...P } }
      fragment P on Product { reviews { ...R } }
      fragment R on Review { author { orders { items { product { reviews { author { orders { items { product { reviews { id } } } } } } } } } } }`;
    const { status, body } = await d.query(query);
    expect(status).toBe(400);
    expect(codesOf(body)).toContain('MAX_DEPTH_LIMIT');
    expect(upstreamCalls(d)).toBe(0);
  });

  it('100 aliases of a REST-backed field', async () => {
    const d = await start();
    const aliases = Array.from({ length: 100 }, (_, i) => `a${i}: product(id: "p1") { id }`).join(' ');
    const { status, body } = await d.query(`{ ${aliases} }`);
    expect(status).toBe(400);
    expect(codesOf(body)).toContain('MAX_ALIASES_LIMIT');
    expect(upstreamCalls(d)).toBe(0);
  });

  it('2,000 repeated fields', async () => {
    const d = await start();
    const { status, body } = await d.query(`{ products { ${'id '.repeat(2000)} } }`);
    expect(status).toBe(400);
    expect(codesOf(body)).toContain('MAX_TOKENS_LIMIT');
    expect(upstreamCalls(d)).toBe(0);
  });

  it('too many directives and too many root fields', async () => {
    const d = await start();
    const directives = await d.query(`{ products { id ${'@include(if: true) '.repeat(60)} } }`);
    expect(codesOf(directives.body)).toContain('MAX_DIRECTIVES_LIMIT');
    const roots = Array.from({ length: 21 }, (_, i) => `r${i}: __typename`).join(' ');
    const rootFields = await d.query(`{ ${roots} products { id } ${Array.from({ length: 21 }, (_, i) => `p${i}: users { id }`).join(' ')} }`);
    expect(codesOf(rootFields.body)).toContain('MAX_ROOT_FIELDS_LIMIT');
    expect(upstreamCalls(d)).toBe(0);
  });
});

describe('request shapes', () => {
  it('a JSON array of 10 operations is refused', async () => {
    const d = await start();
    const response = await fetch(`${d.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(Array.from({ length: 10 }, () => ({ query: '{ users { id } }' }))),
    });
    expect(response.status).toBe(400);
    expect(upstreamCalls(d)).toBe(0);
  });

  it('query sent as a number is refused', async () => {
    const d = await start();
    const response = await fetch(`${d.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query": 42}' });
    expect(response.status).toBe(400);
  });

  it('a mutation over GET is refused', async () => {
    const d = await start();
    const query = encodeURIComponent('mutation { createOrder(input: { userId: "1", items: [] }) { id } }');
    const response = await fetch(`${d.url}/graphql?query=${query}`, { headers: { accept: 'application/json' } });
    expect(response.status).toBe(405);
    expect(d.services.orders.calls.total).toBe(0);
  });

  it('a cross-site simple POST (text/plain) is refused as CSRF', async () => {
    const d = await start();
    const response = await fetch(`${d.url}/graphql`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{"query":"{ users { id } }"}' });
    expect(response.status).toBe(400);
    expect(upstreamCalls(d)).toBe(0);
  });

  it('a body over the limit is refused with 413 before parsing', async () => {
    const d = await start((text) => text.replace('port: 4000', 'port: 4000\n  maxBodyBytes: 1000'));
    const response = await fetch(`${d.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: `{ users { id } } # ${'x'.repeat(2000)}` }),
    });
    expect(response.status).toBe(413);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('PAYLOAD_TOO_LARGE');
  });
});

describe('production mode', () => {
  it('refuses introspection and hides field suggestions', async () => {
    const d = await start(production);
    const introspection = await d.query('{ __schema { types { name } } }');
    expect(introspection.status).toBe(400);
    expect(introspection.body.data).toBeUndefined();
    const typo = await d.query('{ produts { id } }');
    expect(typo.body.errors?.[0]?.message).not.toMatch(/Did you mean/);
  });

  it('development mode keeps introspection and suggestions', async () => {
    const d = await start();
    const introspection = await d.query('{ __schema { queryType { name } } }');
    expect(introspection.body.data).toEqual({ __schema: { queryType: { name: 'Query' } } });
    const typo = await d.query('{ produts { id } }');
    expect(typo.body.errors?.[0]?.message).toMatch(/Did you mean "products"/);
  });
});

describe('upstream failures as field errors', () => {
  it('a dead upstream makes its fields null with a code and path; other fields resolve; nothing leaks', async () => {
    const d = await start();
    const catalogUrl = d.services.catalog.url;
    await d.services.catalog.close();
    const { status, body } = await d.query('{ users { id } products { id } }');
    expect(status).toBe(200);
    expect((body.data!['users'] as unknown[]).length).toBe(10);
    expect(body.data!['products']).toBeNull();
    expect(body.errors).toHaveLength(1);
    expect(body.errors![0]).toMatchObject({ path: ['products'], extensions: { code: 'UPSTREAM_UNAVAILABLE' } });
    const text = JSON.stringify(body);
    expect(text).not.toContain(new URL(catalogUrl).port);
    expect(text).not.toContain('127.0.0.1');
    expect(text).not.toMatch(/ECONNREFUSED|at .*\.ts:\d+/);
  });
});

describe('chunked request bodies', () => {
  it('a chunked body over the limit is refused with 413; one under it is served', async () => {
    const d = await start((text) => text.replace('port: 4000', 'port: 4000\n  maxBodyBytes: 1000'));
    const send = (text: string) => fetch(`${d.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: new ReadableStream({ start(controller) { controller.enqueue(new TextEncoder().encode(text)); controller.close(); } }),
      duplex: 'half',
    } as RequestInit);
    const big = await send(JSON.stringify({ query: `{ users { id } } # ${'x'.repeat(5000)}` }));
    expect(big.status).toBe(413);
    const small = await send(JSON.stringify({ query: '{ users { id } }' }));
    expect(small.status).toBe(200);
    expect(((await small.json()) as { data: { users: unknown[] } }).data.users).toHaveLength(10);
  });
});
