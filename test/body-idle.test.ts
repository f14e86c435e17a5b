import type { IncomingMessage } from 'node:http';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createBodyIdleWatch, type BodyIdleWatch, type WatchedResponse } from '../src/http/body-idle.js';
import { rawRequest, startEchoUpstream, startGateway, type Closer, type TestGateway } from './helpers/passthrough-gateway.js';

/** Raw sockets: a client that stops sending its body half way, on the passthrough and on /graphql. */
const open: Closer[] = [];
afterEach(async () => {
  await Promise.allSettled(open.splice(0).reverse().map((item) => item.close()));
});

const IDLE_MS = 300;

async function setup(): Promise<TestGateway> {
  const upstream = await startEchoUpstream();
  open.push(upstream);
  const gw = await startGateway({
    server: { bodyIdleTimeoutMs: IDLE_MS },
    upstreams: { echo: { url: upstream.url } },
    routes: [{ name: 'echo', match: { prefix: '/echo' }, upstream: 'echo' }] as never,
  });
  open.push(gw);
  return gw;
}

const post = (path: string, length: number): string =>
  `POST ${path} HTTP/1.1\r\nHost: gw\r\nContent-Type: application/json\r\nContent-Length: ${length}\r\n\r\n`;

describe('a request body that stops arriving', () => {
  for (const path of ['/echo/orders', '/graphql']) {
    it(`${path}: 408 REQUEST_TIMEOUT once no byte arrived for bodyIdleTimeoutMs, and the connection is closed`, async () => {
      const gw = await setup();
      const started = performance.now();
      const answer = await rawRequest(gw.port, `${post(path, 100)}{"query":`);
      const elapsed = performance.now() - started;
      expect(answer.status).toBe(408);
      expect(answer.head).toMatch(/\r\nconnection: close/i);
      expect(JSON.parse(answer.body)).toMatchObject({ error: { code: 'REQUEST_TIMEOUT' } });
      expect(elapsed).toBeGreaterThanOrEqual(IDLE_MS - 10);
      expect(elapsed).toBeLessThan(IDLE_MS + 1_000);
    });
  }

});

describe('createBodyIdleWatch (fake clock)', () => {
  let watch: BodyIdleWatch;
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'performance'] });
    watch = createBodyIdleWatch(1_000);
  });
  afterEach(() => {
    watch.close();
    vi.useRealTimers();
  });

  /** `sent`: the statuses written, and -1 for a destroyed response. */
  function request(): { req: IncomingMessage; res: WatchedResponse; sent: number[] } {
    const sent: number[] = [];
    // A response already started is destroyed rather than answered: recorded as -1.
    const res = { headersSent: false, bodyWatch: undefined, writeHead: (status: number) => sent.push(status), end: () => undefined, destroy: () => sent.push(-1) };
    const req = { complete: false, socket: { bytesRead: 100 }, readableLength: 0, readableHighWaterMark: 16_384 };
    return { req: req as unknown as IncomingMessage, res: res as unknown as WatchedResponse, sent };
  }

  it('a body that keeps moving, however slowly, is never cut; one that stops is, once', () => {
    const moving = request();
    const stalled = request();
    watch.watch(moving.req, moving.res, 'a');
    watch.watch(stalled.req, stalled.res, 'b');
    for (let second = 0; second < 10; second++) {
      (moving.req.socket as { bytesRead: number }).bytesRead += 1;
      vi.advanceTimersByTime(900);
    }
    expect(moving.sent).toEqual([]);
    expect(stalled.sent).toEqual([408]);
  });

  it('a body the gateway stopped reading (its buffer full: back-pressure) is not cut', () => {
    const held = request();
    (held.req as { readableLength: number }).readableLength = 16_384;
    watch.watch(held.req, held.res, 'a');
    vi.advanceTimersByTime(5_000);
    expect(held.sent).toEqual([]);
    (held.req as { readableLength: number }).readableLength = 0;
    vi.advanceTimersByTime(1_500);
    expect(held.sent).toEqual([408]);
  });

  it('forgetting responses in any order keeps the others watched', () => {
    const requests = [request(), request(), request(), request()];
    for (const [index, { req, res }] of requests.entries()) watch.watch(req, res, String(index));
    watch.forget(requests[1]!.res);
    watch.forget(requests[0]!.res);
    watch.forget(requests[0]!.res);
    vi.advanceTimersByTime(1_500);
    expect(requests.map(({ sent }) => sent)).toEqual([[], [], [408], [408]]);
  });

  it('forgets a request whose body is complete or whose response has started', () => {
    const complete = request();
    const answering = request();
    watch.watch(complete.req, complete.res, 'a');
    watch.watch(answering.req, answering.res, 'b');
    (complete.req as { complete: boolean }).complete = true;
    (answering.res as { headersSent: boolean }).headersSent = true;
    vi.advanceTimersByTime(5_000);
    expect([...complete.sent, ...answering.sent]).toEqual([]);
  });
});
