import { EventEmitter } from 'node:events';
import type { ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import { clientSignalOf, ResponseCloseSignal } from '../src/context.js';

function response(state: { destroyed?: boolean; writableFinished?: boolean } = {}): ServerResponse & EventEmitter {
  return Object.assign(new EventEmitter(), { destroyed: false, writableFinished: false, ...state }) as unknown as ServerResponse & EventEmitter;
}

describe('ResponseCloseSignal', () => {
  it('aborts once when the response closes unfinished, calling the listeners still subscribed', () => {
    const res = response();
    const signal = new ResponseCloseSignal(res);
    const calls: string[] = [];
    const kept = (): number => calls.push('kept');
    const dropped = (): number => calls.push('dropped');
    signal.onAbort(kept);
    signal.onAbort(dropped);
    signal.offAbort(dropped);
    res.emit('close');
    res.emit('close');
    expect(signal.aborted).toBe(true);
    expect((signal.reason as Error).name).toBe('AbortError');
    expect(calls).toEqual(['kept']);
  });

  it('does not abort when the response finished; is aborted from the start when the client already left', () => {
    const finished = response({ writableFinished: true });
    const signal = new ResponseCloseSignal(finished);
    finished.emit('close');
    expect(signal.aborted).toBe(false);
    expect(new ResponseCloseSignal(response({ destroyed: true })).aborted).toBe(true);
  });
});

describe('clientSignalOf', () => {
  it('follows its AbortSignal, listeners added and removed', () => {
    const controller = new AbortController();
    const signal = clientSignalOf(controller.signal);
    const calls: string[] = [];
    const removed = (): number => calls.push('removed');
    signal.onAbort(() => calls.push('called'));
    signal.onAbort(removed);
    signal.offAbort(removed);
    controller.abort();
    expect([signal.aborted, calls]).toEqual([true, ['called']]);
  });
});
