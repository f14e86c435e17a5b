import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { upstreamSchema } from '../src/config/schema.js';
import { CircuitOpenError, JunctionError } from '../src/errors.js';
import { createUpstream, type Upstream, type UpstreamRequest, type UpstreamSink } from '../src/upstream/index.js';
import { systemClock } from '../src/upstream/clock.js';
import type { Logger } from '../src/logger.js';

/** A logger that keeps `[level, message, fields]`. */
function recordingLogger(lines: [string, string, Record<string, unknown>][]): Logger {
  const at = (level: string) => (fields: Record<string, unknown>, message: string) => void lines.push([level, message, fields]);
  const logger = { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), child: () => logger };
  return logger as unknown as Logger;
}
import { startFaultUpstream, type FaultUpstream } from './helpers/fault-upstream.js';

/** Real sockets, one process: fault upstreams on port 0 and `Upstream` objects, all closed after each test. */
const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.allSettled(open.splice(0).map((item) => item.close()));
});

async function fault(...args: Parameters<typeof startFaultUpstream>): Promise<FaultUpstream> {
  const started = await startFaultUpstream(...args);
  open.push(started);
  return started;
}

function upstream(config: Record<string, unknown>, now?: () => number, logger?: Logger): Upstream {
  const made = createUpstream('users', upstreamSchema.parse(config), { ...(now ? { clock: { ...systemClock(), now } } : {}), ...(logger ? { logger } : {}) });
  open.push(made);
  return made;
}

const QUERY: UpstreamRequest = { method: 'POST', path: '/graphql', headers: { 'content-type': 'application/json' }, body: '{"query":"{ users { id } }"}', idempotent: true };
const MUTATION: UpstreamRequest = { ...QUERY, body: '{"query":"mutation { rename }"}', idempotent: false };
/** A call whose whole body the deadline bounds, as the sources make it. */
const WHOLE_BODY: UpstreamRequest = { ...QUERY, deadline: 'body' };

/** Every case runs through both call paths: `request` (a promise and a body stream) and `stream` (a sink). */
const CALL_PATHS = ['request', 'stream'] as const;
let callPath: (typeof CALL_PATHS)[number] = 'request';

async function call(target: Upstream, request: UpstreamRequest = QUERY): Promise<number | JunctionError> {
  try {
    if (callPath === 'stream') return await streamed(target, request);
    const response = await target.request(request);
    await response.body.dump();
    return response.statusCode;
  } catch (error) {
    if (error instanceof JunctionError) return error;
    throw error;
  }
}

/** `Upstream.stream` as a promise of the status, once the body has ended; the request's signal aborts the call. */
function streamed(target: Upstream, request: UpstreamRequest): Promise<number> {
  const { signal, ...rest } = request;
  return new Promise((resolve, reject) => {
    let status = 0;
    const inFlight = target.stream(rest, {
      onHead(statusCode) {
        status = statusCode;
        return true;
      },
      onData: () => true,
      onEnd: () => resolve(status),
      onError: reject,
    });
    signal?.addEventListener('abort', () => {
      inFlight.abort(signal.reason as Error);
      reject(signal.reason);
    }, { once: true });
  });
}

/** Counts undici connection attempts to one port (refused connects never reach a server to be counted). */
function countConnectAttempts(port: number): { readonly count: number; stop(): void } {
  let count = 0;
  const listener = (message: unknown): void => {
    const params = (message as { connectParams?: { port?: string | number } }).connectParams;
    if (Number(params?.port) === port) count += 1;
  };
  subscribe('undici:client:beforeConnect', listener);
  return { get count() { return count; }, stop: () => unsubscribe('undici:client:beforeConnect', listener) };
}

