import { LRUCache } from 'lru-cache';
import type { CacheStore, LocalCacheStore } from './cache-store.js';

export interface MemoryCacheStoreOptions {
  /** Most bytes held (values, keys and tag lists, approximately). */
  maxBytes: number;
}

export interface MemoryCacheStoreDeps {
  /** Clock in epoch ms. Default `Date.now`. */
  now?: () => number;
}

interface Stored {
  /** A string from `set`, an object from `local.set`. */
  value: string | object;
  /** Bytes of the value. */
  bytes: number;
  tags: readonly string[];
  /** Epoch ms (on the injected clock) from which the entry is gone. */
  expiresAt: number;
}

/** Per-entry bookkeeping in bytes (the stored object, LRU slots, the key string's header). */
const ENTRY_OVERHEAD_BYTES = 160;
/** Per tag of an entry, past its characters: the string's header, its array slot, its slot in the tag index. */
const TAG_OVERHEAD_BYTES = 96;

/**
 * A per-process cache store bounded in bytes (lru-cache `maxSize`): least recently used entries
 * go first; expired entries read as absent and leave when read or evicted. A tag index maps each tag to the keys holding it; it is cleaned whenever an entry
 * leaves the cache (evicted, expired, overwritten or deleted), so it never outgrows the entries.
 */
export function createMemoryCacheStore(options: MemoryCacheStoreOptions, deps: MemoryCacheStoreDeps = {}): CacheStore {
  const now = deps.now ?? Date.now;
  const index = new Map<string, Set<string>>();
  const lru = new LRUCache<string, Stored>({
    maxSize: options.maxBytes,
    maxEntrySize: options.maxBytes,
    sizeCalculation: sizeOf,
    dispose: unindex,
  });

  function sizeOf(stored: Stored, key: string): number {
    let size = ENTRY_OVERHEAD_BYTES + key.length + stored.bytes;
    for (const tag of stored.tags) size += tag.length + TAG_OVERHEAD_BYTES;
    return Math.max(1, size);
  }

  function unindex(stored: Stored, key: string): void {
    for (const tag of stored.tags) {
      const keys = index.get(tag);
      if (keys === undefined) continue;
      keys.delete(key);
      if (keys.size === 0) index.delete(tag);
    }
  }

  function addToIndex(key: string, tags: readonly string[]): void {
    for (const tag of tags) {
      let keys = index.get(tag);
      if (keys === undefined) index.set(tag, (keys = new Set()));
      keys.add(key);
    }
  }

  function read(key: string): string | object | undefined {
    const stored = lru.get(key);
    if (stored === undefined) return undefined;
    if (now() < stored.expiresAt) return stored.value;
    lru.delete(key);
    return undefined;
  }

  function write(key: string, value: string | object, bytes: number, ttlMs: number, tags: readonly string[]): void {
    if (ttlMs <= 0) return;
    // The old entry (if any) is disposed inside `set`, so the new tags are indexed after it.
    lru.set(key, { value, bytes, tags, expiresAt: now() + ttlMs });
    if (tags.length > 0 && lru.has(key)) addToIndex(key, tags);
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
        const keys = index.get(tag);
        if (keys === undefined) continue;
        for (const key of [...keys]) if (lru.delete(key)) deleted++;
        index.delete(tag);
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
