import { describe, expect, it } from 'vitest';
import { createMemoryRateLimitStore } from './rate-limit-memory.js';
import { windowsOf } from './rate-limit-store.js';

describe('memory rate-limit store bounds', () => {
  it('holds at most maxKeys keys under 10k random keys, and keeps the recently used ones exact', async () => {
    let time = 1_000_000;
    const store = createMemoryRateLimitStore({ maxKeys: 1_000 }, { now: () => time });
    const windows = windowsOf({ minute: 2 });
    for (let i = 0; i < 10_000; i++) {
      await store.consume([{ key: `random:${Math.random()}:${i}`, cost: 1, windows }]);
      if (i % 100 === 0) await store.consume([{ key: 'steady', cost: 0, windows }]);
      time += 1;
    }
    expect(store.size()).toBeLessThanOrEqual(1_000);
    await store.consume([{ key: 'steady', cost: 2, windows }]);
    expect((await store.consume([{ key: 'steady', cost: 1, windows }])).allowed).toBe(false);
  });

  it('forgets a key once its longest window is over', async () => {
    let time = 10_000;
    const store = createMemoryRateLimitStore({}, { now: () => time });
    await store.consume([{ key: 'a', cost: 1, windows: windowsOf({ second: 1 }) }]);
    expect(store.size()).toBe(1);
    time = 10_999;
    expect(store.size()).toBe(1);
    time = 11_001;
    expect(store.size()).toBe(0);
  });

  it('stores a long key as its hash: a 64 KiB key costs no more than a short one', async () => {
    const store = createMemoryRateLimitStore({}, { now: () => 0 });
    const long = 'x'.repeat(65_536);
    await store.consume([{ key: long, cost: 1, windows: windowsOf({ minute: 1 }) }]);
    expect((await store.consume([{ key: long, cost: 1, windows: windowsOf({ minute: 1 }) }])).allowed).toBe(false);
    expect((await store.consume([{ key: `${long}y`, cost: 1, windows: windowsOf({ minute: 1 }) }])).allowed).toBe(true);
  });
});
