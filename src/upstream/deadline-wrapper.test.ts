import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { UpstreamTimeoutError } from '../errors.js';
import type { Clock } from './clock.js';
import { createDeadlineWrapper } from './deadline-wrapper.js';
import type { UpstreamRequest, UpstreamResponse } from './types.js';

/** A clock whose timers fire only when `advance` passes them. */
function manualClock(): Clock & { advance(ms: number): void; pending(): number } {
  let time = 0;
  let timers: { at: number; callback: () => void }[] = [];
  return {
    now: () => time,
    setTimeout(callback, ms) {
      const timer = { at: time + ms, callback };
      timers.push(timer);
      return timer;
    },
    clearTimeout(handle) {
      timers = timers.filter((timer) => timer !== handle);
    },
    random: () => 0.5,
    advance(ms) {
      time += ms;
      const due = timers.filter((timer) => timer.at <= time);
      timers = timers.filter((timer) => timer.at > time);
      for (const timer of due) timer.callback();
    },
    pending: () => timers.length,
  };
}

/** Answers at once with a body that stays open; exposes the signal the inner layer got. */
function setup() {
  const clock = manualClock();
  let inner: AbortSignal | undefined;
  const body = new PassThrough();
  const fetch = createDeadlineWrapper('files', 1_000, clock)(async (request) => {
    inner = request.signal;
    return { statusCode: 200, headers: {}, body: body as unknown as UpstreamResponse['body'] };
  });
  return { clock, body, fetch, signal: () => inner! };
}

const GET: UpstreamRequest = { method: 'GET', path: '/f', headers: {} };

describe('deadline wrapper', () => {
  it('by default keeps the deadline until the body closes: a body still open at the deadline is aborted', async () => {
    const { clock, fetch, signal } = setup();
    await fetch(GET);
    clock.advance(999);
    expect(signal().aborted).toBe(false);
    clock.advance(1);
    expect(signal().reason).toBeInstanceOf(UpstreamTimeoutError);
  });

  it("with deadline: 'headers' ends the deadline at the response head: the body outlives it", async () => {
    const { clock, fetch, signal, body } = setup();
    await fetch({ ...GET, deadline: 'headers' });
    expect(clock.pending()).toBe(0);
    clock.advance(60_000);
    expect(signal().aborted).toBe(false);
    body.destroy();
  });

  it("with deadline: 'headers' a client abort still reaches the upstream until the body closes", async () => {
    const { fetch, signal } = setup();
    const client = new AbortController();
    await fetch({ ...GET, deadline: 'headers', signal: client.signal });
    client.abort(new Error('client gone'));
    expect(signal().aborted).toBe(true);
  });

  it("with deadline: 'headers' the head itself is still bounded", async () => {
    const clock = manualClock();
    const fetch = createDeadlineWrapper('files', 1_000, clock)((request) => new Promise((_resolve, reject) => {
      request.signal!.addEventListener('abort', () => reject(request.signal!.reason));
    }));
    const pending = fetch({ ...GET, deadline: 'headers' });
    clock.advance(1_000);
    await expect(pending).rejects.toBeInstanceOf(UpstreamTimeoutError);
  });

  it('with the caller\'s controller: aborts that one on the deadline (no second signal), and clears its timer at the head', async () => {
    const clock = manualClock();
    const controller = new AbortController();
    let inner: AbortSignal | undefined;
    const fetch = createDeadlineWrapper('files', 1_000, clock)((request) => new Promise((_resolve, reject) => {
      inner = request.signal;
      request.signal!.addEventListener('abort', () => reject(request.signal!.reason));
    }));
    const pending = fetch({ ...GET, deadline: 'headers', signal: controller.signal, controller });
    expect(inner).toBe(controller.signal);
    clock.advance(1_000);
    await expect(pending).rejects.toBeInstanceOf(UpstreamTimeoutError);
    expect(controller.signal.reason).toBeInstanceOf(UpstreamTimeoutError);

    const { clock: clock2, fetch: answered, signal } = setup();
    const own = new AbortController();
    await answered({ ...GET, deadline: 'headers', signal: own.signal, controller: own });
    expect(signal()).toBe(own.signal);
    expect(clock2.pending()).toBe(0);
  });
});
