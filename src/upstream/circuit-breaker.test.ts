import { describe, expect, it } from 'vitest';
import { createCircuitBreaker, type BreakerState, type CircuitBreakerOptions } from './circuit-breaker.js';

const base: CircuitBreakerOptions = { consecutiveFailures: 3, minimumRequests: 10, windowMs: 10_000, openMs: 5_000, halfOpenProbes: 1 };

function setup(options: Partial<CircuitBreakerOptions> = {}) {
  let time = 1_000_000;
  const changes: string[] = [];
  const breaker = createCircuitBreaker({ ...base, ...options }, {
    now: () => time,
    onStateChange: (from: BreakerState, to: BreakerState) => changes.push(`${from}->${to}`),
  });
  const fail = () => breaker.acquire()!.done('failure');
  const succeed = () => breaker.acquire()!.done('success');
  return { breaker, changes, fail, succeed, advance: (ms: number) => (time += ms) };
}

describe('circuit breaker', () => {
  it('opens after the consecutive-failure threshold and then admits nothing', () => {
    const { breaker, fail, changes } = setup();
    fail();
    fail();
    expect(breaker.snapshot().state).toBe('closed');
    fail();
    expect(breaker.snapshot()).toMatchObject({ state: 'open', opens: 1, retryAfterSeconds: 5 });
    expect(breaker.acquire()).toBeUndefined();
    expect(changes).toEqual(['closed->open']);
  });

  it('a success resets the consecutive count', () => {
    const { breaker, fail, succeed } = setup();
    fail();
    fail();
    succeed();
    fail();
    fail();
    expect(breaker.snapshot().state).toBe('closed');
  });

  it('neutral outcomes (client aborts) count for nothing', () => {
    const { breaker, fail } = setup();
    fail();
    fail();
    breaker.acquire()!.done('neutral');
    expect(breaker.snapshot()).toMatchObject({ state: 'closed', consecutiveFailures: 2 });
  });

  it('goes half open after openMs, limits probes, and closes when they succeed', () => {
    const { breaker, fail, advance, changes } = setup({ halfOpenProbes: 2 });
    fail();
    fail();
    fail();
    advance(4_999);
    expect(breaker.acquire()).toBeUndefined();
    expect(breaker.retryAfterSeconds()).toBe(1);
    advance(1);
    const first = breaker.acquire()!;
    const second = breaker.acquire()!;
    expect(breaker.snapshot().state).toBe('half-open');
    expect(breaker.acquire()).toBeUndefined();
    first.done('success');
    expect(breaker.snapshot().state).toBe('half-open');
    second.done('success');
    expect(breaker.snapshot()).toMatchObject({ state: 'closed', consecutiveFailures: 0 });
    expect(changes).toEqual(['closed->open', 'open->half-open', 'half-open->closed']);
  });

  it('a failed probe opens the circuit again for a full openMs', () => {
    const { breaker, fail, advance } = setup();
    fail();
    fail();
    fail();
    advance(5_000);
    breaker.acquire()!.done('failure');
    expect(breaker.snapshot()).toMatchObject({ state: 'open', opens: 2 });
    advance(4_000);
    expect(breaker.acquire()).toBeUndefined();
  });

  it('a neutral probe frees its slot without deciding', () => {
    const { breaker, fail, advance } = setup();
    fail();
    fail();
    fail();
    advance(5_000);
    breaker.acquire()!.done('neutral');
    expect(breaker.snapshot().state).toBe('half-open');
    expect(breaker.acquire()).toBeDefined();
  });

  it('ignores stragglers admitted before the last state change', () => {
    const { breaker, fail, advance } = setup();
    const straggler = breaker.acquire()!;
    fail();
    fail();
    fail();
    advance(5_000);
    const probe = breaker.acquire()!;
    straggler.done('failure');
    expect(breaker.snapshot().state).toBe('half-open');
    probe.done('success');
    expect(breaker.snapshot().state).toBe('closed');
  });

  it('failure-rate mode opens over a minimum volume, not before', () => {
    const { breaker, fail, succeed } = setup({ consecutiveFailures: 0, failureRate: 0.5, minimumRequests: 10 });
    for (let i = 0; i < 4; i++) {
      succeed();
      fail();
    }
    expect(breaker.snapshot()).toMatchObject({ state: 'closed', windowRequests: 8, windowFailures: 4 });
    succeed();
    fail();
    expect(breaker.snapshot().state).toBe('open');
  });

  it('failure-rate mode forgets failures older than the window', () => {
    const { breaker, fail, succeed, advance } = setup({ consecutiveFailures: 0, failureRate: 0.5, minimumRequests: 4, windowMs: 1_000 });
    fail();
    fail();
    fail();
    advance(2_000);
    succeed();
    fail();
    succeed();
    expect(breaker.snapshot()).toMatchObject({ state: 'closed', windowRequests: 3 });
  });
});
