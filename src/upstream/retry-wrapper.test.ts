import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { retrySchema } from '../config/upstream-resilience.js';
import { CircuitOpenError, UpstreamUnavailableError } from '../errors.js';
import type { Clock } from './clock.js';
import { createRetryBudget } from './retry-budget.js';
import { createRetryWrapper } from './retry-wrapper.js';
import type { UpstreamRequest, UpstreamResponse, UpstreamStats } from './types.js';

/** A clock whose timers fire at once, moving time forward: sleeps are recorded, never waited. */
function instantClock(): Clock & { sleeps: number[] } {
  let time = 0;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => time,
    setTimeout(callback, ms) {
      sleeps.push(ms);
      time += ms;
      queueMicrotask(callback);
      return ms;
    },
    clearTimeout() {},
    random: () => 0.5,
  };
}

function response(statusCode: number, headers: Record<string, string> = {}): UpstreamResponse {
  const body = Object.assign(Readable.from([]), { dump: async () => undefined });
  return { statusCode, headers, body: body as unknown as UpstreamResponse['body'] };
}

function setup(retry: Record<string, unknown> = {}, outcomes: (number | Error | [number, Record<string, string>])[] = []) {
  const clock = instantClock();
  const stats = { retries: 0, retriesDenied: 0 } as UpstreamStats;
  const config = retrySchema.parse(retry);
  let calls = 0;
  const wrapper = createRetryWrapper('users', { retry: config, attemptTimeoutMs: 60_000 }, {
    clock,
    stats,
    budget: createRetryBudget(config.budget, clock.now),
  });
  const fetch = wrapper(async () => {
    const next = outcomes[Math.min(calls++, outcomes.length - 1)]!;
    if (next instanceof Error) throw next;
    return Array.isArray(next) ? response(next[0], next[1]) : response(next);
  });
  const send = (request: Partial<UpstreamRequest> = {}) =>
    fetch({ method: 'POST', path: '/graphql', headers: {}, body: '{}', idempotent: true, deadlineAt: 30_000, ...request });
  return { send, clock, stats, calls: () => calls };
}

describe('retry wrapper', () => {
  it('retries an idempotent call on 503 up to maxRetries, with jittered exponential backoff', async () => {
    const { send, clock, stats, calls } = setup({ maxRetries: 2, baseDelayMs: 100 }, [503]);
    const result = await send();
    expect(result.statusCode).toBe(503);
    expect(calls()).toBe(3);
    expect(stats.retries).toBe(2);
    expect(clock.sleeps).toEqual([50, 100]);
  });

  it('stops at the first good answer', async () => {
    const { send, calls } = setup({}, [503, 200]);
    expect((await send()).statusCode).toBe(200);
    expect(calls()).toBe(2);
  });

  it('never retries a non-idempotent call unless configured', async () => {
    const plain = setup({}, [new UpstreamUnavailableError('users')]);
    await expect(plain.send({ idempotent: false })).rejects.toBeInstanceOf(UpstreamUnavailableError);
    expect(plain.calls()).toBe(1);
    const marked = setup({ retryNonIdempotent: true }, [new UpstreamUnavailableError('users'), 200]);
    expect((await marked.send({ idempotent: false })).statusCode).toBe(200);
    expect(marked.calls()).toBe(2);
  });

  it('does not retry 4xx, 500 (by default) or an open circuit', async () => {
    for (const outcome of [404, 500, new CircuitOpenError('users', 5)]) {
      const { send, calls } = setup({}, [outcome]);
      await send().catch(() => undefined);
      expect(calls()).toBe(1);
    }
  });

  it('honours Retry-After when it fits in the deadline', async () => {
    const { send, clock, calls } = setup({}, [[503, { 'retry-after': '2' }], 200]);
    expect((await send({ deadlineAt: 10_000 })).statusCode).toBe(200);
    expect(calls()).toBe(2);
    expect(clock.sleeps).toEqual([2_000]);
  });

  it('gives up at once when Retry-After is past the deadline', async () => {
    const { send, clock, calls } = setup({}, [[503, { 'retry-after': '5' }], 200]);
    expect((await send({ deadlineAt: 3_000 })).statusCode).toBe(503);
    expect(calls()).toBe(1);
    expect(clock.sleeps).toEqual([]);
  });

  it('stops retrying when the budget is spent', async () => {
    const { send, stats, calls } = setup({ maxRetries: 3, budget: { ratio: 0, minRetries: 2 } }, [503]);
    await send();
    await send();
    // First call: 1 + 2 retries, the third denied; second call: 1, its retry denied.
    expect(calls()).toBe(4);
    expect(stats.retries).toBe(2);
    expect(stats.retriesDenied).toBe(2);
  });

  it('never replays a streamed body', async () => {
    const { send, calls } = setup({}, [503]);
    await send({ body: Readable.from(['x']) });
    expect(calls()).toBe(1);
  });
});