describe.each(CALL_PATHS)('Upstream.%s', (path) => {
  beforeEach(() => {
    callPath = path;
  });

  describe('circuit breaker over real sockets', () => {
    it('a 100-request storm against a dead upstream makes at most the threshold of connection attempts', async () => {
      const dead = await fault({ mode: { kind: 'refuse' } });
      await dead.set({ kind: 'refuse' });
      const users = upstream({ url: dead.url, circuitBreaker: { timeout: 5000, max_failures: 5 } });
      const attempts = countConnectAttempts(dead.port);
      try {
        const results: (number | JunctionError)[] = [];
        for (let i = 0; i < 100; i++) results.push(await call(users));
        expect(attempts.count).toBeLessThanOrEqual(5);
        expect(results.filter((result) => result instanceof CircuitOpenError).length).toBeGreaterThanOrEqual(95);
        // The calls that did reach the network report why they failed, not the breaker they tripped.
        expect(results.slice(0, 2).map((result) => (result as JunctionError).code)).toEqual(['UPSTREAM_UNAVAILABLE', 'UPSTREAM_UNAVAILABLE']);
        expect((results[2] as JunctionError).code).toBe('UPSTREAM_CIRCUIT_OPEN');
        const before = attempts.count;
        // Once open, a concurrent wave makes no connection attempt at all.
        await Promise.all(Array.from({ length: 100 }, () => call(users)));
        expect(attempts.count).toBe(before);
        expect(users.breaker()).toMatchObject({ state: 'open', opens: 1 });
        expect(users.stats()).toMatchObject({ requests: 200, breakerOpens: 1 });
        expect(users.stats().shortCircuited).toBeGreaterThanOrEqual(195);
      } finally {
        attempts.stop();
      }
    });

    it('an upstream answering 500 twenty times opens the breaker; later calls reach no server', async () => {
      const failing = await fault({ mode: { kind: 'status', status: 500 } });
      const users = upstream({ url: failing.url, circuitBreaker: { max_failures: 5 } });
      for (let i = 0; i < 20; i++) await call(users);
      expect(failing.requests).toBe(5);
      const error = await call(users);
      expect(error).toBeInstanceOf(CircuitOpenError);
      expect((error as CircuitOpenError).headers['retry-after']).toBe('5');
    });

    it('a 4xx flood (100 × 404) leaves the breaker closed and every call reaches the server', async () => {
      const notFound = await fault({ mode: { kind: 'status', status: 404 } });
      const users = upstream({ url: notFound.url, circuitBreaker: { max_failures: 5 } });
      for (let i = 0; i < 100; i++) expect(await call(users)).toBe(404);
      expect(notFound.requests).toBe(100);
      expect(users.breaker()).toMatchObject({ state: 'closed', opens: 0 });
    });

    it('after the open time a probe goes through and closes the circuit (injected clock)', async () => {
      let time = 1_000_000;
      const flaky = await fault({ mode: { kind: 'status', status: 503 } });
      const lines: [string, string, Record<string, unknown>][] = [];
      const users = upstream({ url: flaky.url, retry: { maxRetries: 0 }, circuitBreaker: { max_failures: 2, openMs: 30_000 } }, () => time, recordingLogger(lines));
      await call(users);
      await call(users);
      expect(users.breaker().state).toBe('open');
      await flaky.set({ kind: 'ok' });
      time += 29_999;
      expect(await call(users)).toBeInstanceOf(CircuitOpenError);
      expect(flaky.requests).toBe(2);
      time += 1;
      expect(await call(users)).toBe(200);
      expect(users.breaker().state).toBe('closed');
      expect(flaky.requests).toBe(3);
      expect(lines.map(([level, message, fields]) => [level, message, fields['upstream'], fields['to']])).toEqual([
        ['warn', 'circuit breaker opened', 'users', 'open'],
        ['info', 'circuit breaker half open', 'users', 'half-open'],
        ['info', 'circuit breaker closed', 'users', 'closed'],
      ]);
    });
  });

  describe('retries, timeouts and aborts over real sockets', () => {
    it('retries a query on 503 and never a mutation', async () => {
      const busy = await fault({ mode: { kind: 'status', status: 503 } });
      const users = upstream({ url: busy.url, retry: { maxRetries: 2, baseDelayMs: 1 }, circuitBreaker: { enabled: false } });
      expect(await call(users, QUERY)).toBe(503);
      expect(busy.requests).toBe(3);
      busy.resetCounts();
      expect(await call(users, MUTATION)).toBe(503);
      expect(busy.requests).toBe(1);
      expect(users.stats()).toMatchObject({ requests: 2, attempts: 4, retries: 2 });
    });

    it('a Retry-After past the deadline is not waited for', async () => {
      const busy = await fault({ mode: { kind: 'status', status: 503, retryAfter: '5' } });
      const users = upstream({ url: busy.url, deadlineMs: 1_000 });
      const started = performance.now();
      expect(await call(users)).toBe(503);
      expect(performance.now() - started).toBeLessThan(500);
      expect(busy.requests).toBe(1);
    });

    it('a hanging upstream: GATEWAY_TIMEOUT within the deadline, and the upstream request is aborted', async () => {
      const hanging = await fault({ mode: { kind: 'hang' } });
      const users = upstream({ url: hanging.url, timeoutMs: 300, deadlineMs: 300 });
      const aborted = hanging.waitFor('aborted', 3_000);
      const started = performance.now();
      const result = await call(users);
      const elapsed = performance.now() - started;
      expect((result as JunctionError).code).toBe('GATEWAY_TIMEOUT');
      expect(elapsed).toBeGreaterThanOrEqual(290);
      expect(elapsed).toBeLessThan(300 + 250);
      await aborted;
    });

    it('per-attempt timeouts retry a slow upstream, all inside the deadline', async () => {
      const slow = await fault({ mode: { kind: 'slow', ms: 2_000 } });
      const users = upstream({ url: slow.url, timeoutMs: 100, deadlineMs: 1_500, retry: { maxRetries: 2, baseDelayMs: 1 }, circuitBreaker: { enabled: false } });
      const started = performance.now();
      const result = await call(users);
      expect((result as JunctionError).code).toBe('GATEWAY_TIMEOUT');
      expect(slow.requests).toBe(3);
      expect(performance.now() - started).toBeLessThan(1_500);
    });

    it('an aborted client request aborts its upstream request', async () => {
      const hanging = await fault({ mode: { kind: 'hang' } });
      const users = upstream({ url: hanging.url, timeoutMs: 10_000 });
      const client = new AbortController();
      const pending = call(users, { ...QUERY, signal: client.signal }).catch((error: unknown) => error);
      await hanging.waitFor('request', 3_000);
      const aborted = hanging.waitFor('aborted', 3_000);
      client.abort();
      await aborted;
      expect(await pending).toMatchObject({ name: 'AbortError' });
      // A client abort is not the backend's fault.
      expect(users.breaker().consecutiveFailures).toBe(0);
    });
  });

  describe('targets, balancing and health over real sockets', () => {
    it('round robin splits evenly; weighted follows the weights', async () => {
      const [a, b] = [await fault(), await fault()];
      const even = upstream({ targets: [{ url: a.url }, { url: b.url }] });
      for (let i = 0; i < 10; i++) await call(even);
      expect([a.requests, b.requests]).toEqual([5, 5]);
      a.resetCounts();
      b.resetCounts();
      const weighted = upstream({ balancer: 'weighted', targets: [{ url: a.url, weight: 3 }, { url: b.url, weight: 1 }] });
      for (let i = 0; i < 40; i++) await call(weighted);
      expect([a.requests, b.requests]).toEqual([30, 10]);
    });

    it('least outstanding sends new calls away from a target that is busy', async () => {
      const [busy, idle] = [await fault({ mode: { kind: 'hang' } }), await fault()];
      const users = upstream({ balancer: 'least-outstanding', targets: [{ url: busy.url }, { url: idle.url }], timeoutMs: 5_000 });
      const client = new AbortController();
      const stuck: Promise<unknown>[] = [];
      // Calls that land on the idle target finish at once; stop when one is held by the busy one.
      for (let i = 0; i < 3 && busy.requests === 0; i++) {
        const arrived = Promise.race([busy.waitFor('request', 2_000), idle.waitFor('request', 2_000)]);
        stuck.push(call(users, { ...QUERY, signal: client.signal }).catch(() => undefined));
        await arrived;
      }
      expect(busy.requests).toBe(1);
      idle.resetCounts();
      for (let i = 0; i < 6; i++) await call(users);
      expect(idle.requests).toBe(6);
      expect(busy.requests).toBe(1);
      expect(users.targets().map((target) => target.outstanding)).toEqual([1, 0]);
      client.abort();
      await Promise.all(stuck);
    });

    it('passive health ejects a target after consecutive 5xx', async () => {
      const [good, bad] = [await fault(), await fault({ mode: { kind: 'status', status: 500 } })];
      const users = upstream({
        targets: [{ url: good.url }, { url: bad.url }],
        passiveHealth: { consecutiveFailures: 2, ejectMs: 60_000 },
        circuitBreaker: { max_failures: 100 },
      });
      for (let i = 0; i < 20; i++) await call(users);
      expect(bad.requests).toBe(2);
      expect(good.requests).toBe(18);
      expect(users.targets().map((target) => target.ejected)).toEqual([false, true]);
    });

    it('active health checks take a failing target out and bring it back', async () => {
      const [good, sick] = [await fault(), await fault({ mode: { kind: 'status', status: 503 } })];
      const users = upstream({
        targets: [{ url: good.url }, { url: sick.url }],
        passiveHealth: { consecutiveFailures: 0 },
        healthCheck: { path: '/health', intervalMs: 20, timeoutMs: 500, unhealthyThreshold: 2, healthyThreshold: 2 },
      });
      await vi.waitFor(() => expect(users.targets()[1]!.healthy).toBe(false), { timeout: 3_000, interval: 10 });
      sick.resetCounts();
      for (let i = 0; i < 10; i++) await call(users);
      expect(good.requests).toBeGreaterThanOrEqual(10);
      await sick.set({ kind: 'ok' });
      await vi.waitFor(() => expect(users.targets()[1]!.healthy).toBe(true), { timeout: 3_000, interval: 10 });
    });
  });
});

