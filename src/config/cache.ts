import { z } from 'zod';

/** `PUBLIC`: one entry shared by every caller. `PRIVATE`: one entry per principal, never shared. */
export const cacheScopeSchema = z.enum(['PUBLIC', 'PRIVATE']);

/** A cache hint, the same arguments as `@cacheControl(maxAge, scope, inheritMaxAge)`. */
export const cacheHintSchema = z.strictObject({
  /** Seconds the value stays fresh. Unset: no hint on the age (Apollo semantics apply). */
  maxAge: z.number().int().nonnegative().optional(),
  /** `PUBLIC` or `PRIVATE`. Unset: no hint on the scope. */
  scope: cacheScopeSchema.optional(),
  /** Take the parent field's max age instead of the default (fields of composite type only). Default false. */
  inheritMaxAge: z.boolean().optional(),
});

const coordinate = z.string().regex(/^[A-Za-z_]\w*\.[A-Za-z_]\w*$/, 'must be a schema coordinate like "Query.products"');
const typeName = z.string().regex(/^[A-Za-z_]\w*$/, 'must be a type name');

/**
 * Whole-response caching of GraphQL queries and HTTP caching of REST GET routes. Present: on.
 * Absent: no caching at all (no headers either).
 */
export const cacheSchema = z.strictObject({
  /** `memory` (per process, bounded in bytes) or `redis` (shared by replicas; needs the top-level `redis` block). Default `memory`. */
  store: z.enum(['memory', 'redis']).default('memory'),
  /** Redis store: after a failed or timed-out command, bypass Redis (misses, dropped writes) for this long before trying it again. Default 1000 ms. */
  retryRedisAfterMs: z.number().int().nonnegative().default(1_000),
  /** Most bytes the memory store holds (entries, keys and tag index, approximately); least recently used go first. Default 64 MiB. */
  maxBytes: z.number().int().positive().default(64 * 1024 * 1024),
  /** Largest single response stored, in bytes; larger ones are served but not stored. Default 1 MiB. */
  maxEntryBytes: z.number().int().positive().default(1024 * 1024),
  /** Max age of root fields and composite-typed fields without a hint (Apollo's `defaultMaxAge`). Default 0 (not cached). */
  defaultMaxAge: z.number().int().nonnegative().default(0),
  /** How long past its max age an entry may still be served when the upstream fails or its breaker is open (GraphQL answers and REST routes, whose upstream may ask for less). 0 turns it off. Default 300 s. */
  staleIfErrorSeconds: z.number().int().nonnegative().default(300),
  /** Hints per type (`{ Product: { maxAge: 60 } }`), as `@cacheControl` on the type; they override the SDL's. Default none. */
  types: z.record(typeName, cacheHintSchema).default({}),
  /** Hints per field by schema coordinate (`{ 'Query.products': { maxAge: 60 } }`); they override the SDL's. Default none. */
  fields: z.record(coordinate, cacheHintSchema).default({}),
  /**
   * Directives that make a field's or type's data depend on the caller (auth checks): any field
   * carrying one (or guarded in `auth.fields`) is `PRIVATE`, since a cache hit skips resolvers. Default the auth directives.
   */
  privateDirectives: z.array(z.string()).default(['authenticated', 'requiresScopes', 'requiresClaim']),
  /** Fields holding an entity's id, used to tag entries for invalidation. Default `['id']`. */
  idFields: z.array(z.string()).min(1).default(['id']),
  /**
   * Let the freshness REST (OpenAPI) sources give (`max-age`, `s-maxage`, less their `Age`) cap the
   * max age of the answers built from them. False: SDL and config hints alone set it; a source's
   * `private`, `no-store`, `no-cache` and `Set-Cookie` still count. Default true.
   */
  restHints: z.boolean().default(true),
  /** Longest a request waits for an identical in-flight miss before executing itself, in ms. Default 10 s. */
  singleFlightWaitMs: z.number().int().positive().default(10_000),
  /**
   * Bearer token for `POST /admin/cache/purge` (`{ type, id }`, `{ type }` or `{ all: true }`).
   * Unset: the endpoint does not exist. Use `${CACHE_ADMIN_TOKEN}`; at least 16 characters.
   */
  adminToken: z.string().min(16, 'must be at least 16 characters').optional(),
});

export type CacheConfig = z.output<typeof cacheSchema>;
export type CacheHintConfig = z.output<typeof cacheHintSchema>;
export type CacheScope = z.output<typeof cacheScopeSchema>;
