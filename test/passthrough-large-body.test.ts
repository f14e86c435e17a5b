import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { startGateway, startUpstream, within, type Closer } from './helpers/passthrough-gateway.js';

/**
 * A large body through the gateway each way on loopback, in this process: the upload is counted
 * and discarded by the upstream, the download by the client. Memory (RSS) is sampled during the
 * transfer: a buffering proxy would grow by the body size, a streaming one by its buffers only.
 * 256 MiB each way keeps the suite fast on a shared 2-core machine; the same test passes with
 * 1 GiB (set SIZE below) in about 15-20 s per direction there.
 */
const SIZE = 256 * 1024 * 1024;
const CHUNK = Buffer.alloc(256 * 1024, 7);
const MAX_GROWTH = 96 * 1024 * 1024;

const open: Closer[] = [];
afterEach(async () => {
  await Promise.allSettled(open.splice(0).reverse().map((item) => item.close()));
});

function memory(): number {
  const usage = process.memoryUsage();
  return usage.rss;
}

function sampler(): { stop(): number } {
  global.gc?.();
  const base = memory();
  let peak = base;
  const timer = setInterval(() => (peak = Math.max(peak, memory())), 20);
  return { stop: () => (clearInterval(timer), Math.max(peak, memory()) - base) };
}

async function gatewayTo(handler: Parameters<typeof startUpstream>[0]) {
  const up = await startUpstream(handler);
  open.push(up);
  const gw = await startGateway({
    upstreams: { sink: { url: up.url, timeoutMs: 30_000, retry: { maxRetries: 0 } } },
    routes: [{ name: 'big', match: { prefix: '/big' }, upstream: 'sink', maxBodyBytes: 2 * SIZE }] as never,
  });
  open.push(gw);
  return gw;
}

describe('a large body streams through with flat memory', () => {
  it('upload: client → gateway → upstream that counts and discards (chunked, counted against the route limit)', async () => {
    const gw = await gatewayTo((req, res) => {
      let bytes = 0;
      req.on('data', (chunk: Buffer) => (bytes += chunk.length));
      req.on('end', () => res.end(String(bytes)));
    });
    const memoryGrowth = sampler();
    const received = await new Promise<string>((resolve, reject) => {
      const client = request({ host: '127.0.0.1', port: gw.port, path: '/big/upload', method: 'POST' }, (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk)).on('end', () => resolve(text));
      });
      client.on('error', reject);
      let sent = 0;
      const pump = (): void => {
        while (sent < SIZE) {
          sent += CHUNK.length;
          if (!client.write(CHUNK)) return void client.once('drain', pump);
        }
        client.end();
      };
      pump();
    });
    const growth = memoryGrowth.stop();
    expect(received).toBe(String(SIZE));
    expect(growth).toBeLessThan(MAX_GROWTH);
  }, 60_000);

  it('download: upstream streams the body, the client counts and discards', async () => {
    const gw = await gatewayTo((_req, res) => {
      res.writeHead(200, { 'content-length': String(SIZE) });
      let sent = 0;
      const pump = (): void => {
        while (sent < SIZE) {
          sent += CHUNK.length;
          if (!res.write(CHUNK)) return void res.once('drain', pump);
        }
        res.end();
      };
      pump();
    });
    const memoryGrowth = sampler();
    const received = await new Promise<number>((resolve, reject) => {
      request({ host: '127.0.0.1', port: gw.port, path: '/big/download' }, (res) => {
        let bytes = 0;
        res.on('data', (chunk: Buffer) => (bytes += chunk.length)).on('end', () => resolve(bytes)).on('error', reject);
      }).on('error', reject).end();
    });
    const growth = memoryGrowth.stop();
    expect(received).toBe(SIZE);
    expect(growth).toBeLessThan(MAX_GROWTH);
  }, 60_000);
});

/**
 * The upstream deadline bounds a passthrough call only until the response head: the body then
 * streams for as long as it keeps moving (undici's idle `bodyTimeout`, `timeoutMs`). The
 * upstream here paces its chunks with a timer; the test waits on events only.
 */
describe('the deadline does not cut a streamed passthrough body', () => {
  const TIMEOUT_MS = 300;

  async function slowGateway(chunks: number, everyMs: number) {
    const up = await startUpstream((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      let sent = 0;
      const timer = setInterval(() => {
        if (sent === chunks) return clearInterval(timer), void res.end();
        res.write(`chunk ${sent++};`);
      }, everyMs);
      res.once('close', () => clearInterval(timer));
    });
    open.push(up);
    const gw = await startGateway({
      upstreams: { slow: { url: up.url, timeoutMs: TIMEOUT_MS, retry: { maxRetries: 0 } } },
      routes: [{ name: 'slow', match: { prefix: '/slow' }, upstream: 'slow' }] as never,
    });
    open.push(gw);
    return gw;
  }

  function download(port: number): Promise<{ text: string; complete: boolean; ms: number }> {
    const started = performance.now();
    return new Promise((resolve, reject) => {
      request({ host: '127.0.0.1', port, path: '/slow/file' }, (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ text, complete: res.complete, ms: performance.now() - started }));
        res.on('error', () => resolve({ text, complete: false, ms: performance.now() - started }));
      }).on('error', reject).end();
    });
  }

  it('a body that keeps moving streams for longer than the deadline (default deadline = timeoutMs)', async () => {
    const gw = await slowGateway(16, 50);
    const result = await within(download(gw.port), 10_000, 'slow download');
    expect(result.complete).toBe(true);
    expect(result.text).toBe(Array.from({ length: 16 }, (_, i) => `chunk ${i};`).join(''));
    expect(result.ms).toBeGreaterThan(TIMEOUT_MS);
  });

  it('a body that stops moving is still cut after the idle timeout (the client sees a truncated response)', async () => {
    const stalled = await startUpstream((_req, res) => {
      res.writeHead(200, { 'content-length': '100' });
      res.write('partial');
    });
    open.push(stalled);
    const gw = await startGateway({
      upstreams: { slow: { url: stalled.url, timeoutMs: TIMEOUT_MS, retry: { maxRetries: 0 } } },
      routes: [{ name: 'slow', match: { prefix: '/slow' }, upstream: 'slow' }] as never,
    });
    open.push(gw);
    const result = await within(download(gw.port), 10_000, 'stalled download');
    expect(result).toMatchObject({ complete: false, text: 'partial' });
    expect(result.ms).toBeGreaterThanOrEqual(TIMEOUT_MS - 50);
  });
});
