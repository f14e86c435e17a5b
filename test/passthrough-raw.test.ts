import { afterEach, describe, expect, it } from 'vitest';
import { rawRequest, startEchoUpstream, startGateway, type Closer, type TestGateway, type TestUpstream } from './helpers/passthrough-gateway.js';

/**
 * Raw-socket requests (node:net), since fetch and node's client normalise what an attacker
 * would not: smuggling framing, encoded and dotted paths, oversize headers.
 */
const open: Closer[] = [];
afterEach(async () => {
  await Promise.allSettled(open.splice(0).reverse().map((item) => item.close()));
});

async function setup(): Promise<{ gw: TestGateway; publicUp: TestUpstream; adminUp: TestUpstream }> {
  const publicUp = await startEchoUpstream();
  const adminUp = await startEchoUpstream();
  open.push(publicUp, adminUp);
  const gw = await startGateway({
    server: { maxHeaderBytes: 8 * 1024 },
    upstreams: { pub: { url: publicUp.url }, admin: { url: adminUp.url } },
    routes: [
      { name: 'public', match: { prefix: '/public' }, upstream: 'pub', rewrite: { stripPrefix: true } },
      { name: 'admin', match: { prefix: '/admin', headers: { 'x-admin-key': 'k' } }, upstream: 'admin' },
    ] as never,
  });
  open.push(gw);
  return { gw, publicUp, adminUp };
}

const get = (path: string, extra = ''): string => `GET ${path} HTTP/1.1\r\nHost: gw\r\nConnection: close\r\n${extra}\r\n`;

describe('request framing', () => {
  it('refuses Content-Length together with Transfer-Encoding (400) and sends nothing upstream', async () => {
    const { gw, publicUp } = await setup();
    const smuggle = 'POST /public/x HTTP/1.1\r\nHost: gw\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /admin HTTP/1.1\r\nHost: gw\r\n\r\n';
    const answer = await rawRequest(gw.port, smuggle);
    expect(answer.status).toBe(400);
    expect(publicUp.requests).toHaveLength(0);
  });

  it('answers 431 to a header block over the limit', async () => {
    const { gw, publicUp } = await setup();
    const answer = await rawRequest(gw.port, get('/public/x', `X-Big: ${'a'.repeat(10 * 1024)}\r\n`));
    expect(answer.status).toBe(431);
    expect(publicUp.requests).toHaveLength(0);
  });
});

describe('path safety', () => {
  const refused = [
    '/public/%2e%2e/admin', '/public/%2E%2E/admin', '/public/../admin', '/public/./x', '/public/.%2e/admin',
    '/public/..%2fadmin', '/public/a%2Fb', '/public/a%5cb', '/public/a\\b', '/public/..;/admin', '/public/%00',
  ];
  for (const path of refused) {
    it(`refuses ${path} with 400, reaching no upstream`, async () => {
      const { gw, publicUp, adminUp } = await setup();
      const answer = await rawRequest(gw.port, get(path));
      expect(answer.status).toBe(400);
      expect(answer.body).toContain('BAD_REQUEST');
      expect(publicUp.requests.length + adminUp.requests.length).toBe(0);
    });
  }

  it('treats //host/... as a path on the configured upstream, routing and forwarding the collapsed path', async () => {
    const { gw, publicUp, adminUp } = await setup();
    const answer = await rawRequest(gw.port, get('//evil.example/public//x?y=1'));
    expect(answer.status).toBe(404);
    const forwarded = await rawRequest(gw.port, get('/public//evil.example//x?y=1'));
    expect(forwarded.status).toBe(200);
    expect(JSON.parse(forwarded.body).url).toBe('/evil.example/x?y=1');
    expect(JSON.parse(forwarded.body).headers.host).toBe(`127.0.0.1:${publicUp.port}`);
    expect(adminUp.requests).toHaveLength(0);
  });

  it('refuses absolute-form targets that name another host', async () => {
    const { gw, publicUp } = await setup();
    const answer = await rawRequest(gw.port, 'GET http://evil.example/public/x HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n');
    expect(answer.status).toBe(400);
    expect(publicUp.requests).toHaveLength(0);
  });

  it('keeps ordinary encoded characters and dotted names working', async () => {
    const { gw } = await setup();
    const answer = await rawRequest(gw.port, get('/public/files/.well-known/a%20b..c?q=%2F'));
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body).url).toBe('/files/.well-known/a%20b..c?q=%2F');
  });
});
