import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GatewayResponse } from '../src/http/gateway-response.js';

/** Every way a handler writes a head gets the request's `x-request-id`, once. */
let server: Server;
let base: string;

beforeAll(async () => {
  server = createServer<typeof IncomingMessage, typeof GatewayResponse>({ ServerResponse: GatewayResponse }, (req, res) => {
    res.requestId = 'rid-1';
    switch (req.url) {
      case '/object':
        res.writeHead(200, { 'content-type': 'text/plain' }).end('a');
        return;
      case '/reason':
        res.writeHead(201, 'Made', { 'content-type': 'text/plain' }).end('b');
        return;
      case '/implicit':
        res.setHeader('content-type', 'text/plain');
        res.end('c');
        return;
      case '/array':
        res.writeHead(200, ['content-type', 'text/plain', 'x-extra', '1']).end('d');
        return;
      case '/set-then-object':
        res.setHeader('cache-control', 'no-store');
        res.writeHead(200, { 'content-type': 'text/plain' }).end('e');
        return;
      case '/own':
        res.writeHead(200, { 'x-request-id': 'from-upstream' }).end('f');
        return;
      default:
        res.statusCode = 404;
        res.end();
    }
  }) as unknown as Server;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

describe('GatewayResponse', () => {
  for (const path of ['/object', '/reason', '/implicit', '/array', '/set-then-object', '/missing']) {
    it(`${path}: the head carries x-request-id and the handler's own headers`, async () => {
      const response = await fetch(base + path);
      await response.arrayBuffer();
      expect(response.headers.get('x-request-id')).toBe('rid-1');
      if (path !== '/missing') expect(response.headers.get('content-type')).toBe('text/plain');
    });
  }

  it('keeps an x-request-id the handler wrote itself (an upstream echo)', async () => {
    const response = await fetch(`${base}/own`);
    await response.arrayBuffer();
    expect(response.headers.get('x-request-id')).toBe('from-upstream');
  });

  it('keeps the status message given with the head', async () => {
    const response = await fetch(`${base}/reason`);
    await response.arrayBuffer();
    expect([response.status, response.statusText]).toEqual([201, 'Made']);
  });
});
