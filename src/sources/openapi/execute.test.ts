import { fileURLToPath } from 'node:url';
import { graphql, type GraphQLSchema } from 'graphql';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { JunctionError, UpstreamResponseError } from '../../errors.js';
import { loadOpenApiDocument, openApiToSchema, type OpenApiDocument, type RestCall, type RestResult } from './index.js';

const fixture = (name: string): string => fileURLToPath(new URL(`../../../test/fixtures/openapi/${name}`, import.meta.url));

/** A caller that records every call and answers with the next queued result. */
class FakeUpstream {
  calls: { call: RestCall; context: unknown }[] = [];
  private readonly queue: RestResult[] = [];

  reply(status: number, body?: unknown): this {
    this.queue.push({ status, headers: { 'content-type': 'application/json' }, body });
    return this;
  }

  readonly call = async (call: RestCall, context: unknown): Promise<RestResult> => {
    this.calls.push({ call, context });
    const next = this.queue.shift();
    if (!next) throw new Error('no reply queued');
    return next;
  };
}

let petstore: OpenApiDocument;
let shop: OpenApiDocument;
beforeAll(async () => {
  petstore = await loadOpenApiDocument(fixture('petstore.yaml'));
  shop = await loadOpenApiDocument(fixture('shop.json'));
});

