import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { products } from '../data.js';
import type { RunningService } from '../service.js';
import { catalogOpenApiPath, startCatalog } from './index.js';

let service: RunningService | undefined;
afterEach(async () => {
  await service?.close();
  service = undefined;
});

describe('catalog service', () => {
  it('GET /products lists all 20 products with Cache-Control', async () => {
    service = await startCatalog();
    const res = await fetch(`${service.url}/products`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(res.headers.get('cache-control')).toBe('public, max-age=60');
    const body = await res.json();
    expect(body).toEqual(products);
    expect(body).toHaveLength(20);
  });

  it('GET /products?ids=p1&ids=p3 returns exactly those, in order', async () => {
    service = await startCatalog();
    const res = await fetch(`${service.url}/products?ids=p3&ids=p1&ids=p404`);
    expect(await res.json()).toEqual([
      { id: 'p3', name: 'USB-C Hub', price: 49, stock: 'low' },
      { id: 'p1', name: 'Mechanical Keyboard', price: 129.99, stock: 'in_stock' },
    ]);
    const two = await (await fetch(`${service.url}/products?ids=p1&ids=p3`)).json();
    expect(two.map((p: { id: string }) => p.id)).toEqual(['p1', 'p3']);
    const none = await (await fetch(`${service.url}/products?ids=`)).json();
    expect(none).toEqual([]);
  });

  it('GET /products/{id} returns one product or a JSON 404', async () => {
    service = await startCatalog();
    const res = await fetch(`${service.url}/products/p5`);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('public, max-age=60');
    // p5 has no stock value: the field is absent.
    expect(await res.json()).toEqual({ id: 'p5', name: 'Laptop Stand', price: 59.95 });

    const missing = await fetch(`${service.url}/products/p99`);
    expect(missing.status).toBe(404);
    expect((await missing.json()).error).toMatchObject({ code: 'NOT_FOUND' });
  });

  it('counts calls by route template, and answers unknown routes with 404', async () => {
    service = await startCatalog();
    await fetch(`${service.url}/products?ids=p1`);
    await fetch(`${service.url}/products/p1`);
    await fetch(`${service.url}/products/p2/`);
    await fetch(`${service.url}/products/p99`);
    const unknown = await fetch(`${service.url}/categories`);
    expect(unknown.status).toBe(404);
    expect((await unknown.json()).error.code).toBe('ROUTE_NOT_FOUND');
    const post = await fetch(`${service.url}/products`, { method: 'POST', body: '{}' });
    expect(post.status).toBe(405);
    expect(service.calls).toEqual({ total: 6, byRoute: { 'GET /products': 1, 'GET /products/{id}': 3 } });
    service.resetCalls();
    expect(service.calls).toEqual({ total: 0, byRoute: {} });
  });

  it('openapi.yaml parses and declares the operations and Product schema', () => {
    const doc = parse(readFileSync(catalogOpenApiPath, 'utf8'));
    expect(doc.openapi).toBe('3.0.3');
    expect(doc.paths['/products'].get.operationId).toBe('products');
    expect(doc.paths['/products/{id}'].get.operationId).toBe('product');
    const ids = doc.paths['/products'].get.parameters[0];
    expect(ids).toMatchObject({ name: 'ids', in: 'query', style: 'form', explode: true, schema: { type: 'array' } });
    const product = doc.components.schemas.Product;
    expect(product.required).toEqual(['id', 'name', 'price']);
    expect(product.properties.price.type).toBe('number');
    expect(product.properties.stock.enum).toEqual(['in_stock', 'low', 'out']);
  });
});
