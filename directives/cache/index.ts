import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Redis } from 'ioredis';
import type { CacheConfig } from '../../src/config/cache.js';
import type { JunctionConfig } from '../../src/config/index.js';
import { createMemoryCacheStore } from '../../src/stores/cache-memory-store.js';
import type { CacheBypassStats } from '../../src/stores/cache-redis-bypass.js';
import { createRedisCacheStore } from '../../src/stores/cache-redis-store.js';
import type { CacheStore } from '../../src/stores/cache-store.js';
import { createRedisClient } from '../../src/stores/redis-client.js';
import { createCredentialCheck } from '../auth/credentials.js';
import { checkCoordinates } from '../coordinates.js';
import type { PolicyDeps, PolicyModule } from '../policy.js';
import { createPlanCache } from './plans.js';
import { cacheFastPath } from './fast-path.js';
import { useResponseCache } from './plugin.js';
import { createPurgeRoute, PURGE_PATH } from './purge-route.js';
import { createResponseCache } from './response-cache.js';
import { createCacheRoute } from './route.js';
import { CACHE_TYPE_DEFS, parseCacheArgs, type CacheHint } from './sdl.js';

export { CACHE_TYPE_DEFS, parseCacheArgs, type CacheHint } from './sdl.js';
export { PURGE_PATH } from './purge-route.js';

export interface CachePolicyDeps extends PolicyDeps {
  /** A shared Redis client (`createRedisClient`); without one, a `redis` store opens its own from `config.redis`. */
  redis?: Redis;
  /** The store to use instead of the configured one (tests); its bypasses are not counted. */
  store?: CacheStore;
}

type AdminRoute = (req: IncomingMessage, res: ServerResponse, requestId: string) => Promise<void>;

export interface CachePolicy extends PolicyModule<CacheHint> {
  readonly store: CacheStore;
  /** Operator routes to mount (`POST /admin/cache/purge`); empty without `cache.adminToken`. */
  readonly adminRoutes: ReadonlyMap<string, AdminRoute>;
  /** Calls the Redis store answered without Redis, and its failed commands; always zero for the memory store. */
  stats(): CacheBypassStats;
}

/**
 * Caching as a policy, last in the order (auth → rate limit → cache): `@cacheControl` and config
 * hints on GraphQL, a whole-response cache in Yoga, the same store behind REST routes'
 * `policies.cache`, and the purge endpoint. Undefined when the config has no `cache` block.
 */
export function createCachePolicy(config: JunctionConfig, deps: CachePolicyDeps): CachePolicy | undefined {
  const cache = config.cache;
  if (cache === undefined) return undefined;
  const ownRedis = deps.store === undefined && cache.store === 'redis' && deps.redis === undefined;
  const redis = ownRedis ? createRedisClient(requireRedis(config), deps.logger) : deps.redis;
  const { store, stats } = deps.store === undefined ? createStore(cache, redis, deps) : { store: deps.store, stats: noBypasses };
  // Without the purge endpoint only mutations purge, so only the types they return are tagged.
  const plans = createPlanCache(cache, authGuardedCoordinates(config), { tagAllTypes: cache.adminToken !== undefined });
  const forwardedHeaders = [...new Set(config.sources.flatMap((source) => source.forwardHeaders))];
  const accountsFor = createCredentialCheck(config.auth);
  const responseCache = createResponseCache(cache, { store, now: deps.now, logger: deps.logger, forwardedHeaders, accountsFor });
  const plugin = useResponseCache(responseCache, plans);
  const adminRoutes = new Map<string, AdminRoute>();
  if (cache.adminToken !== undefined) adminRoutes.set(PURGE_PATH, createPurgeRoute({ store, adminToken: cache.adminToken, logger: deps.logger }));

  return {
    name: 'cache',
    typeDefs: CACHE_TYPE_DEFS,
    parseArgs: parseCacheArgs,
    transform(schema, build) {
      const check = { build, logger: deps.logger };
      checkCoordinates(schema, Object.keys(cache.types), { ...check, section: 'cache.types', unions: true });
      checkCoordinates(schema, Object.keys(cache.fields), { ...check, section: 'cache.fields' });
      return schema;
    },
    plugins: () => [plugin],
    fastPath: cacheFastPath(responseCache, plans),
    route: (args) => createCacheRoute(args, { store, now: deps.now, maxEntryBytes: cache.maxEntryBytes, staleIfErrorSeconds: cache.staleIfErrorSeconds, logger: deps.logger, accountsFor }),
    // A route declared private keeps one entry per principal: it must know who the caller is.
    routeCaller: (args) => (args?.scope === 'PRIVATE' ? 'any' : 'none'),
    store,
    adminRoutes,
    stats,
    async close() {
      await store.close();
      if (ownRedis) redis?.disconnect();
    },
  };
}

function createStore(cache: CacheConfig, redis: Redis | undefined, deps: CachePolicyDeps): { store: CacheStore; stats(): CacheBypassStats } {
  if (cache.store === 'memory') return { store: createMemoryCacheStore({ maxBytes: cache.maxBytes }, { now: deps.now }), stats: noBypasses };
  const store = createRedisCacheStore({ redis: redis!, logger: deps.logger, retryAfterMs: cache.retryRedisAfterMs, now: deps.now });
  return { store, stats: store.stats };
}

function noBypasses(): CacheBypassStats {
  return { failures: 0, bypassed: 0 };
}

function requireRedis(config: JunctionConfig): NonNullable<JunctionConfig['redis']> {
  if (config.redis === undefined) throw new Error('cache.store is "redis" but the config has no top-level "redis" block');
  return config.redis;
}

/** Types and fields auth guards from config (`auth.fields`): their data depends on the caller. */
function authGuardedCoordinates(config: JunctionConfig): Set<string> {
  const fields = (config as { auth?: { fields?: Record<string, unknown> } }).auth?.fields ?? {};
  return new Set(Object.keys(fields));
}
