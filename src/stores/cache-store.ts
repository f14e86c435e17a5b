/**
 * The narrow interface both cache stores (memory, Redis) implement and one contract test checks.
 * Values are opaque strings; tags index entries for invalidation (`E:Product:p1`, `T:Product`).
 * `get` and `set` never throw: when the backend is down, `get` misses and writes are dropped, so
 * the cache is bypassed and requests are served from upstream. Purges (`delete`, `invalidate`,
 * `clear`) reject when the backend fails: a purge dropped silently would leave stale entries
 * served for their whole time to live, so the caller must know.
 */
export interface CacheStore {
  /** `memory` or `redis`, for logs and metrics. */
  readonly kind: string;
  get(key: string): Promise<string | undefined>;
  /** Stores `value` for `ttlMs`, indexed under each of `tags`; a `ttlMs` of 0 or less deletes the key instead (a write like any other: dropped, not thrown, when the backend is down). */
  set(key: string, value: string, ttlMs: number, tags?: readonly string[]): Promise<void>;
  /** Objects kept as they are, without a promise or an encoding, for a store in this process (memory); absent for remote ones. */
  readonly local?: LocalCacheStore;
  delete(key: string): Promise<void>;
  /** Deletes every entry indexed under any of `tags`; resolves to how many were deleted (expired ones do not count). */
  invalidate(tags: readonly string[]): Promise<number>;
  /** Deletes every entry of this store. */
  clear(): Promise<void>;
  close(): Promise<void>;
}

/**
 * A memory store's entries as objects: nothing is encoded, copied or parsed. The caller never
 * changes an object once stored, and gives its size in bytes. Its keys are its own: `get` of
 * the async interface misses on them, as `local.get` misses on the strings `set` stored.
 */
export interface LocalCacheStore {
  get(key: string): object | undefined;
  /** As `CacheStore.set`: a `ttlMs` of 0 or less deletes the key. */
  set(key: string, value: object, bytes: number, ttlMs: number, tags?: readonly string[]): void;
}

/** Tag of an entry holding entity `type:id`. */
export function entityTag(type: string, id: string): string {
  return `E:${type}:${id}`;
}

/** Tag of every entry holding any entity of `type`. */
export function typeTag(type: string): string {
  return `T:${type}`;
}

/** Tag of an entry holding an entity of `type` whose id is not known (not selected): purged with any id. */
export function unknownIdTag(type: string): string {
  return `U:${type}`;
}

/** The tags to purge when entity `type:id` changes (or all of `type` when `id` is absent). */
export function purgeTags(type: string, id?: string): string[] {
  return id === undefined ? [typeTag(type)] : [entityTag(type, id), unknownIdTag(type)];
}
