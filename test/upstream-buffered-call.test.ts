import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { upstreamSchema } from '../src/config/schema.js';
import type { JunctionError } from '../src/errors.js';
import { systemClock, type Clock } from '../src/upstream/clock.js';
import { clientSignalOf } from '../src/context.js';
import { callBuffered, createUpstream, type Upstream } from '../src/upstream/index.js';

/** Real sockets: one node:http upstream on port 0 per test, answering as `handler` says. */
const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.allSettled(open.splice(0).map((item) => item.close()));
});

interface Backend {
  url: string;
  /** Resolves when a request's connection closes before its answer was finished. */
  aborted: Promise<void>;
  /** Connections accepted so far. */
  connections: number;
}

async function backend(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<Backend> {
  let onAborted!: () => void;
  const aborted = new Promise<void>((resolve) => (onAborted = resolve));
  const server: Server = createServer((req, res) => {
    res.on('close', () => {
      if (!res.writableFinished) onAborted();
    });
    handler(req, res);
  });
  const backendState = { connections: 0 };
  server.on('connection', () => void backendState.connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  open.push({ close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }) });
  return Object.assign(backendState, { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, aborted });
}

function upstream(config: Record<string, unknown>, clock?: Clock): Upstream {
  const made = createUpstream('orders', upstreamSchema.parse(config), clock === undefined ? {} : { clock });
  open.push(made);
  return made;
}

const GET = { method: 'GET', path: '/orders', headers: {}, idempotent: true };

describe('callBuffered: a whole body through Upstream.stream', () => {
  it('reads the body in chunks, with the status and headers, as one counted call', async () => {
    const server = await backend((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'x-answer': 'yes' });
      res.write('[{"id":"o1"},');
      setImmediate(() => res.end('{"id":"o2"}]'));
    });
    const orders = upstream({ url: server.url });
    const response = await callBuffered(orders, GET, { maxBytes: 1024 });
    expect(response.statusCode).toBe(200);
    expect(response.headers['x-answer']).toBe('yes');
    expect(JSON.parse(response.body.toString('utf8'))).toEqual([{ id: 'o1' }, { id: 'o2' }]);
    expect(orders.stats()).toMatchObject({ requests: 1, attempts: 1, failures: 0 });
  });

  it('a body that stalls after the head fails with GATEWAY_TIMEOUT at the deadline, and the upstream request is aborted', async () => {
    const server = await backend((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('[{"id":"o1"},');
    });
    // The pool's own idle timeout is far off: only the whole-call deadline can end this.
    const orders = upstream({ url: server.url, timeoutMs: 5_000, deadlineMs: 300 });
    const started = performance.now();
    const error = (await callBuffered(orders, GET, { maxBytes: 1024 }).catch((caught: unknown) => caught)) as JunctionError;
    expect(error.code).toBe('GATEWAY_TIMEOUT');
    expect(performance.now() - started).toBeLessThan(300 + 250);
    await server.aborted;
  });

  it('the request signal aborts the call: it rejects with the signal reason, and the backend is not blamed', async () => {
    let answered!: () => void;
    const headSent = new Promise<void>((resolve) => (answered = resolve));
    const server = await backend((_req, res) => {
      res.writeHead(200);
      res.write('[');
      answered();
    });
    const orders = upstream({ url: server.url, timeoutMs: 10_000 });
    const client = new AbortController();
    const pending = callBuffered(orders, GET, { maxBytes: 1024, signal: clientSignalOf(client.signal) }).catch((caught: unknown) => caught);
    await headSent;
    client.abort();
    expect(await pending).toMatchObject({ name: 'AbortError' });
    await server.aborted;
    expect(orders.breaker().consecutiveFailures).toBe(0);
  });

  it('a body over maxBytes is abandoned with UPSTREAM_ERROR, whether its length is declared or not', async () => {
    const declared = await backend((_req, res) => res.writeHead(200, { 'content-length': '4096' }).end('x'.repeat(4096)));
    const chunked = await backend((_req, res) => {
      res.writeHead(200);
      res.write('x'.repeat(600));
      setImmediate(() => res.write('x'.repeat(600)));
    });
    for (const server of [declared, chunked]) {
      const error = (await callBuffered(upstream({ url: server.url }), GET, { maxBytes: 1024 }).catch((caught: unknown) => caught)) as JunctionError;
      expect(error.code).toBe('UPSTREAM_ERROR');
    }
    await chunked.aborted;
  });

  it('an unwanted status resolves at once with an empty body; its connection stays usable', async () => {
    let calls = 0;
    const server = await backend((_req, res) => {
      calls += 1;
      if (calls === 1) res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"no such order"}');
      else res.writeHead(200).end('[]');
    });
    const orders = upstream({ url: server.url, connections: 1 });
    const missing = await callBuffered(orders, GET, { maxBytes: 1024, wantsBody: (status) => status < 300 });
    expect(missing.statusCode).toBe(404);
    expect(missing.body.length).toBe(0);
    const next = await callBuffered(orders, GET, { maxBytes: 1024 });
    expect(next.body.toString('utf8')).toBe('[]');
    expect(server.connections).toBe(1);
  });

  it('a declined body (unwanted status, or declared over maxBytes) leaves no deadline timer running', async () => {
    const live = new Set<unknown>();
    const real = systemClock();
    const clock: Clock = {
      ...real,
      setTimeout(callback, ms) {
        const handle = real.setTimeout(() => {
          live.delete(handle);
          callback();
        }, ms);
        live.add(handle);
        return handle;
      },
      clearTimeout(handle) {
        live.delete(handle);
        real.clearTimeout(handle);
      },
    };
    let calls = 0;
    const server = await backend((_req, res) => {
      calls += 1;
      if (calls === 1) res.writeHead(404).end('{"error":"no such order"}');
      else if (calls === 2) res.writeHead(200, { 'content-length': '4096' }).end('x'.repeat(4096));
      else res.writeHead(200).end('[]');
    });
    // One connection: each call starts only once the previous body was read to its end.
    const orders = upstream({ url: server.url, connections: 1, deadlineMs: 60_000 }, clock);
    expect((await callBuffered(orders, GET, { maxBytes: 1024, wantsBody: (status) => status < 300 })).statusCode).toBe(404);
    await expect(callBuffered(orders, GET, { maxBytes: 1024 })).rejects.toMatchObject({ code: 'UPSTREAM_ERROR' });
    expect((await callBuffered(orders, GET, { maxBytes: 1024 })).body.toString('utf8')).toBe('[]');
    expect(live.size).toBe(0);
  });

  it('an unwanted status is answered even when its declared body is over maxBytes', async () => {
    const server = await backend((_req, res) => res.writeHead(404, { 'content-length': '4096' }).end('x'.repeat(4096)));
    const response = await callBuffered(upstream({ url: server.url }), GET, { maxBytes: 1024, wantsBody: (status) => status < 300 });
    expect(response.statusCode).toBe(404);
  });

  it('an already aborted signal makes no call', async () => {
    let calls = 0;
    const server = await backend((_req, res) => {
      calls += 1;
      res.end('[]');
    });
    const client = new AbortController();
    client.abort();
    await expect(callBuffered(upstream({ url: server.url }), GET, { maxBytes: 1024, signal: clientSignalOf(client.signal) })).rejects.toMatchObject({ name: 'AbortError' });
    expect(calls).toBe(0);
  });
});
