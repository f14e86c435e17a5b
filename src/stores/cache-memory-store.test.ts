import { describe, expect, it } from 'vitest';
import { createMemoryCacheStore } from './cache-memory-store.js';
import { cacheStoreContract } from './cache-store-contract.js';

function clock(start = 1_000_000): { now: () => number; advance(ms: number): void } {
  let time = start;
  return { now: () => time, advance: (ms) => void (time += ms) };
}

cacheStoreContract('memory', async () => {
  const time = clock();
  const store = createMemoryCacheStore({ maxBytes: 10 * 1024 * 1024 }, { now: time.now });
  // lru-cache reports the remaining ttl through its public API only; derive it by probing expiry.
  const setAt = new Map<string, { at: number; ttl: number }>();
  const set = store.set.bind(store);
  store.set = async (key, value, ttlMs, tags) => {
    setAt.set(key, { at: time.now(), ttl: ttlMs });
    await set(key, value, ttlMs, tags);
  };
  return {
    store,
    async remainingTtlMs(key) {
      const entry = setAt.get(key);
      if (entry === undefined || (await store.get(key)) === undefined) return undefined;
      const remaining = entry.at + entry.ttl - time.now();
      // Prove the store enforces it: one ms before, present; at the deadline, gone.
      time.advance(remaining - 1);
      const before = await store.get(key);
      time.advance(1);
      const after = await store.get(key);
      time.advance(-remaining);
      return before !== undefined && after === undefined ? remaining : undefined;
    },
    close: () => store.close(),
  };
});

