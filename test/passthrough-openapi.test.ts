import { afterEach, describe, expect, it } from 'vitest';
import { startDemoGateway, type DemoGateway } from './helpers/demo-gateway.js';
import { rawRequest } from './helpers/passthrough-gateway.js';

/** /openapi.json and /docs of the demo gateway, whose routes reach two OpenAPI-described upstreams. */
let demo: DemoGateway | undefined;
afterEach(async () => {
  await demo?.close();
  demo = undefined;
});

type Doc = { openapi: string; paths: Record<string, Record<string, { operationId: string; parameters?: { name: string; in: string }[]; responses: Record<string, unknown> }>>; components: { schemas: Record<string, unknown> } };

describe('GET /openapi.json', () => {
  it('describes every route: upstream operations at their public paths with namespaced schemas, and aggregations', async () => {
    demo = await startDemoGateway();
    const response = await fetch(`${demo.url}/openapi.json`);
    expect(response.status).toBe(200);
    const doc = (await response.json()) as Doc;
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths).sort()).toEqual(['/api/catalog/products', '/api/catalog/products/{id}', '/api/orders', '/api/orders/{id}', '/api/v1/users/{id}/summary']);
    expect(Object.keys(doc.paths['/api/orders']!).sort()).toEqual(['get', 'post']);
    expect(Object.keys(doc.paths['/api/catalog/products/{id}']!)).toEqual(['get']);
    expect(JSON.stringify(doc.paths['/api/orders/{id}'])).toContain('#/components/schemas/orders_Order');
    expect(doc.components.schemas['orders_Order']).toBeDefined();
    const summary = doc.paths['/api/v1/users/{id}/summary']!['get']!;
    expect(summary.operationId).toBe('user-summary');
    expect(summary.parameters).toEqual([expect.objectContaining({ name: 'id', in: 'path' })]);
    const text = JSON.stringify(doc);
    for (const service of Object.values({ ...demo.services })) {
      if (typeof service === 'object' && 'url' in service) expect(text).not.toContain(service.url);
    }
  });
});

describe('/docs', () => {
  it('serves Swagger UI pointing at /openapi.json, with its assets from swagger-ui-dist', async () => {
    demo = await startDemoGateway();
    const redirect = await fetch(`${demo.url}/docs`, { redirect: 'manual' });
    expect([redirect.status, redirect.headers.get('location')]).toEqual([302, '/docs/']);
    const page = await fetch(`${demo.url}/docs/`);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(await page.text()).toContain('swagger-ui-bundle.js');
    const init = await (await fetch(`${demo.url}/docs/init.js`)).text();
    expect(init).toContain("url: '/openapi.json'");
    const bundle = await fetch(`${demo.url}/docs/swagger-ui-bundle.js`);
    expect([bundle.status, bundle.headers.get('content-type')]).toEqual([200, 'text/javascript; charset=utf-8']);
    expect((await bundle.arrayBuffer()).byteLength).toBeGreaterThan(100_000);
    const escape = await rawRequest(Number(new URL(demo.url).port), 'GET /docs/../package.json HTTP/1.1\r\nHost: gw\r\nConnection: close\r\n\r\n');
    expect(escape.status).toBe(400);
    expect(escape.body).not.toContain('swagger-ui-dist');
    const unlisted = await fetch(`${demo.url}/docs/swagger-ui.js.map`);
    expect(unlisted.status).toBe(404);
  });
});
