import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildSchema, graphql, type GraphQLSchema } from 'graphql';
import { products } from '../../subgraphs/data.js';

export const PRODUCTS_SDL = fileURLToPath(new URL('../schemas/products.graphql', import.meta.url));

/** A started mock upstream. */
export interface Mock {
  url: string;
  calls: { total: number; byRoute: Record<string, number> };
  resetCalls(): void;
  close(): Promise<void>;
}

function count(calls: Mock['calls'], key: string): void {
  calls.total++;
  calls.byRoute[key] = (calls.byRoute[key] ?? 0) + 1;
}

async function listen(server: Server, port: number, calls: Mock['calls']): Promise<Mock> {
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const { port: bound } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${bound}`,
    calls,
    resetCalls() {
      calls.total = 0;
      for (const key of Object.keys(calls.byRoute)) delete calls.byRoute[key];
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function readAll(req: IncomingMessage, done: (body: string) => void): void {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => done(Buffer.concat(chunks).toString('utf8')));
}

function send(res: ServerResponse, status: number, body: Buffer): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': body.length });
  res.end(body);
}

export interface ProductsMockOptions {
  /**
   * Answer 503 to the first attempt of every Nth distinct request (told apart by its
   * `authorization` header, which the gateway forwards), and normally to its retry. 0: never.
   */
  failFirstEvery?: number;
}

const UNAVAILABLE = Buffer.from('{"errors":[{"message":"unavailable (bench: first attempt fails)"}]}');

/** Whether this attempt is a planned first-attempt failure (see `failFirstEvery`). */
function createFirstAttemptFailures(every: number): (req: IncomingMessage) => boolean {
  const failed = new Set<string>();
  let seen = 0;
  return (req) => {
    if (every <= 0) return false;
    const key = String(req.headers.authorization ?? '');
    if (failed.delete(key)) return false;
    if (++seen % every !== 0) return false;
    if (failed.size > 100_000) failed.clear();
    failed.add(key);
    return true;
  };
}

/**
 * Zero-cost GraphQL subgraph serving the 20 catalog products (`{ products { id name price } }`).
 * Each distinct request (query, operation name, and the variables when the query reads any) is
 * executed once with graphql-js; the answer bytes are kept, so under load the mock costs a JSON
 * parse and a map lookup per request whatever query text a gateway sends.
 */
export function startProductsGraphql(port = 0, options: ProductsMockOptions = {}): Promise<Mock> {
  const failsFirst = createFirstAttemptFailures(options.failFirstEvery ?? 0);
  const schema: GraphQLSchema = buildSchema(readFileSync(PRODUCTS_SDL, 'utf8'));
  const rootValue = { products: () => products };
  const answers = new Map<string, Promise<Buffer>>();
  const calls = { total: 0, byRoute: {} as Record<string, number> };
  const answer = (body: string): Promise<Buffer> => {
    let request: { query: string; variables?: Record<string, unknown>; operationName?: string };
    try {
      request = JSON.parse(body) as typeof request;
    } catch {
      return Promise.reject(new Error('bad JSON'));
    }
    // Variables a document never reads (no `$` in it) cannot change its answer: one entry serves them all.
    const key = `${request.operationName ?? ''}\u0000${request.query}\u0000${request.query.includes('$') ? JSON.stringify(request.variables ?? null) : ''}`;
    let cached = answers.get(key);
    if (!cached) {
      cached = (async () => {
        const result = await graphql({ schema, source: request.query, rootValue, variableValues: request.variables, operationName: request.operationName });
        return Buffer.from(JSON.stringify(result));
      })();
      if (answers.size > 1000) answers.clear();
      answers.set(key, cached);
    }
    return cached;
  };
  const server = createServer((req, res) => {
    count(calls, `${req.method} /graphql`);
    if (req.method !== 'POST') return send(res, 405, Buffer.from('{"errors":[{"message":"POST only"}]}'));
    if (failsFirst(req)) return readAll(req, () => send(res, 503, UNAVAILABLE));
    readAll(req, (body) => {
      answer(body).then(
        (bytes) => send(res, 200, bytes),
        () => send(res, 400, Buffer.from('{"errors":[{"message":"bad request"}]}')),
      );
    });
  });
  return listen(server, port, calls);
}

export const REST_PRODUCT_JSON = Buffer.from(JSON.stringify(products[0]));
export const REST_POST_ANSWER = Buffer.from('{"ok":true,"received":"order"}');

/**
 * Zero-cost REST upstream for the passthrough: `GET /products/p1` answers a precomputed buffer,
 * `POST /orders` reads the body and answers a precomputed buffer; anything else is 404.
 */
export function startRestMock(port = 0): Promise<Mock> {
  const calls = { total: 0, byRoute: {} as Record<string, number> };
  const notFound = Buffer.from('{"error":{"code":"NOT_FOUND","message":"no such route"}}');
  const server = createServer((req, res) => {
    count(calls, `${req.method} ${req.url}`);
    if (req.method === 'GET' && req.url === '/products/p1') return send(res, 200, REST_PRODUCT_JSON);
    if (req.method === 'POST' && req.url === '/orders') {
      readAll(req, () => send(res, 200, REST_POST_ANSWER));
      return;
    }
    readAll(req, () => send(res, 404, notFound));
  });
  return listen(server, port, calls);
}
