import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { createServer } from 'node:http';
import { connect, createServer as createNetServer, type AddressInfo, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer, type ServerOptions } from 'ws';
import { sample, scrape } from './helpers/metrics.js';
import { rawRequest, startEchoUpstream, startGateway, within, type Closer } from './helpers/passthrough-gateway.js';

/** WebSocket upgrade passthrough to a real `ws` echo server on port 0. */
const open: Closer[] = [];
afterEach(async () => {
  await Promise.allSettled(open.splice(0).reverse().map((item) => item.close()));
});

async function startWsEcho(options: Omit<ServerOptions, 'server'> = {}): Promise<{ url: string; seenPaths: string[]; seenHeaders: Record<string, unknown>[]; clients: Set<WebSocket> } & Closer> {
  const server = createServer((_req, res) => res.end('plain'));
  const wss = new WebSocketServer({ ...options, server });
  const seenPaths: string[] = [];
  const seenHeaders: Record<string, unknown>[] = [];
  wss.on('connection', (socket, req) => {
    seenPaths.push(req.url ?? '');
    seenHeaders.push(req.headers);
    socket.on('message', (data, binary) => socket.send(binary ? data : `echo:${String(data)}`, { binary }));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`, seenPaths, seenHeaders, clients: wss.clients,
    close: () => new Promise((resolve) => {
      for (const client of wss.clients) client.terminate();
      wss.close();
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

async function setup(extra: Record<string, unknown> = {}) {
  const echo = await startWsEcho();
  open.push(echo);
  const plain = await startEchoUpstream();
  open.push(plain);
  const gw = await startGateway({
    ...extra,
    upstreams: { ws: { url: echo.url }, plain: { url: plain.url } },
    routes: [
      { name: 'live', match: { prefix: '/live' }, upstream: 'ws', websocket: true, rewrite: { stripPrefix: true, addPrefix: '/socket' } },
      { name: 'rest', match: { prefix: '/rest' }, upstream: 'plain' },
    ] as never,
  });
  open.push(gw);
  return { echo, gw };
}

describe('WebSocket passthrough', () => {
  it('upgrades through the gateway and echoes text and binary frames both ways, on the rewritten path', async () => {
    const { echo, gw } = await setup();
    const client = new WebSocket(`ws://127.0.0.1:${gw.port}/live/room?x=1`, { headers: { 'x-client': 'c1' } });
    await within(once(client, 'open'), 3_000, 'websocket open');
    client.send('hello');
    const [text] = (await within(once(client, 'message'), 3_000, 'text echo')) as [Buffer];
    expect(String(text)).toBe('echo:hello');
    client.send(Buffer.from([1, 2, 3]), { binary: true });
    const [binary] = (await within(once(client, 'message'), 3_000, 'binary echo')) as [Buffer];
    expect([...binary]).toEqual([1, 2, 3]);
    expect(echo.seenPaths).toEqual(['/socket/room?x=1']);
    expect(echo.seenHeaders[0]!['x-client']).toBe('c1');
    expect(echo.seenHeaders[0]!['x-forwarded-for']).toBe('127.0.0.1');
    client.close();
    await within(once(client, 'close'), 3_000, 'websocket close');
  });

  it('closing the upstream side closes the client; closing the client closes the upstream', async () => {
    const { echo, gw } = await setup();
    const first = new WebSocket(`ws://127.0.0.1:${gw.port}/live/a`);
    await within(once(first, 'open'), 3_000, 'open');
    for (const socket of echo.clients) socket.terminate();
    await within(once(first, 'close'), 3_000, 'client closed after upstream went away');

    const second = new WebSocket(`ws://127.0.0.1:${gw.port}/live/b`);
    await within(once(second, 'open'), 3_000, 'open');
    const [upstreamSide] = [...echo.clients];
    second.terminate();
    await within(once(upstreamSide!, 'close'), 3_000, 'upstream closed after client went away');
  });

  const upgrade = (path: string, extra = ''): string =>
    `GET ${path} HTTP/1.1\r\nHost: gw\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n${extra}\r\n`;

  it('serves an Upgrade request on a route without websocket: true as a plain HTTP request (Upgrade not forwarded, connection closed)', async () => {
    const { gw } = await setup();
    const rest = await rawRequest(gw.port, upgrade('/rest/x?q=1'));
    expect(rest.status).toBe(200);
    expect(rest.head).toMatch(/\r\nconnection: close/i);
    expect(rest.head).toMatch(/\r\nx-request-id: /i);
    const echoed = JSON.parse(rest.body) as { url: string; headers: Record<string, string> };
    expect(echoed.url).toBe('/rest/x?q=1');
    expect(echoed.headers['upgrade']).toBeUndefined();
    expect(echoed.headers['sec-websocket-key']).toBe('dGhlIHNhbXBsZSBub25jZQ==');
    const health = await rawRequest(gw.port, upgrade('/healthz'));
    expect(health.status).toBe(200);
  });

  it('an Upgrade request served as a plain request ends like any other: counted in the metrics, and shutdown does not wait for it', async () => {
    const { gw } = await setup({ metrics: { enabled: true, port: 0 }, server: { shutdownGraceMs: 60_000 } });
    expect((await rawRequest(gw.port, upgrade('/rest/x'))).status).toBe(200);
    await expect.poll(async () => sample((await scrape(gw.gateway.metricsAddress())).text, 'junction_http_requests_total', { route: 'rest', code: '200' })).toBe(1);
    // Before, the response never closed: the in-flight count stayed at 1 and close() waited out the grace.
    await within(gw.gateway.close(), 5_000, 'gateway close');
  });

  it('answers an Upgrade request on no route, or an unsafe path, like any request: 404 / 400 in the JSON error shape', async () => {
    const { gw } = await setup();
    const nowhere = await rawRequest(gw.port, upgrade('/nowhere'));
    expect(nowhere.status).toBe(404);
    expect(JSON.parse(nowhere.body).error.code).toBe('ROUTE_NOT_FOUND');
    expect((await rawRequest(gw.port, upgrade('/live/%2e%2e/x'))).status).toBe(400);
  });

  it('refuses an Upgrade request with a body outside WebSocket routes with 400 (its body can no longer be read)', async () => {
    const { gw } = await setup();
    const withBody = await rawRequest(gw.port, upgrade('/rest/x', 'Content-Length: 5\r\n') + 'hello');
    expect(withBody.status).toBe(400);
    expect(JSON.parse(withBody.body).error).toMatchObject({ code: 'BAD_REQUEST', requestId: expect.any(String) });
  });

  it('counts a handshake in the metrics under its route: 101 for a tunnel, with its duration', async () => {
    const { gw } = await setup({ metrics: { enabled: true, port: 0 } });
    const client = new WebSocket(`ws://127.0.0.1:${gw.port}/live/room`);
    await within(once(client, 'open'), 3_000, 'websocket open');
    const count = async (route: string, code: string) => sample((await scrape(gw.gateway.metricsAddress())).text, 'junction_http_requests_total', { route, code });
    expect(await count('live', '101')).toBe(1);
    expect(sample((await scrape(gw.gateway.metricsAddress())).text, 'junction_http_request_duration_seconds_count', { route: 'live' })).toBe(1);
    client.close();
    await within(once(client, 'close'), 3_000, 'websocket close');
  });

  it('a handshake a route policy refuses is answered by the gateway and counted with its status', async () => {
    const echo = await startWsEcho();
    open.push(echo);
    const gw = await startGateway({
      metrics: { enabled: true, port: 0 },
      auth: { apiKeys: { consumers: [{ id: 'acme', keySha256: createHash('sha256').update('acme-key').digest('hex') }] } },
      upstreams: { ws: { url: echo.url } },
      routes: [{ name: 'live', match: { prefix: '/live' }, upstream: 'ws', websocket: true, policies: { auth: { authenticated: true } } }] as never,
    });
    open.push(gw);
    const refused = new WebSocket(`ws://127.0.0.1:${gw.port}/live`);
    const [, response] = (await within(once(refused, 'unexpected-response'), 3_000, 'refusal')) as [unknown, { statusCode: number }];
    expect(response.statusCode).toBe(401);
    const admitted = new WebSocket(`ws://127.0.0.1:${gw.port}/live`, { headers: { 'x-api-key': 'acme-key' } });
    await within(once(admitted, 'open'), 3_000, 'websocket open');
    admitted.close();
    const text = (await scrape(gw.gateway.metricsAddress())).text;
    expect(sample(text, 'junction_http_requests_total', { route: 'live', code: '401' })).toBe(1);
    expect(sample(text, 'junction_http_requests_total', { route: 'live', code: '101' })).toBe(1);
    expect(echo.seenPaths).toHaveLength(1);
  });

  it('a client leaving while the upstream has not answered the handshake: the upstream request is dropped at once, counted as 499', async () => {
    // An upstream that accepts the connection and never answers.
    const held: Socket[] = [];
    const silent = createNetServer((socket) => {
      held.push(socket);
      socket.on('error', () => undefined);
      socket.resume(); // read, so that the gateway closing the connection is seen
    });
    silent.listen(0, '127.0.0.1');
    await once(silent, 'listening');
    open.push({ close: () => new Promise<void>((resolve) => { for (const socket of held) socket.destroy(); silent.close(() => resolve()); }) });
    const gw = await startGateway({
      metrics: { enabled: true, port: 0 },
      upstreams: { silent: { url: `http://127.0.0.1:${(silent.address() as AddressInfo).port}`, timeoutMs: 60_000 } },
      routes: [{ name: 'quiet', match: { prefix: '/quiet' }, upstream: 'silent', websocket: true }] as never,
    });
    open.push(gw);
    const client = connect(gw.port, '127.0.0.1');
    await once(client, 'connect');
    client.write(upgrade('/quiet'));
    await within(once(silent, 'connection'), 3_000, 'handshake reaching the upstream');
    client.end();
    await within(once(held[0]!, 'close'), 3_000, 'upstream connection dropped');
    await expect.poll(async () => sample((await scrape(gw.gateway.metricsAddress())).text, 'junction_http_requests_total', { route: 'quiet', code: '499' })).toBe(1);
  });

  it('bytes a client sends before the handshake is answered reach the upstream once the tunnel opens', async () => {
    let admit: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => { admit = resolve; });
    const echo = await startWsEcho({ verifyClient: (_info, done) => void gate.then(() => done(true)) });
    open.push(echo);
    const gw = await startGateway({ upstreams: { ws: { url: echo.url } }, routes: [{ name: 'live', match: { prefix: '/live' }, upstream: 'ws', websocket: true }] as never });
    open.push(gw);
    const client = connect(gw.port, '127.0.0.1');
    await once(client, 'connect');
    let received = '';
    client.on('data', (chunk: Buffer) => { received += chunk.toString('latin1'); });
    client.write(upgrade('/live'));
    // A masked text frame "hi" (a zero mask), sent before any answer.
    client.write(Buffer.from([0x81, 0x82, 0, 0, 0, 0, 0x68, 0x69]));
    admit();
    await expect.poll(() => received, { timeout: 3_000 }).toContain('echo:hi');
    expect(received).toMatch(/^HTTP\/1\.1 101 /);
    client.destroy();
  });

  it('answers 502 when the WebSocket upstream is down, counted under the route', async () => {
    const echo = await startWsEcho();
    await echo.close();
    const gw = await startGateway({ metrics: { enabled: true, port: 0 }, upstreams: { ws: { url: echo.url } }, routes: [{ name: 'live', match: { prefix: '/live' }, upstream: 'ws', websocket: true }] as never });
    open.push(gw);
    const client = new WebSocket(`ws://127.0.0.1:${gw.port}/live`);
    const [, response] = (await within(once(client, 'unexpected-response'), 3_000, 'refusal')) as [unknown, { statusCode: number }];
    expect(response.statusCode).toBe(502);
    expect(sample((await scrape(gw.gateway.metricsAddress())).text, 'junction_http_requests_total', { route: 'live', code: '502' })).toBe(1);
  });
});
