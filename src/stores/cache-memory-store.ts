import { LRUCache } from 'lru-cache';
import type { CacheStore, LocalCacheStore } from './cache-store.js';
import { createTagIndex, type Indexed } from './tag-index.js';

export interface MemoryCacheStoreOptions {
  /** Most bytes held (values, keys and tag lists, approximately). */
  maxBytes: number;
}

export interface MemoryCacheStoreDeps {
  /** Clock in epoch ms. Default `Date.now`. */
  now?: () => number;
}

interface Stored extends Indexed {
  /** A string from `set`, an object from `local.set`; dropped once the entry left the store. */
  value: string | object | undefined;
  /** Bytes of the value. */
  bytes: number;
  /** Epoch ms (on the injected clock) from which the entry is gone. */
  expiresAt: number;
}

/** The records of every untagged entry: the index never adds to them, so one frozen array serves all (an object less per entry). */
const NO_RECORDS = Object.freeze([]) as unknown as Stored['records'];

/** Per-entry bookkeeping in bytes (the stored object, LRU slots, the key string's header). */
const ENTRY_OVERHEAD_BYTES = 160;
/** Per tag of an entry, past its characters: the string's header, its array slot, its references in the tag index (up to two, and a few more on small tags) and the entry's to the tag's record. */
const TAG_OVERHEAD_BYTES = 96;

/**
 * A per-process cache store bounded in bytes (lru-cache `maxSize`): least recently used entries
 * go first; expired entries read as absent and leave when read or evicted. The tag index
 * (tag-index.ts) finds the entries of a tag for purges; an entry leaving the cache leaves it too,
 * and lets go of its value, so the index never keeps a value alive.
 */
export function createMemoryCacheStore(options: MemoryCacheStoreOptions, deps: MemoryCacheStoreDeps = {}): CacheStore {
  const now = deps.now ?? Date.now;
  const index = createTagIndex<Stored>();
  const lru = new LRUCache<string, Stored>({
    maxSize: options.maxBytes,
    maxEntrySize: options.maxBytes,
    sizeCalculation: sizeOf,
    dispose: left,
  });

  function sizeOf(stored: Stored, key: string): number {
    let size = ENTRY_OVERHEAD_BYTES + key.length + stored.bytes;
    for (const tag of stored.tags) size += tag.length + TAG_OVERHEAD_BYTES;
    return Math.max(1, size);
  }

  function left(stored: Stored): void {
    stored.value = undefined;
    index.remove(stored);
  }

  function read(key: string): string | object | undefined {
    const stored = lru.get(key);
    if (stored === undefined) return undefined;
    if (now() < stored.expiresAt) return stored.value;
    lru.delete(key);
    return undefined;
  }

  function write(key: string, value: string | object, bytes: number, ttlMs: number, tags: readonly string[]): void {
    if (ttlMs <= 0) {
      // A write that is already stale supersedes what was there: the key reads as absent.
      lru.delete(key);
      return;
    }
    const stored: Stored = { key, value, bytes, tags, expiresAt: now() + ttlMs, live: true, records: tags.length > 0 ? [] : NO_RECORDS };
    lru.set(key, stored);
    // An entry larger than the whole store is not kept: nothing to index.
    if (tags.length > 0 && lru.peek(key) === stored) index.add(stored);
  }

  const local: LocalCacheStore = {
    get(key) {
      const value = read(key);
      return typeof value === 'object' ? value : undefined;
    },
    set(key, value, bytes, ttlMs, tags = []) {
      write(key, value, bytes, ttlMs, tags);
    },
  };

  return {
    kind: 'memory',
    local,
    async get(key) {
      const value = read(key);
      return typeof value === 'string' ? value : undefined;
    },
    async set(key, value, ttlMs, tags = []) {
      write(key, value, value.length, ttlMs, tags);
    },
    async delete(key) {
      lru.delete(key);
    },
    async invalidate(tags) {
      let deleted = 0;
      for (const tag of tags) {
        // An entry under several of the tags is deleted (and counted) once: then it is no longer live.
        // One expired but not yet read is deleted without being counted: it was gone already.
        for (const stored of index.take(tag)) {
          if (!stored.live) continue;
          const unexpired = now() < stored.expiresAt;
          if (lru.delete(stored.key) && unexpired) deleted++;
        }
      }
      return deleted;
    },
    async clear() {
      lru.clear();
      index.clear();
    },
    async close() {
      lru.clear();
      index.clear();
    },
  };
}
