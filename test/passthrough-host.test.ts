import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { configSchema } from '../src/config/index.js';
import { rawRequest, startEchoUpstream, startGateway, startUpstream, within, type Closer } from './helpers/passthrough-gateway.js';

/** `rewrite.host`: the Host sent upstream comes from config; the client's Host never crosses. */
const open: Closer[] = [];
afterEach(async () => {
  await Promise.allSettled(open.splice(0).reverse().map((item) => item.close()));
});

describe('rewrite.host', () => {
  it('sends the configured Host upstream, and the upstream URL host by default; never the client Host', async () => {
    const echo = await startEchoUpstream();
    open.push(echo);
    const gw = await startGateway({
      upstreams: { api: { url: echo.url } },
      routes: [
        { name: 'vhost', match: { prefix: '/v' }, upstream: 'api', rewrite: { host: 'orders.internal:8080' } },
        { name: 'plain', match: { prefix: '/p' }, upstream: 'api' },
      ] as never,
    });
    open.push(gw);
    const seen = async (path: string): Promise<Record<string, string>> => {
      const answer = await rawRequest(gw.port, `GET ${path} HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n`);
      expect(answer.status).toBe(200);
      return (JSON.parse(answer.body) as { headers: Record<string, string> }).headers;
    };
    const vhost = await seen('/v/1');
    expect(vhost['host']).toBe('orders.internal:8080');
    expect(vhost['x-forwarded-host']).toBe('evil.example');
    expect((await seen('/p/1'))['host']).toBe(`127.0.0.1:${echo.port}`);
  });

  it('applies to the WebSocket handshake too', async () => {
    const upstream = await startUpstream((_req, res) => res.end());
    open.push(upstream);
    const hosts: string[] = [];
    upstream.server.on('upgrade', (req, socket) => {
      hosts.push(req.headers.host ?? '');
      socket.destroy();
    });
    const gw = await startGateway({
      upstreams: { ws: { url: upstream.url } },
      routes: [{ name: 'live', match: { prefix: '/live' }, upstream: 'ws', websocket: true, rewrite: { host: 'live.internal' } }] as never,
    });
    open.push(gw);
    const handshake = 'GET /live HTTP/1.1\r\nHost: evil.example\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n';
    await within(rawRequest(gw.port, handshake), 5_000, 'handshake answer');
    if (hosts.length === 0) await within(once(upstream.server, 'upgrade'), 5_000, 'upstream upgrade');
    expect(hosts).toEqual(['live.internal']);
  });

  it('rejects a host that is not a host name or [IPv6] with an optional port', () => {
    const parse = (host: string) => configSchema.safeParse({ upstreams: { a: { url: 'http://a' } }, routes: [{ name: 'r', match: { prefix: '/r' }, upstream: 'a', rewrite: { host } }] });
    expect(parse('api.internal').success).toBe(true);
    expect(parse('[::1]:8080').success).toBe(true);
    for (const bad of ['a b', 'evil.example/x', 'x:port', 'host\r\nx: y', '']) expect(parse(bad).success).toBe(false);
  });
});
