import type { Redis } from 'ioredis';
import type { RateLimitConfig } from '../../src/config/rate-limit.js';
import type { RedisConfig } from '../../src/config/redis.js';
import type { Logger } from '../../src/logger.js';
import { createRedisClient, redisReady } from '../../src/stores/redis-client.js';
import { createFailoverRateLimitStore, type FailoverStats } from '../../src/stores/rate-limit-failover.js';
import { createMemoryRateLimitStore } from '../../src/stores/rate-limit-memory.js';
import { createRedisRateLimitStore } from '../../src/stores/rate-limit-redis.js';
import type { RateLimitStore } from '../../src/stores/rate-limit-store.js';

export interface RateLimitStoreDeps {
  logger: Logger;
  now: () => number;
  /** A Redis client to share (e.g. with the cache); when absent and `store: redis`, one is created and closed here. */
  redis?: Redis;
}

export interface BuiltStore {
  store: RateLimitStore;
  stats(): FailoverStats;
  close(): Promise<void>;
}

/** The store `rateLimit.store` names: memory, or Redis behind the local fallback of `failMode`. */
export function buildRateLimitStore(config: RateLimitConfig, redisConfig: RedisConfig | undefined, deps: RateLimitStoreDeps): BuiltStore {
  const memory = createMemoryRateLimitStore({ maxKeys: config.maxMemoryKeys }, { now: deps.now });
  if (config.store === 'memory') {
    return { store: memory, stats: () => ({ fallbacks: 0, refusals: 0, failures: 0 }), close: async () => memory.close?.() };
  }
  if (deps.redis === undefined && redisConfig === undefined) throw new Error('rateLimit.store is "redis" but no `redis:` block is configured');
  const client = deps.redis ?? createRedisClient(redisConfig!, deps.logger);
  const owned = deps.redis === undefined;
  const failover = createFailoverRateLimitStore(
    {
      primary: createRedisRateLimitStore({ client }),
      fallback: memory,
      failMode: config.failMode,
      available: () => redisReady(client),
      cooldownMs: config.retryRedisAfterMs,
    },
    { logger: deps.logger, now: deps.now },
  );
  return {
    store: failover,
    stats: failover.stats,
    async close() {
      await failover.close?.();
      if (owned) client.disconnect();
    },
  };
}
