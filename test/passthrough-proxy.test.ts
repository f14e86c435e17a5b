import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { rawRequest, startEchoUpstream, startGateway, startUpstream, within, type Closer, type TestGateway } from './helpers/passthrough-gateway.js';

/** Header rules, redirects, streaming, client and upstream failures, over real sockets on port 0. */
const open: Closer[] = [];
afterEach(async () => {
  await Promise.allSettled(open.splice(0).reverse().map((item) => item.close()));
});

async function gateway(upstreamUrl: string, extra: Record<string, unknown> = {}, server: Record<string, unknown> = {}): Promise<TestGateway> {
  const started = await startGateway({
    server: server as never,
    upstreams: { app: { url: upstreamUrl, timeoutMs: 1_000, retry: { maxRetries: 0 }, ...(extra['upstream'] as object) } },
    routes: [{ name: 'app', match: { prefix: '/' }, upstream: 'app', ...(extra['route'] as object) }] as never,
  });
  open.push(started);
  return started;
}

describe('headers toward the upstream', () => {
  it('drops hop-by-hop headers and those named in Connection; Host comes from config; forwarding headers are set', async () => {
    const echo = await startEchoUpstream();
    open.push(echo);
    const gw = await gateway(echo.url);
    const answer = await rawRequest(gw.port, [
      'GET /x HTTP/1.1', 'Host: public.example', 'Connection: close, X-Drop-Me', 'X-Drop-Me: 1', 'Keep-Alive: timeout=5',
      'TE: trailers', 'Proxy-Authorization: Basic abc', 'Upgrade-Insecure-Requests: 1', 'X-Forwarded-For: 6.6.6.6',
      'X-Forwarded-Host: evil.example', 'X-Forwarded-Proto: https', 'Forwarded: for=6.6.6.6', 'X-Kept: yes', '', '',
    ].join('\r\n'));
    const seen = JSON.parse(answer.body.split('\r\n').find((line) => line.startsWith('{')) ?? answer.body).headers as Record<string, string>;
    expect(seen['host']).toBe(`127.0.0.1:${echo.port}`);
    for (const name of ['x-drop-me', 'keep-alive', 'te', 'proxy-authorization']) expect(seen[name]).toBeUndefined();
    expect(seen['x-kept']).toBe('yes');
    expect(seen['upgrade-insecure-requests']).toBe('1');
    expect(seen['x-forwarded-for']).toBe('127.0.0.1');
    expect(seen['x-forwarded-host']).toBe('public.example');
    expect(seen['x-forwarded-proto']).toBe('http');
    expect(seen['forwarded']).toBe('for=127.0.0.1;host=public.example;proto=http');
    expect(seen['x-request-id']).toMatch(/^[0-9a-f]{24}-[0-9a-z]+$/);
  });

  it('keeps and appends client forwarding headers only from a trusted proxy hop', async () => {
    const echo = await startEchoUpstream();
    open.push(echo);
    const gw = await gateway(echo.url, {}, { trustedProxies: ['127.0.0.0/8'] });
    const response = await fetch(`${gw.url}/x`, {
      headers: { 'x-forwarded-for': '203.0.113.9', 'x-forwarded-proto': 'https', 'x-forwarded-host': 'api.example.com', forwarded: 'for=203.0.113.9' },
    });
    const seen = ((await response.json()) as { headers: Record<string, string> }).headers;
    expect(seen['x-forwarded-for']).toBe('203.0.113.9, 127.0.0.1');
    expect(seen['x-forwarded-proto']).toBe('https');
    expect(seen['x-forwarded-host']).toBe('api.example.com');
    expect(seen['forwarded']).toBe(`for=203.0.113.9, for=127.0.0.1;host="127.0.0.1:${gw.port}";proto=http`);
  });
});

describe('headers toward the client', () => {
  it('drops the upstream hop-by-hop headers and those its Connection header names', async () => {
    const up = await startUpstream((_req, res) => {
      res.setHeader('connection', 'x-internal');
      res.setHeader('x-internal', 'secret');
      res.setHeader('trailer', 'x-checksum');
      res.setHeader('x-public', 'ok');
      res.end('hi');
    });
    open.push(up);
    const gw = await gateway(up.url);
    const answer = await rawRequest(gw.port, 'GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n');
    expect(answer.head.toLowerCase()).not.toContain('x-internal');
    expect(answer.head.toLowerCase()).not.toContain('trailer');
    expect(answer.head.toLowerCase()).toContain('x-public: ok');
    expect(answer.body).toBe('hi');
  });
});

describe('redirects', () => {
  it('passes redirects to the client unfollowed; Location at the upstream itself is rewritten to the public host and prefix', async () => {
    let target = '';
    const up = await startUpstream((req, res) => {
      if (req.url === '/followed') return void res.end('followed');
      res.writeHead(302, { location: target });
      res.end();
    });
    open.push(up);
    const gw = await gateway(up.url, { route: { match: { prefix: '/shop' }, rewrite: { stripPrefix: true } } });
    target = `${up.url}/followed`;
    const own = await fetch(`${gw.url}/shop/go`, { redirect: 'manual' });
    expect(own.status).toBe(302);
    expect(own.headers.get('location')).toBe(`http://127.0.0.1:${gw.port}/shop/followed`);
    target = 'https://elsewhere.example/x';
    const other = await fetch(`${gw.url}/shop/go`, { redirect: 'manual' });
    expect(other.headers.get('location')).toBe('https://elsewhere.example/x');
    expect(up.requests.map((req) => req.url)).toEqual(['/go', '/go']);
  });
});