describe('memory cache store', () => {
  it('expires entries on the injected clock', async () => {
    const time = clock();
    const store = createMemoryCacheStore({ maxBytes: 1024 * 1024 }, { now: time.now });
    await store.set('k', 'v', 1_000, ['E:A:1']);
    time.advance(999);
    expect(await store.get('k')).toBe('v');
    time.advance(1);
    expect(await store.get('k')).toBeUndefined();
    expect(await store.invalidate(['E:A:1'])).toBe(0);
  });

  it('counts in a purge only the entries not yet expired, and removes the expired ones unread', async () => {
    const time = clock();
    const store = createMemoryCacheStore({ maxBytes: 1024 * 1024 }, { now: time.now });
    await store.set('short', 'v', 1_000, ['E:A:1']);
    await store.set('long', 'v', 60_000, ['E:A:1']);
    store.local!.set('object', { a: 1 }, 10, 1_000, ['E:A:1']);
    time.advance(1_000);
    // `short` and `object` expired without being read: purged, not counted, as Redis would not see them.
    expect(await store.invalidate(['E:A:1'])).toBe(1);
    expect(await store.get('long')).toBeUndefined();
    expect(await store.invalidate(['E:A:1'])).toBe(0);
  });

  it('stays within its byte bound, evicting the least recently used first', async () => {
    const store = createMemoryCacheStore({ maxBytes: 20_000 });
    const value = 'x'.repeat(1_000);
    for (let i = 0; i < 100; i++) {
      await store.set(`k${i}`, value, 60_000, [`E:Item:${i}`]);
      if (i === 10) await store.get('k0'); // keep k0 recently used
    }
    let kept = 0;
    for (let i = 0; i < 100; i++) if ((await store.get(`k${i}`)) !== undefined) kept++;
    expect(kept).toBeGreaterThan(5);
    expect(kept).toBeLessThan(20); // 20 kB / ~1.1 kB per entry
    expect(await store.get('k99')).toBe(value);
    expect(await store.get('k1')).toBeUndefined();
    // Evicted entries left the tag index: invalidating them finds nothing.
    expect(await store.invalidate(['E:Item:1', 'E:Item:2'])).toBe(0);
    expect(await store.invalidate(['E:Item:99'])).toBe(1);
  });

  it('purges exactly the live entries of a tag after heavy churn, never a key stored again since', async () => {
    const store = createMemoryCacheStore({ maxBytes: 20_000 });
    const value = 'x'.repeat(500);
    // ~30 entries fit: 20,000 writes over 5,000 keys evict all but the last ones.
    for (let i = 0; i < 20_000; i++) await store.set(`k${i % 5_000}`, value, 60_000, ['T:Item', `E:Item:${i}`]);
    // k4999 was written at 4999, 9999, 14999 and 19999: an earlier write's tag finds nothing, the key stays.
    expect(await store.invalidate(['E:Item:14999'])).toBe(0);
    expect(await store.get('k4999')).toBe(value);
    let live = 0;
    for (let i = 0; i < 5_000; i++) if ((await store.get(`k${i}`)) !== undefined) live++;
    expect(live).toBeGreaterThan(10);
    expect(await store.invalidate(['E:Item:19999'])).toBe(1);
    expect(await store.invalidate(['T:Item'])).toBe(live - 1);
    for (let i = 0; i < 5_000; i++) expect(await store.get(`k${i}`)).toBeUndefined();
  });

  it('entries deleted or expired leave a shared tag: keys stored again without it are not purged', async () => {
    const time = clock();
    const store = createMemoryCacheStore({ maxBytes: 1024 * 1024 }, { now: time.now });
    await store.set('keep', 'K', 60_000, ['T:X']);
    await store.set('a', 'A1', 60_000, ['T:X']);
    await store.delete('a');
    await store.set('a', 'A2', 60_000, ['E:Other:1']);
    await store.set('b', 'B1', 1_000, ['T:X']);
    time.advance(1_000);
    expect(await store.get('b')).toBeUndefined(); // read expired: the store deletes it
    await store.set('b', 'B2', 60_000, ['E:Other:2']);
    expect(await store.invalidate(['T:X'])).toBe(1);
    expect(await store.get('a')).toBe('A2');
    expect(await store.get('b')).toBe('B2');
  });

  it('never indexes an entry too large to keep', async () => {
    const store = createMemoryCacheStore({ maxBytes: 5_000 });
    await store.set('tagged', 'x'.repeat(10_000), 60_000, ['E:B:2']);
    await store.set('tagged', 'v', 60_000, ['E:C:1']);
    expect(await store.invalidate(['E:B:2'])).toBe(0);
    expect(await store.get('tagged')).toBe('v');
  });

  it('a key evicted, then stored again under another tag, is not purged by the old one', async () => {
    const store = createMemoryCacheStore({ maxBytes: 5_000 });
    await store.set('k', 'first', 60_000, ['E:A:1']);
    for (let i = 0; i < 20; i++) await store.set(`filler${i}`, 'x'.repeat(400), 60_000);
    expect(await store.get('k')).toBeUndefined();
    await store.set('k', 'second', 60_000, ['E:A:2']);
    expect(await store.invalidate(['E:A:1'])).toBe(0);
    expect(await store.get('k')).toBe('second');
  });

  it('refuses an entry larger than the whole store without evicting the rest', async () => {
    const store = createMemoryCacheStore({ maxBytes: 5_000 });
    await store.set('small', 'v', 60_000);
    await store.set('huge', 'x'.repeat(10_000), 60_000, ['E:A:1']);
    expect(await store.get('huge')).toBeUndefined();
    expect(await store.get('small')).toBe('v');
    expect(await store.invalidate(['E:A:1'])).toBe(0);
    // Over a tagged key: the old entry leaves with its tag, the new one is not kept.
    await store.set('tagged', 'v', 60_000, ['E:B:1']);
    await store.set('tagged', 'x'.repeat(10_000), 60_000, ['E:B:2']);
    expect(await store.get('tagged')).toBeUndefined();
    expect(await store.invalidate(['E:B:1', 'E:B:2'])).toBe(0);
  });

  it('moves an overwritten entry to its new tags', async () => {
    const store = createMemoryCacheStore({ maxBytes: 1024 * 1024 });
    await store.set('k', 'one', 60_000, ['E:A:1']);
    await store.set('k', 'two', 60_000, ['E:A:2']);
    expect(await store.invalidate(['E:A:1'])).toBe(0);
    expect(await store.get('k')).toBe('two');
    expect(await store.invalidate(['E:A:2'])).toBe(1);
  });

  it('invalidates every entry sharing a tag list, but not one deleted before', async () => {
    const store = createMemoryCacheStore({ maxBytes: 1024 * 1024 });
    const shared = ['E:Product:p1', 'E:Product:p2', 'T:Product'];
    await store.set('first', '1', 60_000, shared);
    await store.set('second', '2', 60_000, [...shared]);
    await store.set('other', '3', 60_000, ['E:Product:p2', 'T:Product']);
    await store.delete('first');
    expect(await store.invalidate(['E:Product:p1'])).toBe(1);
    expect(await store.get('second')).toBeUndefined();
    expect(await store.get('other')).toBe('3');
    // Once no entry holds them, the tags are indexed afresh for a new entry.
    await store.set('third', '4', 60_000, shared);
    expect(await store.invalidate(['T:Product'])).toBe(2);
  });

  it('keeps an overwritten entry indexed under the same tags', async () => {
    const store = createMemoryCacheStore({ maxBytes: 1024 * 1024 });
    await store.set('k', 'one', 60_000, ['E:A:1']);
    await store.set('k', 'two', 60_000, ['E:A:1']);
    expect(await store.invalidate(['E:A:1'])).toBe(1);
    expect(await store.get('k')).toBeUndefined();
  });

  it('keeps local entries as the objects given, bounded by the bytes given, apart from string entries', async () => {
    const time = clock();
    const store = createMemoryCacheStore({ maxBytes: 20_000 }, { now: time.now });
    const local = store.local!;
    const entry = { body: 'x'.repeat(100) };
    local.set('k', entry, 1_000, 60_000, ['E:A:1']);
    expect(local.get('k')).toBe(entry);
    // The async interface holds strings only: it misses on a local object, and local misses on a string.
    expect(await store.get('k')).toBeUndefined();
    await store.set('s', 'text', 60_000);
    expect(local.get('s')).toBeUndefined();
    expect(await store.invalidate(['E:A:1'])).toBe(1);
    expect(local.get('k')).toBeUndefined();
    // The bytes given bound the store: ~1.2 kB each, at most 20 kB.
    for (let i = 0; i < 100; i++) local.set(`n${i}`, { i }, 1_000, 60_000);
    let kept = 0;
    for (let i = 0; i < 100; i++) if (local.get(`n${i}`) !== undefined) kept++;
    expect(kept).toBeGreaterThan(5);
    expect(kept).toBeLessThan(20);
    local.set('t', entry, 1_000, 1_000);
    time.advance(1_000);
    expect(local.get('t')).toBeUndefined();
  });
});
