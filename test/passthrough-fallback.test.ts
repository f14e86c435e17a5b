import { afterEach, describe, expect, it } from 'vitest';
import { startGateway, startUpstream, type Closer } from './helpers/passthrough-gateway.js';

const open: Closer[] = [];
afterEach(async () => {
  while (open.length > 0) await open.pop()!.close();
});

describe('route fallbacks', () => {
  it('answers the static fallback when the upstream fails, and the real answer when it does not', async () => {
    let failing = true;
    const upstream = await startUpstream((req, res) => {
      req.resume();
      res.writeHead(failing ? 503 : 200, { 'content-type': 'application/json' });
      res.end(failing ? '{"internal":"db down"}' : '{"items":[1,2]}');
    });
    open.push(upstream);
    const gateway = await startGateway({
      upstreams: { api: { url: upstream.url, retry: { maxRetries: 0 } } },
      routes: [
        { name: 'items', match: { prefix: '/items' }, upstream: 'api', fallback: { body: { items: [] }, headers: { 'x-degraded': '1' } } },
        { name: 'plain', match: { prefix: '/plain' }, upstream: 'api' },
      ],
    });
    open.push(gateway);

    const degraded = await fetch(`${gateway.url}/items`);
    expect(degraded.status).toBe(200);
    expect(degraded.headers.get('x-junction-fallback')).toBe('static');
    expect(degraded.headers.get('x-degraded')).toBe('1');
    expect(degraded.headers.get('cache-control')).toBe('no-store');
    expect(await degraded.json()).toEqual({ items: [] });

    const withoutFallback = await fetch(`${gateway.url}/plain`);
    expect(withoutFallback.status).toBe(502);

    failing = false;
    const live = await fetch(`${gateway.url}/items`);
    expect(live.headers.get('x-junction-fallback')).toBeNull();
    expect(await live.json()).toEqual({ items: [1, 2] });
  });

  it('answers the fallback when the upstream cannot be reached at all', async () => {
    const upstream = await startUpstream((_req, res) => res.end());
    const url = upstream.url;
    await upstream.close();
    const gateway = await startGateway({
      upstreams: { api: { url, retry: { maxRetries: 0 } } },
      routes: [{ name: 'items', match: { prefix: '/items' }, upstream: 'api', fallback: { status: 203, body: { items: [] } } }],
    });
    open.push(gateway);
    const degraded = await fetch(`${gateway.url}/items`);
    expect(degraded.status).toBe(203);
    expect(await degraded.json()).toEqual({ items: [] });
  });
});
