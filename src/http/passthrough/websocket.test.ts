import { once } from 'node:events';
import type { IncomingMessage } from 'node:http';
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { PassThrough, type Duplex } from 'node:stream';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { routeSchema } from '../../config/routes.js';
import type { Upstream } from '../../upstream/index.js';
import type { ForwardedResolver } from './forwarded.js';
import { createTunnelSet, createWebSocketProxy, type WebSocketProxy } from './websocket.js';

const servers: Server[] = [];
const sockets: Socket[] = [];
afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

function proxyTo(url: string): WebSocketProxy {
  const route = routeSchema.parse({ name: 'live', match: { prefix: '/live' }, upstream: 'ws', websocket: true });
  const upstream = { name: 'ws', config: { url, headers: {}, timeoutMs: 5_000 } } as unknown as Upstream;
  const sent = { 'x-forwarded-for': '127.0.0.1', 'x-forwarded-proto': 'http', 'x-forwarded-host': 'gw', forwarded: 'for=127.0.0.1;proto=http;host=gw' };
  const forwarded = { headers: () => sent } as unknown as ForwardedResolver;
  return createWebSocketProxy(route, upstream, forwarded, createTunnelSet());
}

const handshake = { headers: { host: 'gw', upgrade: 'websocket', connection: 'Upgrade' } } as unknown as IncomingMessage;

async function listen(onConnection: (socket: Socket) => void, allowHalfOpen = false): Promise<string> {
  const server = createServer({ allowHalfOpen }, (socket) => {
    sockets.push(socket);
    socket.on('error', () => undefined);
    onConnection(socket);
  });
  servers.push(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** Both ends of a real loopback connection: the gateway's side (paused and half-open, as the HTTP server hands it over) and the client's. */
async function socketPair(): Promise<{ gatewaySide: Socket; client: Socket }> {
  let gatewaySide: Socket | undefined;
  const url = await listen((socket) => {
    gatewaySide = socket;
    socket.pause();
  }, true);
  const client = connect(Number(new URL(url).port), '127.0.0.1');
  sockets.push(client);
  await once(client, 'connect');
  await vi.waitFor(() => expect(gatewaySide).toBeDefined());
  return { gatewaySide: gatewaySide!, client };
}

describe('WebSocket proxy', () => {
  it('a client reset while the route policies ran is counted as 499, and no upstream handshake is made', () => {
    // Nothing listens on port 9 (discard); the guard returns before any connection is tried.
    const proxy = proxyTo('http://127.0.0.1:9');
    const socket: Duplex = new PassThrough();
    socket.destroy();
    const answered = vi.fn();
    proxy(handshake, socket, Buffer.alloc(0), 'req-1', '/live', '', answered);
    expect(answered).toHaveBeenCalledTimes(1);
    expect(answered).toHaveBeenCalledWith(499);
  });

  it('relays an upstream refusal whole, even when the client half-closes while it is being written', async () => {
    let release: () => void = () => undefined;
    const rest = new Promise<void>((resolve) => { release = resolve; });
    const upstreamUrl = await listen((socket) => {
      socket.once('data', () => {
        socket.write('HTTP/1.1 403 Forbidden\r\ncontent-type: text/plain\r\ncontent-length: 5\r\n\r\n');
        void rest.then(() => socket.end('nope!'));
      });
    });
    const { gatewaySide, client } = await socketPair();
    let received = '';
    client.on('data', (chunk: Buffer) => { received += chunk.toString('latin1'); });
    const closed = once(client, 'close');
    const answered = vi.fn();
    proxyTo(upstreamUrl)(handshake, gatewaySide, Buffer.alloc(0), 'req-1', '/live', '', answered);
    await vi.waitFor(() => expect(received).toMatch(/^HTTP\/1\.1 403 [^]*\r\n\r\n$/));
    expect(answered).toHaveBeenCalledWith(403);
    const seenEnd = once(gatewaySide, 'end');
    client.end();
    await seenEnd;
    release();
    await closed;
    expect(received).toMatch(/\r\n\r\nnope!$/);
  });
});
