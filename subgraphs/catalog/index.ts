import { fileURLToPath } from 'node:url';
import { products } from '../data.js';
import { createRestHandler } from '../rest.js';
import { CallCounter, sendError, sendRaw, startService, type RunningService, type ServiceOptions } from '../service.js';

/** Absolute path of the catalog OpenAPI document (the gateway reads this file). */
export const catalogOpenApiPath = fileURLToPath(new URL('./openapi.yaml', import.meta.url));

export const CATALOG_CACHE_CONTROL = 'public, max-age=60';

// Products never change, so their JSON is serialised once.
const productJson = new Map(products.map((p) => [p.id, JSON.stringify(p)]));
const allProductsJson = `[${[...productJson.values()].join(',')}]`;
const cacheHeaders = { 'cache-control': CATALOG_CACHE_CONTROL };

/**
 * Starts the catalog REST service:
 * - `GET /products[?ids=p1&ids=p2]` → Product[] (in the order of `ids`, unknown ids skipped;
 *   comma-separated `ids=p1,p2` is accepted too)
 * - `GET /products/{id}` → Product, or 404
 */
export async function startCatalog(options: ServiceOptions = {}): Promise<RunningService> {
  const counter = new CallCounter();
  const handler = createRestHandler(
    [
      {
        method: 'GET',
        template: '/products',
        handle: ({ res, query }) => {
          if (!query.has('ids')) {
            sendRaw(res, 200, allProductsJson, cacheHeaders);
            return;
          }
          const ids = new Set(query.getAll('ids').flatMap((v) => v.split(',')));
          const parts: string[] = [];
          for (const id of ids) {
            const json = productJson.get(id);
            if (json !== undefined) parts.push(json);
          }
          sendRaw(res, 200, `[${parts.join(',')}]`, cacheHeaders);
        },
      },
      {
        method: 'GET',
        template: '/products/{id}',
        handle: ({ res, params }) => {
          const json = productJson.get(params.id!);
          if (json === undefined) sendError(res, 404, 'NOT_FOUND', `Product "${params.id}" not found`);
          else sendRaw(res, 200, json, cacheHeaders);
        },
      },
    ],
    counter,
  );
  return startService('catalog', counter, handler, options);
}
