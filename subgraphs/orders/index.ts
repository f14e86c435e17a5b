import { fileURLToPath } from 'node:url';
import { computeTotal, orders as seedOrders, productsById, type Order, type OrderItem } from '../data.js';
import { createRestHandler } from '../rest.js';
import {
  CallCounter,
  readBody,
  sendError,
  sendRaw,
  startService,
  type RunningService,
  type ServiceOptions,
} from '../service.js';

/** Absolute path of the orders OpenAPI document (the gateway reads this file). */
export const ordersOpenApiPath = fileURLToPath(new URL('./openapi.yaml', import.meta.url));

class ValidationError extends Error {}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parseNewOrder(body: string): { userId: string; items: OrderItem[] } {
  let raw: unknown;
  try {
    raw = JSON.parse(body);
  } catch {
    throw new ValidationError('Request body is not valid JSON');
  }
  if (!isPlainObject(raw)) throw new ValidationError('Request body must be a JSON object');
  const { userId, items } = raw;
  if (typeof userId !== 'string' || userId === '') throw new ValidationError('"userId" must be a non-empty string');
  if (!Array.isArray(items) || items.length === 0) throw new ValidationError('"items" must be a non-empty array');
  const parsed = items.map((item: unknown, i): OrderItem => {
    if (!isPlainObject(item)) throw new ValidationError(`items[${i}] must be an object`);
    const { productId, quantity } = item;
    if (typeof productId !== 'string') throw new ValidationError(`items[${i}].productId must be a string`);
    if (!productsById.has(productId)) throw new ValidationError(`items[${i}].productId: unknown product "${productId}"`);
    if (typeof quantity !== 'number' || !Number.isInteger(quantity) || quantity < 1) {
      throw new ValidationError(`items[${i}].quantity must be a positive integer`);
    }
    return { productId, quantity };
  });
  return { userId, items: parsed };
}

/**
 * Starts the orders REST service. Orders live in memory per instance (seeded from `data.ts`):
 * - `GET /orders[?userId=…]` → Order[]
 * - `GET /orders/{id}` → Order, or 404
 * - `POST /orders` with `{ userId, items: [{ productId, quantity }] }` → 201 Order (status PENDING,
 *   total computed from catalog prices), or 400
 */
export async function startOrders(options: ServiceOptions = {}): Promise<RunningService> {
  const counter = new CallCounter();
  // Orders never change once stored, so each one's JSON is serialised once.
  const jsonById = new Map<string, string>();
  const idsByUser = new Map<string, string[]>();
  const store = (order: Order): string => {
    const json = JSON.stringify(order);
    jsonById.set(order.id, json);
    let ids = idsByUser.get(order.userId);
    if (!ids) idsByUser.set(order.userId, (ids = []));
    ids.push(order.id);
    return json;
  };
  for (const order of seedOrders) store(order);
  let nextId = seedOrders.length + 1;

  const handler = createRestHandler(
    [
      {
        method: 'GET',
        template: '/orders',
        handle: ({ res, query }) => {
          const userId = query.get('userId');
          const parts =
            userId === null
              ? [...jsonById.values()]
              : (idsByUser.get(userId) ?? []).map((id) => jsonById.get(id)!);
          sendRaw(res, 200, `[${parts.join(',')}]`);
        },
      },
      {
        method: 'GET',
        template: '/orders/{id}',
        handle: ({ res, params }) => {
          const json = jsonById.get(params.id!);
          if (json === undefined) sendError(res, 404, 'NOT_FOUND', `Order "${params.id}" not found`);
          else sendRaw(res, 200, json);
        },
      },
      {
        method: 'POST',
        template: '/orders',
        handle: async ({ req, res }) => {
          let input: { userId: string; items: OrderItem[] };
          try {
            input = parseNewOrder(await readBody(req));
          } catch (err) {
            if (err instanceof ValidationError) {
              sendError(res, 400, 'BAD_USER_INPUT', err.message);
              return;
            }
            throw err;
          }
          const order: Order = {
            id: `o${nextId++}`,
            userId: input.userId,
            total: computeTotal(input.items),
            status: 'PENDING',
            items: input.items,
          };
          sendRaw(res, 201, store(order), { location: `/orders/${order.id}` });
        },
      },
    ],
    counter,
  );
  return startService('orders', counter, handler, options);
}