describe('executing the shop (OpenAPI 3.1) schema', () => {
  let upstream: FakeUpstream;
  let schema: GraphQLSchema;
  beforeEach(() => {
    upstream = new FakeUpstream();
    schema = openApiToSchema(shop, { sourceName: 'shop', call: upstream.call });
  });
  const run = (source: string, variableValues?: Record<string, unknown>, contextValue?: unknown) =>
    graphql({ schema, source, variableValues, contextValue });

  it('sends repeated array query params and header params, and maps the JSON answer', async () => {
    upstream.reply(200, [{ id: 'p1', name: 'Lamp', price: 12.5, description: null, tags: ['home'], extra: 'ignored' }]);
    const context = { marker: 'ctx' };
    const result = await run(
      '{ listProducts(ids: ["1", "2"], category: "a&b", XTenantId: "t-1") { id name price description tags } }',
      undefined,
      context,
    );
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({
      listProducts: [{ id: 'p1', name: 'Lamp', price: 12.5, description: null, tags: ['home'] }],
    });
    expect(upstream.calls).toEqual([
      {
        call: {
          method: 'GET',
          path: '/products?ids=1&ids=2&category=a%26b',
          headers: { 'x-tenant-id': 't-1' },
          operationId: 'listProducts',
        },
        context,
      },
    ]);
    expect(upstream.calls[0]!.context).toBe(context);
  });

  it('encodes path params so that "/" and ".." cannot change the path', async () => {
    upstream.reply(200, { id: 'x', name: 'n', price: 1 }).reply(200, { id: 'y', name: 'n', price: 1 });
    await run('{ a: getProduct(id: "../admin/x y?z#") { id } b: getProduct(id: "..") { id } }');
    expect(upstream.calls.map((c) => c.call.path)).toEqual(['/products/..%2Fadmin%2Fx%20y%3Fz%23', '/products/%2E%2E']);
  });

  it('sends the required body as JSON with original property names and a content-type', async () => {
    upstream.reply(201, { id: 'p9', name: 'Desk', price: 99 });
    const result = await run(
      'mutation($input: NewProductInput!) { createProduct(XTenantId: "t", input: $input) { id name } }',
      { input: { name: 'Desk', price: 99, salePrice: 80, description: null } },
    );
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({ createProduct: { id: 'p9', name: 'Desk' } });
    expect(upstream.calls[0]!.call).toEqual({
      method: 'POST',
      path: '/products',
      headers: { 'x-tenant-id': 't', 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Desk', price: 99, description: null, 'sale-price': 80 }),
      operationId: 'createProduct',
    });
  });

  it('uses the documented JSON media type of a PUT body', async () => {
    upstream.reply(200, { id: 'p1', name: 'New', price: 2 });
    await run('mutation { updateProduct(id: "p1", XTenantId: "t", input: { name: "New", price: 2 }) { name } }');
    expect(upstream.calls[0]!.call).toMatchObject({
      method: 'PUT',
      path: '/products/p1',
      headers: { 'content-type': 'application/merge-patch+json', 'x-tenant-id': 't' },
      body: '{"name":"New","price":2}',
    });
  });

  it('returns true for a 204 DELETE', async () => {
    upstream.reply(204);
    const result = await run('mutation { deleteProduct(id: "p1") }');
    expect(result).toEqual({ data: { deleteProduct: true } });
    expect(upstream.calls[0]!.call).toEqual({ method: 'DELETE', path: '/products/p1', headers: {}, operationId: 'deleteProduct' });
  });

  it('returns null for a 404 on a nullable single object', async () => {
    upstream.reply(404);
    const result = await run('{ getProduct(id: "nope") { id } }');
    expect(result).toEqual({ data: { getProduct: null } });
  });

  it('turns a 500 into an UPSTREAM_ERROR field error without upstream details', async () => {
    upstream.reply(500, { secret: 'stack trace at db.internal:5432' });
    const result = await run('{ getProduct(id: "p1") { id } }');
    expect(result.data).toEqual({ getProduct: null });
    const error = result.errors![0]!;
    expect(error.path).toEqual(['getProduct']);
    expect(error.extensions['code']).toBe('UPSTREAM_ERROR');
    expect(error.originalError).toBeInstanceOf(UpstreamResponseError);
    expect((error.originalError as JunctionError).code).toBe('UPSTREAM_ERROR');
    expect(error.message).toBe('Upstream "shop" answered with HTTP 500');
    expect(error.message).not.toMatch(/secret|internal|products/);
  });

  it('maps 400/422 to BAD_USER_INPUT, 401 to UNAUTHENTICATED, 403 to FORBIDDEN, other 4xx to UPSTREAM_ERROR', async () => {
    const codes: Record<number, string> = {};
    for (const status of [400, 422, 401, 403, 409, 404]) {
      upstream.reply(status, { detail: 'db.internal' });
      const result = await run('mutation { deleteProduct(id: "p1") }');
      const error = result.errors![0]!;
      expect(error.originalError).toBeInstanceOf(JunctionError);
      expect(error.message).not.toContain('db.internal');
      codes[status] = String(error.extensions['code']);
    }
    expect(codes).toEqual({
      400: 'BAD_USER_INPUT',
      422: 'BAD_USER_INPUT',
      401: 'UNAUTHENTICATED',
      403: 'FORBIDDEN',
      409: 'UPSTREAM_ERROR',
      404: 'UPSTREAM_ERROR',
    });
  });

  it('maps renamed properties, sanitised enum arguments and nested inline objects', async () => {
    upstream.reply(200, [{ rating: 5, comment: null, 'author-name': 'Ana' }]);
    upstream.reply(200, { id: 7, items: [{ productId: 'p1', quantity: 2 }], shipping: null });
    const result = await run(
      '{ getProductsByIdReviews(id: "p1", sort: highest_rating) { rating comment authorName } getOrder(orderId: 7) { id items { productId quantity } shipping { line1 } } }',
    );
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({
      getProductsByIdReviews: [{ rating: 5, comment: null, authorName: 'Ana' }],
      getOrder: { id: 7, items: [{ productId: 'p1', quantity: 2 }], shipping: null },
    });
    expect(upstream.calls.map((c) => c.call.path)).toEqual(['/products/p1/reviews?sort=highest-rating', '/orders/7']);
  });

  it('refuses a header argument with a line break before calling the upstream', async () => {
    const result = await run('{ listProducts(XTenantId: "a\\r\\nx-admin: 1") { id } }');
    expect(result.errors![0]!.extensions['code']).toBe('BAD_USER_INPUT');
    expect(result.errors![0]!.message).toBe('Argument "XTenantId" contains characters not allowed in a header');
    expect((result.errors![0]!.originalError as JunctionError).code).toBe('BAD_USER_INPUT');
    expect(upstream.calls).toEqual([]);
  });

  it('reports a 2xx body of the wrong shape as UPSTREAM_ERROR', async () => {
    upstream.reply(200, 'not an object');
    const result = await run('{ getProduct(id: "p1") { id } }');
    expect(result.errors![0]!.extensions['code']).toBe('UPSTREAM_ERROR');
  });
});

describe('executing the petstore (OpenAPI 3.0) schema', () => {
  let upstream: FakeUpstream;
  let schema: GraphQLSchema;
  beforeEach(() => {
    upstream = new FakeUpstream();
    schema = openApiToSchema(petstore, { sourceName: 'petstore', call: upstream.call });
  });
  const run = (source: string, variableValues?: Record<string, unknown>) => graphql({ schema, source, variableValues });

  it('joins a form/explode:false array with commas and serialises sanitised enum values', async () => {
    upstream.reply(200, [{ name: 'Rex', photoUrls: [], status: 'available', 'birth-date': '2020-01-02' }]);
    upstream.reply(200, [{ sku: 'A', stock: 'in-stock' }, { sku: 'B', stock: 'out-of-stock' }]);
    const result = await run(
      '{ findPets(status: [available, sold], tags: ["a b", "c"], limit: 5) { name status birthDate } getInventory { sku stock } }',
    );
    expect(result.errors).toBeUndefined();
    expect(upstream.calls.map((c) => c.call.path)).toEqual(['/pets?status=available,sold&tags=a%20b&tags=c&limit=5', '/store/inventory']);
    expect(result.data).toEqual({
      findPets: [{ name: 'Rex', status: 'available', birthDate: '2020-01-02' }],
      getInventory: [
        { sku: 'A', stock: 'in_stock' },
        { sku: 'B', stock: 'out_of_stock' },
      ],
    });
  });

  it('resolves a discriminated union through its mapping (a $ref and a bare name)', async () => {
    upstream.reply(200, [
      { petType: 'dog', name: 'Rex', photoUrls: [], barkVolume: 3 },
      { petType: 'cat', name: 'Tom', photoUrls: [], huntingSkill: 'lazy' },
    ]);
    const result = await run(
      '{ getPetsByPetIdRelatives(petId: "p/1") { __typename ... on Dog { name barkVolume } ... on Cat { name huntingSkill } } }',
    );
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({
      getPetsByPetIdRelatives: [
        { __typename: 'Dog', name: 'Rex', barkVolume: 3 },
        { __typename: 'Cat', name: 'Tom', huntingSkill: 'lazy' },
      ],
    });
    expect(upstream.calls[0]!.call).toMatchObject({ path: '/pets/p%2F1/relatives', operationId: 'getPetsByPetIdRelatives' });
  });

  it('resolves a union without discriminator by the required properties present', async () => {
    upstream.reply(200, { id: 1, name: 'Ann', contact: { phone: '555', extension: null } });
    upstream.reply(200, { id: 2, name: 'Bob', contact: { email: 'b@example.com' } });
    const query = '{ getOwner(ownerId: 1) { name contact { __typename ... on PhoneContact { phone } ... on EmailContact { email } } } }';
    const first = await run(query);
    const second = await run(query);
    expect(first.data).toEqual({ getOwner: { name: 'Ann', contact: { __typename: 'PhoneContact', phone: '555' } } });
    expect(second.data).toEqual({ getOwner: { name: 'Bob', contact: { __typename: 'EmailContact', email: 'b@example.com' } } });
  });

  it('follows a recursive schema', async () => {
    upstream.reply(200, { id: 'c1', name: 'Dogs', subcategories: [{ id: 'c2', name: 'Puppies', subcategories: [{ id: 'c3', name: 'Tiny' }] }] });
    const result = await run('{ getCategoryTree(categoryId: "c1") { name subcategories { name subcategories { name parent { id } } } } }');
    expect(result.data).toEqual({
      getCategoryTree: { name: 'Dogs', subcategories: [{ name: 'Puppies', subcategories: [{ name: 'Tiny', parent: null }] }] },
    });
  });

  it('posts a $ref request body and sends a header parameter', async () => {
    upstream.reply(200, { id: 10, name: 'Rex', photoUrls: ['u'], status: 'pending' });
    upstream.reply(204);
    const result = await run(
      'mutation { addPet(input: { name: "Rex", photoUrls: ["u"], status: pending, birthDate: "2020-01-01" }) { id status } deletePet(petId: "10", api_key: "k") }',
    );
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({ addPet: { id: 10, status: 'pending' }, deletePet: true });
    expect(upstream.calls.map((c) => c.call)).toEqual([
      {
        method: 'POST',
        path: '/pets',
        headers: { 'content-type': 'application/json' },
        body: '{"name":"Rex","photoUrls":["u"],"status":"pending","birth-date":"2020-01-01"}',
        operationId: 'addPet',
      },
      { method: 'DELETE', path: '/pets/10', headers: { api_key: 'k' }, operationId: 'deletePet' },
    ]);
  });

  it('passes free-form JSON through', async () => {
    upstream.reply(200, { region: 'eu', 'opening-hours': '9-5' });
    const result = await run('{ getStoreMetadata }');
    expect(result.data).toEqual({ getStoreMetadata: { region: 'eu', 'opening-hours': '9-5' } });
  });
});
