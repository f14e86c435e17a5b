import { describe, expect, it, vi } from 'vitest';
import { pino } from 'pino';
import { PassThrough } from 'node:stream';
import { createCacheBypass } from './cache-redis-bypass.js';

function setup(available = () => true) {
  let clock = 1_000_000;
  const lines: string[] = [];
  const stream = new PassThrough();
  stream.on('data', (chunk: Buffer) => lines.push(...chunk.toString().split('\n').filter((line) => line !== '').map((line) => (JSON.parse(line) as { msg: string }).msg)));
  const bypass = createCacheBypass({ available, retryAfterMs: 1_000, logger: pino({ level: 'info' }, stream), now: () => clock });
  return { bypass, lines, advance: (ms: number) => (clock += ms) };
}

const failing = () => vi.fn(() => Promise.reject(new Error('Command timed out')));

describe('cache bypass after a Redis failure', () => {
  it('skips Redis for retryAfterMs after a failed call, then tries it again', async () => {
    const { bypass, advance } = setup();
    const call = failing();
    expect(await bypass.run('get', undefined, call)).toBeUndefined();
    expect(await bypass.run('set', 'dropped', call)).toBe('dropped');
    advance(999);
    expect(await bypass.run('get', undefined, call)).toBeUndefined();
    expect(call).toHaveBeenCalledTimes(1);
    advance(1);
    const answering = vi.fn(() => Promise.resolve('value'));
    expect(await bypass.run('get', undefined, answering)).toBe('value');
    expect(answering).toHaveBeenCalledTimes(1);
    expect(bypass.stats()).toEqual({ failures: 1, bypassed: 3 });
  });

  it('never skips a purge: `always` calls Redis inside the skip period, and a failure rejects and is counted', async () => {
    const { bypass, advance } = setup();
    await bypass.run('get', undefined, failing());
    advance(200);
    const purge = vi.fn(() => Promise.resolve(3));
    expect(await bypass.always('invalidate', purge)).toBe(3);
    expect(purge).toHaveBeenCalledTimes(1);
    await expect(bypass.always('delete', failing())).rejects.toThrow('Command timed out');
    expect(bypass.stats()).toEqual({ failures: 2, bypassed: 1 });
    // The failed purge opened a new skip period for reads and writes.
    advance(999);
    const read = vi.fn(() => Promise.resolve('value'));
    expect(await bypass.run('get', 'missed', read)).toBe('missed');
    expect(read).not.toHaveBeenCalled();
  });

  it('rejects a purge at once while the client is not connected', async () => {
    const { bypass } = setup(() => false);
    const call = vi.fn(() => Promise.resolve(1));
    await expect(bypass.always('invalidate', call)).rejects.toThrow('not connected');
    expect(call).not.toHaveBeenCalled();
    expect(bypass.stats()).toEqual({ failures: 1, bypassed: 0 });
  });

  it('never calls Redis while the client is not connected', async () => {
    const { bypass } = setup(() => false);
    const call = vi.fn(() => Promise.resolve('value'));
    expect(await bypass.run('get', 'missed', call)).toBe('missed');
    expect(call).not.toHaveBeenCalled();
    expect(bypass.stats()).toEqual({ failures: 0, bypassed: 1 });
  });

  it('warns once per outage every few seconds, and says when Redis answers again', async () => {
    const { bypass, lines, advance } = setup();
    for (let i = 0; i < 3; i++) {
      await bypass.run('get', undefined, failing());
      advance(1_000);
    }
    expect(lines).toEqual(['cache store unavailable; cache bypassed']);
    await bypass.run('get', undefined, () => Promise.resolve('value'));
    await new Promise((resolve) => setImmediate(resolve));
    expect(lines).toEqual(['cache store unavailable; cache bypassed', 'cache store answering again']);
    expect(bypass.stats().failures).toBe(3);
  });
});
