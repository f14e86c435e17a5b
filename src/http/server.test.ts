import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { createConnection } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { serverSchema } from '../config/schema.js';
import { silentLogger } from '../logger.js';
import { within } from '../../test/helpers/passthrough-gateway.js';
import { createRequestStats, type RequestStats } from './request-stats.js';
import { createHttpServer, type HttpServer, type RouteHandler } from './server.js';

/** The HTTP server's own bookkeeping: every response is counted once, and in-flight requests drain. */
let server: HttpServer | undefined;
const held: (() => void)[] = [];
afterEach(async () => {
  held.splice(0).forEach((release) => release());
  await server?.drain(0);
  server = undefined;
});

async function start(stats: RequestStats): Promise<{ port: number; heldArrived: Promise<void> }> {
  let arrived!: () => void;
  const heldArrived = new Promise<void>((resolve) => (arrived = resolve));
  const routes = new Map<string, RouteHandler>([
    // Answers only when the test lets it.
    ['/held', (_req, res) => {
      held.push(() => res.end('late'));
      arrived();
    }],
    ['/fast', (_req, res) => void res.end('fast')],
  ]);
  server = createHttpServer({ config: serverSchema.parse({ port: 0, host: '127.0.0.1' }), logger: silentLogger(), routes, requestStats: stats });
  const { port } = (await server.listen()) as AddressInfo;
  return { port, heldArrived };
}

const countOf = (stats: RequestStats, route: string, status: number): number => [...stats.routes()].find((each) => each.route === route)?.statuses.get(status) ?? 0;

describe('HTTP server bookkeeping', () => {
  it('a pipelined response still queued when the client leaves is counted (499) and does not hold the drain', async () => {
    const stats = createRequestStats();
    const { port, heldArrived } = await start(stats);
    const socket = createConnection(port, '127.0.0.1');
    await once(socket, 'connect');
    // `/fast` is answered at once, but its response waits behind `/held`'s on the connection.
    socket.write('GET /held HTTP/1.1\r\nhost: x\r\n\r\nGET /fast HTTP/1.1\r\nhost: x\r\n\r\n');
    await heldArrived;
    socket.destroy();
    await expect.poll(() => countOf(stats, '/held', 499) + countOf(stats, '/fast', 499)).toBe(2);
    // Before, `/fast` never closed: the in-flight count stayed at 1 and the drain waited out its grace.
    await within(server!.drain(60_000), 5_000, 'drain with a 60 s grace');
    server = undefined;
  });

  it('a pipelined response sent in its turn is counted once, under its status', async () => {
    const stats = createRequestStats();
    const { port, heldArrived } = await start(stats);
    const socket = createConnection(port, '127.0.0.1');
    await once(socket, 'connect');
    let received = '';
    socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
    socket.write('GET /held HTTP/1.1\r\nhost: x\r\n\r\nGET /fast HTTP/1.1\r\nhost: x\r\n\r\n');
    await heldArrived;
    held.splice(0).forEach((release) => release());
    await expect.poll(() => received.match(/HTTP\/1\.1 200/g)?.length ?? 0).toBe(2);
    socket.destroy();
    await expect.poll(() => countOf(stats, '/fast', 200)).toBe(1);
    expect(countOf(stats, '/held', 200)).toBe(1);
    expect(countOf(stats, '/fast', 499) + countOf(stats, '/held', 499)).toBe(0);
  });
});
