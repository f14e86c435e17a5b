import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { orders } from '../data.js';
import type { RunningService } from '../service.js';
import { ordersOpenApiPath, startOrders } from './index.js';

let service: RunningService | undefined;
afterEach(async () => {
  await service?.close();
  service = undefined;
});

function post(url: string, body: unknown): Promise<Response> {
  return fetch(`${url}/orders`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

describe('orders service', () => {
  it('GET /orders lists all, ?userId filters', async () => {
    service = await startOrders();
    const all = await (await fetch(`${service.url}/orders`)).json();
    expect(all).toEqual(orders);
    expect(all).toHaveLength(30);

    const mine = await (await fetch(`${service.url}/orders?userId=1`)).json();
    expect(mine.map((o: { id: string }) => o.id)).toEqual(['o1', 'o2', 'o3']);
    expect(mine[0]).toEqual({
      id: 'o1',
      userId: '1',
      total: 247.96,
      status: 'PENDING',
      items: [
        { productId: 'p1', quantity: 1 },
        { productId: 'p2', quantity: 2 },
        { productId: 'p11', quantity: 3 },
      ],
    });
    expect(await (await fetch(`${service.url}/orders?userId=nobody`)).json()).toEqual([]);
  });

  it('GET /orders/{id} returns one order or a JSON 404', async () => {
    service = await startOrders();
    const res = await fetch(`${service.url}/orders/o2`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual(orders[1]);
    const missing = await fetch(`${service.url}/orders/o999`);
    expect(missing.status).toBe(404);
    expect((await missing.json()).error.code).toBe('NOT_FOUND');
  });

  it('POST /orders creates an order that GET then finds', async () => {
    service = await startOrders();
    const res = await post(service.url, {
      userId: '7',
      items: [
        { productId: 'p1', quantity: 2 },
        { productId: 'p20', quantity: 3 },
      ],
    });
    expect(res.status).toBe(201);
    expect(res.headers.get('location')).toBe('/orders/o31');
    const created = await res.json();
    expect(created).toEqual({
      id: 'o31',
      userId: '7',
      total: 274.23, // 2 × 129.99 + 3 × 4.75
      status: 'PENDING',
      items: [
        { productId: 'p1', quantity: 2 },
        { productId: 'p20', quantity: 3 },
      ],
    });
    expect(await (await fetch(`${service.url}/orders/o31`)).json()).toEqual(created);
    const forUser = await (await fetch(`${service.url}/orders?userId=7`)).json();
    expect(forUser.at(-1)).toEqual(created);

    expect(service.calls).toEqual({
      total: 3,
      byRoute: { 'POST /orders': 1, 'GET /orders/{id}': 1, 'GET /orders': 1 },
    });
  });

  it('keeps created orders per instance', async () => {
    service = await startOrders();
    const other = await startOrders();
    try {
      await post(service.url, { userId: '1', items: [{ productId: 'p1', quantity: 1 }] });
      expect((await fetch(`${other.url}/orders/o31`)).status).toBe(404);
      expect(await (await fetch(`${other.url}/orders`)).json()).toHaveLength(30);
    } finally {
      await other.close();
    }
  });

  it('rejects invalid orders with 400', async () => {
    service = await startOrders();
    const cases: unknown[] = [
      '{oops',
      [],
      { items: [{ productId: 'p1', quantity: 1 }] },
      { userId: '1' },
      { userId: '1', items: [] },
      { userId: '1', items: [{ productId: 'p999', quantity: 1 }] },
      { userId: '1', items: [{ productId: 'p1', quantity: 0 }] },
      { userId: '1', items: [{ productId: 'p1', quantity: 1.5 }] },
    ];
    for (const body of cases) {
      const res = await post(service.url, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect((await res.json()).error.code).toBe('BAD_USER_INPUT');
    }
    expect((await fetch(`${service.url}/orders`)).status).toBe(200);
    expect(await (await fetch(`${service.url}/orders`)).json()).toHaveLength(30);
  });

  it('openapi.yaml parses and declares the operations and schemas', () => {
    const doc = parse(readFileSync(ordersOpenApiPath, 'utf8'));
    expect(doc.openapi).toBe('3.0.3');
    expect(doc.paths['/orders'].get.operationId).toBe('orders');
    expect(doc.paths['/orders'].post.operationId).toBe('createOrder');
    expect(doc.paths['/orders/{id}'].get.operationId).toBe('order');
    expect(doc.paths['/orders'].get.parameters[0]).toMatchObject({ name: 'userId', in: 'query', required: false });
    const { Order, OrderItem, NewOrder, OrderStatus } = doc.components.schemas;
    expect(Order.required).toEqual(['id', 'userId', 'total', 'status', 'items']);
    expect(OrderItem.required).toEqual(['productId', 'quantity']);
    expect(OrderItem.properties.quantity.type).toBe('integer');
    expect(NewOrder.required).toEqual(['userId', 'items']);
    expect(OrderStatus.enum).toEqual(['PENDING', 'PAID', 'SHIPPED']);
    expect(doc.paths['/orders'].post.responses['201'].content['application/json'].schema.$ref).toBe(
      '#/components/schemas/Order',
    );
  });
});
