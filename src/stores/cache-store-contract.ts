import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { purgeTags, typeTag, type CacheStore } from './cache-store.js';

/** What the contract needs of a store under test. */
export interface CacheStoreHarness {
  store: CacheStore;
  /** Remaining time to live of `key` as the backend sees it, in ms; undefined when absent. */
  remainingTtlMs(key: string): Promise<number | undefined>;
  close(): Promise<void>;
}

/**
 * The one contract every cache store meets, run against the memory store and a real Redis.
 * Call inside a test file: `cacheStoreContract('memory', () => harness)`.
 */
export function cacheStoreContract(name: string, create: () => Promise<CacheStoreHarness>): void {
  describe(`cache store contract: ${name}`, () => {
    let harness: CacheStoreHarness;
    let store: CacheStore;
    beforeEach(async () => {
      harness = await create();
      store = harness.store;
    });
    afterEach(async () => {
      await harness.close();
    });

    it('misses an absent key and returns what was set', async () => {
      expect(await store.get('absent')).toBeUndefined();
      await store.set('k1', '{"data":{"a":1}}', 60_000);
      expect(await store.get('k1')).toBe('{"data":{"a":1}}');
    });

    it('keeps unicode and large values intact', async () => {
      const value = `héllo ✓ 𝄞 ${'x'.repeat(100_000)}`;
      await store.set('big', value, 60_000);
      expect(await store.get('big')).toBe(value);
    });

    it('overwrites a key and deletes it', async () => {
      await store.set('k', 'one', 60_000);
      await store.set('k', 'two', 60_000);
      expect(await store.get('k')).toBe('two');
      await store.delete('k');
      expect(await store.get('k')).toBeUndefined();
    });

    it('applies the time to live it is given', async () => {
      await store.set('ttl', 'v', 30_000);
      const remaining = await harness.remainingTtlMs('ttl');
      expect(remaining).toBeGreaterThan(25_000);
      expect(remaining).toBeLessThanOrEqual(30_000);
    });

    it('does not store with a zero time to live', async () => {
      await store.set('zero', 'v', 0);
      expect(await store.get('zero')).toBeUndefined();
    });

    it('deletes what a key held when it is set again with no time to live', async () => {
      await store.set('superseded', 'old', 60_000, ['E:A:1']);
      await store.set('superseded', 'new', 0);
      expect(await store.get('superseded')).toBeUndefined();
      await store.set('superseded', 'old', 60_000);
      await store.set('superseded', 'new', -5);
      expect(await store.get('superseded')).toBeUndefined();
      expect(await store.invalidate(['E:A:1'])).toBe(0);
    });

    it('invalidates exactly the entries indexed under a tag', async () => {
      await store.set('a', 'A', 60_000, ['E:Product:p1', typeTag('Product')]);
      await store.set('b', 'B', 60_000, ['E:Product:p2', typeTag('Product')]);
      await store.set('c', 'C', 60_000, ['E:User:u1']);
      expect(await store.invalidate(purgeTags('Product', 'p1'))).toBe(1);
      expect(await store.get('a')).toBeUndefined();
      expect(await store.get('b')).toBe('B');
      expect(await store.get('c')).toBe('C');
      expect(await store.invalidate([typeTag('Product')])).toBe(1);
      expect(await store.get('b')).toBeUndefined();
      expect(await store.get('c')).toBe('C');
    });

    it('invalidates an entry under any of its tags, once', async () => {
      await store.set('x', 'X', 60_000, ['E:Order:o1', 'E:Order:o2']);
      expect(await store.invalidate(['E:Order:o1', 'E:Order:o2'])).toBe(1);
      expect(await store.get('x')).toBeUndefined();
      expect(await store.invalidate(['E:Order:o1'])).toBe(0);
      expect(await store.invalidate([])).toBe(0);
    });

    it('clears every entry', async () => {
      await store.set('one', '1', 60_000, ['E:A:1']);
      await store.set('two', '2', 60_000);
      await store.clear();
      expect(await store.get('one')).toBeUndefined();
      expect(await store.get('two')).toBeUndefined();
      expect(await store.invalidate(['E:A:1'])).toBe(0);
    });
  });
}
