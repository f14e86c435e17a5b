import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { graphql } from 'graphql';
import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { loadOpenApiDocument, openApiToSchema, type RestCaller } from './index.js';

const fixture = fileURLToPath(new URL('../../../test/fixtures/openapi/shop.json', import.meta.url));

interface Seen {
  method: string | undefined;
  url: string | undefined;
  tenant: string | string[] | undefined;
  contentType: string | undefined;
  body: string;
}

async function readBody(req: IncomingMessage): Promise<string> {
  let text = '';
  for await (const chunk of req) text += String(chunk);
  return text;
}

describe('over HTTP', () => {
  let server: Server | undefined;
  afterEach(async () => {
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    server = undefined;
  });

  it('calls a real REST backend through an undici caller', async () => {
    const seen: Seen[] = [];
    server = createServer((req, res) => {
      void readBody(req).then((body) => {
        seen.push({ method: req.method, url: req.url, tenant: req.headers['x-tenant-id'], contentType: req.headers['content-type'], body });
        if (req.method === 'GET' && req.url === '/products/a%2Fb') {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ id: 'a/b', name: 'Slash', price: 3, description: null }));
        } else if (req.method === 'POST' && req.url === '/products') {
          res.writeHead(201, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ id: 'n1', ...(JSON.parse(body) as object) }));
        } else if (req.method === 'DELETE') {
          res.writeHead(204).end();
        } else {
          res.writeHead(500, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ error: 'boom at 10.0.0.7' }));
        }
      });
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

    const call: RestCaller = async (restCall) => {
      const response = await request(origin + restCall.path, {
        method: restCall.method as 'GET',
        headers: { ...restCall.headers, accept: 'application/json' },
        body: restCall.body,
      });
      const text = await response.body.text();
      return { status: response.statusCode, headers: response.headers, body: text === '' ? undefined : JSON.parse(text) };
    };
    const schema = openApiToSchema(await loadOpenApiDocument(fixture), { sourceName: 'shop', call });

    const read = await graphql({ schema, source: '{ getProduct(id: "a/b") { id name price description } }' });
    expect(read).toEqual({ data: { getProduct: { id: 'a/b', name: 'Slash', price: 3, description: null } } });

    const write = await graphql({
      schema,
      source: 'mutation { createProduct(XTenantId: "t1", input: { name: "Desk", price: 10, salePrice: 8 }) { id name price } }',
    });
    expect(write).toEqual({ data: { createProduct: { id: 'n1', name: 'Desk', price: 10 } } });

    const remove = await graphql({ schema, source: 'mutation { deleteProduct(id: "x") }' });
    expect(remove).toEqual({ data: { deleteProduct: true } });

    const failed = await graphql({ schema, source: '{ listProducts(ids: ["1", "2"], XTenantId: "t1") { id } }' });
    expect(failed.data).toEqual({ listProducts: null });
    expect(failed.errors?.[0]?.extensions['code']).toBe('UPSTREAM_ERROR');
    expect(failed.errors?.[0]?.message).not.toContain('10.0.0.7');

    expect(seen).toEqual([
      { method: 'GET', url: '/products/a%2Fb', tenant: undefined, contentType: undefined, body: '' },
      {
        method: 'POST',
        url: '/products',
        tenant: 't1',
        contentType: 'application/json',
        body: '{"name":"Desk","price":10,"sale-price":8}',
      },
      { method: 'DELETE', url: '/products/x', tenant: undefined, contentType: undefined, body: '' },
      { method: 'GET', url: '/products?ids=1&ids=2', tenant: 't1', contentType: undefined, body: '' },
    ]);
  });
});