/** A sink that records what `Upstream.stream` hands it. */
function recordingSink(options: { take?: boolean; pauseEvery?: number } = {}) {
  const seen = { heads: [] as number[], bytes: 0, chunks: 0, ended: false, errors: [] as unknown[] };
  let settle!: () => void;
  const settled = new Promise<void>((resolve) => (settle = resolve));
  const sink: UpstreamSink = {
    onHead(statusCode) {
      seen.heads.push(statusCode);
      return options.take ?? true;
    },
    onData(chunk) {
      seen.bytes += chunk.length;
      seen.chunks += 1;
      return options.pauseEvery === undefined || seen.chunks % options.pauseEvery !== 0;
    },
    onEnd() {
      seen.ended = true;
      settle();
    },
    onError(error) {
      seen.errors.push(error);
      settle();
    },
  };
  return { seen, sink, settled };
}

describe('Upstream.stream', () => {
  it('dumps the bodies of retried answers: the sink sees one head, the last one', async () => {
    const busy = await fault({ mode: { kind: 'status', status: 503 } });
    const users = upstream({ url: busy.url, retry: { maxRetries: 2, baseDelayMs: 1 }, circuitBreaker: { enabled: false } });
    const { seen, sink, settled } = recordingSink();
    users.stream(QUERY, sink);
    await settled;
    expect(busy.requests).toBe(3);
    expect(seen.heads).toEqual([503]);
    expect(seen.ended).toBe(true);
    expect(users.stats()).toMatchObject({ requests: 1, attempts: 3, retries: 2, failures: 3 });
    // A dumped answer keeps its connection (the retry may start before it is back in the pool).
    expect(busy.connections).toBeLessThan(3);
  });

  it('a head the sink refuses: the body is read and dropped, never handed over, and the target is free again', async () => {
    const ok = await fault();
    const users = upstream({ url: ok.url });
    const { seen, sink } = recordingSink({ take: false });
    users.stream(QUERY, sink);
    await vi.waitFor(() => expect(users.targets()[0]!.outstanding).toBe(0), { timeout: 2_000, interval: 5 });
    expect(seen).toMatchObject({ heads: [200], bytes: 0, ended: false, errors: [] });
    expect(await call(users)).toBe(200);
    expect(ok.connections).toBe(1);
  });

  it('back-pressure: a sink that pauses gets the rest after resume(), every byte once', async () => {
    const huge = await fault({ mode: { kind: 'huge', bytes: 4 * 1024 * 1024 } });
    const users = upstream({ url: huge.url });
    const { seen, sink, settled } = recordingSink({ pauseEvery: 3 });
    const inFlight = users.stream({ ...QUERY, method: 'GET', body: null }, {
      ...sink,
      onData(chunk) {
        const more = sink.onData(chunk);
        if (!more) setImmediate(() => inFlight.resume());
        return more;
      },
    });
    await settled;
    expect(seen.ended).toBe(true);
    expect(seen.bytes).toBe(huge.bytesSent + '{"data":{"x":"'.length + '"}}'.length);
  });

  it('an abort mid-body stops the upstream request, calls the sink no more and frees the target', async () => {
    const huge = await fault({ mode: { kind: 'huge', bytes: 256 * 1024 * 1024 } });
    const users = upstream({ url: huge.url });
    const aborted = huge.waitFor('aborted', 3_000);
    const { seen, sink } = recordingSink({ pauseEvery: 1 });
    const inFlight = users.stream({ ...QUERY, method: 'GET', body: null }, sink);
    await vi.waitFor(() => expect(seen.chunks).toBe(1), { timeout: 2_000, interval: 5 });
    inFlight.abort(new Error('client gone'));
    await aborted;
    await vi.waitFor(() => expect(users.targets()[0]!.outstanding).toBe(0), { timeout: 2_000, interval: 5 });
    expect(seen).toMatchObject({ chunks: 1, ended: false, errors: [] });
    expect(huge.bytesSent).toBeLessThan(256 * 1024 * 1024);
    expect(users.breaker().consecutiveFailures).toBe(0);
  });

  it('a body the deadline bounds, cut off by the upstream, counts against it: five resets mid-body open the breaker', async () => {
    const cutting = await fault({ mode: { kind: 'reset' } });
    const users = upstream({ url: cutting.url, retry: { maxRetries: 0 }, circuitBreaker: { max_failures: 5 } });
    for (let i = 0; i < 5; i++) await expect(streamed(users, WHOLE_BODY)).rejects.toMatchObject({ code: 'UPSTREAM_UNAVAILABLE' });
    expect(users.breaker()).toMatchObject({ state: 'open', opens: 1 });
    await expect(streamed(users, WHOLE_BODY)).rejects.toBeInstanceOf(CircuitOpenError);
    expect(cutting.requests).toBe(5);
  });

  /** Two 503s open the breaker, its open time passes, and the upstream now sends a 64 MB body; `request` probes. */
  async function probeWhileHalfOpen(request: UpstreamRequest) {
    let time = 1_000_000;
    const flaky = await fault({ mode: { kind: 'status', status: 503 } });
    const users = upstream({ url: flaky.url, retry: { maxRetries: 0 }, circuitBreaker: { max_failures: 2, openMs: 30_000 } }, () => time);
    expect(await streamed(users, QUERY)).toBe(503);
    expect(await streamed(users, QUERY)).toBe(503);
    expect(users.breaker().state).toBe('open');
    await flaky.set({ kind: 'huge', bytes: 64 * 1024 * 1024 });
    time += 30_000;
    const { seen, sink } = recordingSink({ pauseEvery: 1 });
    const probe = users.stream({ ...request, method: 'GET', body: null }, sink);
    await vi.waitFor(() => expect(seen.chunks).toBe(1), { timeout: 2_000, interval: 5 });
    return { users, flaky, probe };
  }

  it('a half-open probe whose body the caller abandons frees its place: the next call probes again', async () => {
    const { users, flaky, probe } = await probeWhileHalfOpen(WHOLE_BODY);
    // Its head was good, but only the whole body would close the circuit.
    expect(users.breaker().state).toBe('half-open');
    probe.abort(new Error('client gone'));
    expect(users.breaker().state).toBe('half-open');
    await flaky.set({ kind: 'ok' });
    expect(await streamed(users, WHOLE_BODY)).toBe(200);
    expect(users.breaker().state).toBe('closed');
  });

  it('a stream the deadline does not bound is judged at its head: a long body never holds the half-open probe', async () => {
    const { users, probe } = await probeWhileHalfOpen(QUERY);
    expect(users.breaker().state).toBe('closed');
    probe.abort(new Error('client gone'));
  });

  it('an upstream built with extra wrappers streams through them', async () => {
    const ok = await fault();
    const wrapped: UpstreamRequest[] = [];
    const users = createUpstream('users', upstreamSchema.parse({ url: ok.url }), {
      wrappers: [(next) => (request) => {
        wrapped.push(request);
        return next(request);
      }],
    });
    open.push(users);
    const { seen, sink, settled } = recordingSink();
    users.stream(QUERY, sink);
    await settled;
    expect(seen).toMatchObject({ heads: [200], ended: true, errors: [] });
    expect(wrapped).toHaveLength(1);
  });
});
