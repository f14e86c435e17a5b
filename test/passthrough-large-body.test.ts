import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { startGateway, startUpstream, type Closer } from './helpers/passthrough-gateway.js';

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
    upstreams: { sink: { url: up.url, timeoutMs: 30_000, deadlineMs: 120_000, retry: { maxRetries: 0 } } },
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