describe('streaming and failures', () => {
  it('streams the response as the upstream writes it (first chunk arrives before the upstream ends)', async () => {
    let finish: (() => void) | undefined;
    const up = await startUpstream((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('first;');
      finish = () => res.end('last');
    });
    open.push(up);
    const gw = await gateway(up.url);
    const response = await fetch(`${gw.url}/stream`);
    const reader = response.body!.getReader();
    const first = await within(reader.read(), 2_000, 'first chunk');
    expect(Buffer.from(first.value!).toString()).toBe('first;');
    finish!();
    let rest = '';
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) rest += Buffer.from(chunk.value).toString();
    expect(rest).toBe('last');
  });

  it('a client that disconnects aborts the upstream request', async () => {
    const upstreamClosed = new Promise<void>((resolve) => {
      void startUpstream((req, res) => {
        res.writeHead(200);
        res.write('x');
        req.socket.once('close', () => resolve());
      }).then((up) => {
        open.push(up);
        return gateway(up.url).then((gw) => {
          const client = request({ host: '127.0.0.1', port: gw.port, path: '/slow' }, (res) => {
            res.once('data', () => client.destroy());
          });
          client.on('error', () => undefined).end();
        });
      });
    });
    await within(upstreamClosed, 3_000, 'upstream connection closed after the client left');
  });

  it('an upstream that stops mid-body ends the client response (no complete-looking message)', async () => {
    const up = await startUpstream((_req, res) => {
      res.writeHead(200, { 'content-length': '1000' });
      res.write('partial');
      setImmediate(() => res.socket?.destroy());
    });
    open.push(up);
    const gw = await gateway(up.url);
    const answer = await rawRequest(gw.port, 'GET / HTTP/1.1\r\nHost: a\r\n\r\n');
    expect(answer.status).toBe(200);
    expect(answer.head.toLowerCase()).toContain('content-length: 1000');
    expect(answer.body).toBe('partial');
  });

  it('maps refused to 502, an upstream 5xx to 502 without its body, and a timeout to 504', async () => {
    const dead = await startUpstream(() => undefined);
    await dead.close();
    const refused = await gateway(dead.url);
    const r1 = await fetch(`${refused.url}/x`);
    expect([r1.status, ((await r1.json()) as { error: { code: string } }).error.code]).toEqual([502, 'UPSTREAM_UNAVAILABLE']);

    const failing = await startUpstream((_req, res) => {
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end('stack trace at db.internal:5432');
    });
    open.push(failing);
    const r2 = await fetch(`${(await gateway(failing.url)).url}/x`);
    const text = await r2.text();
    expect(r2.status).toBe(502);
    expect(text).toContain('UPSTREAM_ERROR');
    expect(text).not.toContain('db.internal');
    const passed = await fetch(`${(await gateway(failing.url, { route: { passUpstreamErrors: true } })).url}/x`);
    expect([passed.status, await passed.text()]).toEqual([500, 'stack trace at db.internal:5432']);

    const hanging = await startUpstream(() => undefined);
    open.push(hanging);
    const r3 = await fetch(`${(await gateway(hanging.url, { upstream: { timeoutMs: 200 } })).url}/x`);
    expect([r3.status, ((await r3.json()) as { error: { code: string } }).error.code]).toEqual([504, 'GATEWAY_TIMEOUT']);
  });

  it('answers 503 with Retry-After once the upstream breaker is open, without touching the network', async () => {
    const failing = await startUpstream((_req, res) => {
      res.writeHead(500);
      res.end();
    });
    open.push(failing);
    const gw = await gateway(failing.url, { upstream: { circuitBreaker: { max_failures: 2, timeout: 30_000 } } });
    const statuses: number[] = [];
    let last: Response | undefined;
    for (let i = 0; i < 4; i++) {
      last = await fetch(`${gw.url}/x`);
      statuses.push(last.status);
      await last.arrayBuffer();
    }
    expect(statuses).toEqual([502, 502, 503, 503]);
    expect(Number(last!.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(((await fetch(`${gw.url}/x`).then((r) => r.json())) as { error: { code: string } }).error.code).toBe('UPSTREAM_CIRCUIT_OPEN');
    expect(failing.requests).toHaveLength(2);
  });

  it('streams a request body to the upstream and answers 413 when a chunked body passes the route limit', async () => {
    const up = await startUpstream((req, res) => {
      let bytes = 0;
      req.on('data', (chunk: Buffer) => (bytes += chunk.length));
      req.on('end', () => res.end(String(bytes)));
      req.on('error', () => undefined);
    });
    open.push(up);
    const gw = await gateway(up.url, { route: { maxBodyBytes: 100_000 } });
    const ok = await fetch(`${gw.url}/upload`, { method: 'POST', body: Buffer.alloc(99_000) });
    expect(await ok.text()).toBe('99000');
    const declared = await fetch(`${gw.url}/upload`, { method: 'POST', body: Buffer.alloc(100_001) });
    expect(declared.status).toBe(413);
    const chunked = await rawRequest(gw.port, `POST /upload HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n${'ffff\r\n' + 'a'.repeat(0xffff) + '\r\n'}${'ffff\r\n' + 'a'.repeat(0xffff) + '\r\n'}0\r\n\r\n`);
    expect(chunked.status).toBe(413);
    expect(chunked.body).toContain('PAYLOAD_TOO_LARGE');
  });
});
