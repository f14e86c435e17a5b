import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startDemoGateway, type DemoGateway } from './helpers/demo-gateway.js';

const PRODUCTS_WITH_REVIEWS = '{ products { id name price reviews { body rating author { name } } } }';
const USER_WITH_ORDERS = '{ user(id: "1") { name orders { id total items { quantity product { name price } } } } }';

describe('the demo queries through the gateway', () => {
  let demo: DemoGateway;
  beforeEach(async () => {
    demo = await startDemoGateway();
    demo.services.resetCalls();
  });
  afterEach(async () => {
    await demo.close();
  });

  it('resolves products with reviews and authors in one call per upstream', async () => {
    const { status, body } = await demo.query(PRODUCTS_WITH_REVIEWS);
    expect(status).toBe(200);
    expect(body.errors).toBeUndefined();
    const products = body.data!['products'] as { id: string; reviews: { author: { name: string } | null }[] }[];
    expect(products).toHaveLength(20);
    const reviewed = products.filter((product) => product.reviews.length > 0);
    expect(reviewed.length).toBeGreaterThan(5);
    for (const product of reviewed) {
      for (const review of product.reviews) expect(review.author?.name).toEqual(expect.any(String));
    }
    // 20 products → 1 catalog call; their reviews → 1 batched call; every author → 1 batched call.
    expect(demo.services.catalog.calls.byRoute).toEqual({ 'GET /products': 1 });
    expect(demo.services.reviews.calls.total).toBe(1);
    expect(demo.services.reviews.calls.byRoute['reviewsByProductIds']).toBe(1);
    expect(demo.services.users.calls.total).toBe(1);
    expect(demo.services.users.calls.byRoute['usersByIds']).toBe(1);
  });

  it('matches each review to its product and each author to their review', async () => {
    const { body } = await demo.query('{ product(id: "p1") { id reviews { productId authorId author { id } } } }');
    const product = body.data!['product'] as { id: string; reviews: { productId: string; authorId: string; author: { id: string } }[] };
    expect(product.reviews.length).toBeGreaterThan(0);
    for (const review of product.reviews) {
      expect(review.productId).toBe('p1');
      expect(review.author.id).toBe(review.authorId);
    }
  });

  it('resolves a user with orders and each item product, batched', async () => {
    const { status, body } = await demo.query(USER_WITH_ORDERS);
    expect(status).toBe(200);
    expect(body.errors).toBeUndefined();
    const user = body.data!['user'] as { name: string; orders: { items: { quantity: number; product: { name: string } }[] }[] };
    expect(user.name).toEqual(expect.any(String));
    expect(user.orders.length).toBeGreaterThanOrEqual(2);
    for (const order of user.orders) {
      for (const item of order.items) expect(item.product.name).toEqual(expect.any(String));
    }
    expect(demo.services.users.calls.total).toBe(1);
    expect(demo.services.orders.calls.byRoute).toEqual({ 'GET /orders': 1 });
    // Every item of every order → one catalog call with all product ids.
    expect(demo.services.catalog.calls.byRoute).toEqual({ 'GET /products': 1 });
  });

  it('asks once per distinct key when the target has no batch field', async () => {
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(warning.name);
    process.on('warning', onWarning);
    const { body } = await demo.query('{ users { id orders { id } } }');
    await new Promise((resolve) => setImmediate(resolve));
    process.off('warning', onWarning);
    // Eleven upstream calls listen to one request signal: expected, so no listener-leak warning.
    expect(warnings).not.toContain('MaxListenersExceededWarning');
    const users = body.data!['users'] as { id: string; orders: unknown[] }[];
    expect(users).toHaveLength(10);
    // Ten users, ten distinct ids: ten calls to GET /orders (never more), none to others.
    expect(demo.services.orders.calls.byRoute).toEqual({ 'GET /orders': 10 });
  });

  it('gives the same answer and calls whether a per-key link runs its keys directly or delegates them', async () => {
    // A plain selection runs each key as a local execution of the REST source; an alias keeps delegation.
    const direct = await demo.query('{ users { id orders { id total status } } }');
    const directCalls = demo.services.orders.calls.total;
    const delegated = await demo.query('{ users { id orders { orderId: id total status } } }');
    expect(demo.services.orders.calls.total).toBe(2 * directCalls);
    type Users = { id: string; orders: { id?: string; orderId?: string; total: number; status: string }[] }[];
    const renamed = (delegated.body.data!['users'] as Users).map((user) => ({
      id: user.id,
      orders: user.orders.map(({ orderId, ...rest }) => ({ id: orderId, ...rest })),
    }));
    expect(direct.body.data!['users']).toEqual(renamed);
    expect((direct.body.data!['users'] as Users).some((user) => user.orders.length > 0)).toBe(true);
  });

  it('reports a failed key the same way on both paths', async () => {
    await demo.services.orders.close();
    const direct = await demo.query('{ user(id: "1") { id orders { id } } }');
    const delegated = await demo.query('{ user(id: "1") { id orders { orderId: id } } }');
    expect(direct.body.data).toEqual(delegated.body.data);
    expect(direct.body.errors?.map((error) => [error.path, error.extensions?.['code']])).toEqual(
      delegated.body.errors?.map((error) => [error.path, error.extensions?.['code']]),
    );
    expect(direct.body.errors?.[0]?.extensions?.['code']).toBe('UPSTREAM_UNAVAILABLE');
  });

  it('answers a mutation through the REST source', async () => {
    const { body } = await demo.query(
      'mutation($input: NewOrderInput!) { createOrder(input: $input) { id userId status total items { quantity product { name } } } }',
      { input: { userId: '2', items: [{ productId: 'p2', quantity: 2 }] } },
    );
    expect(body.errors).toBeUndefined();
    const order = body.data!['createOrder'] as { userId: string; status: string; total: number; items: { product: { name: string } }[] };
    expect(order).toMatchObject({ userId: '2', status: 'PENDING', total: 79 });
    expect(order.items[0]!.product.name).toEqual(expect.any(String));
    expect(demo.services.orders.calls.byRoute['POST /orders']).toBe(1);
  });
});
