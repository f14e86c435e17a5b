import type { Redis } from 'ioredis';
import type { Logger } from '../logger.js';
import { createCacheBypass, type CacheBypassStats } from './cache-redis-bypass.js';
import type { CacheStore } from './cache-store.js';
import { redisReady } from './redis-client.js';

export interface RedisCacheStoreDeps {
  /** A client from `createRedisClient` (no offline queue, short command timeout); not closed by the store. */
  redis: Redis;
  logger: Logger;
  /** After a failed or timed-out command, Redis is skipped for this long. Default 1000 ms. */
  retryAfterMs?: number;
  now?: () => number;
}

export interface RedisCacheStore extends CacheStore {
  /** Failed commands and calls answered without Redis since the start. */
  stats(): CacheBypassStats;
}

/** Stores the value and adds the key to each tag set, whose expiry is stretched to cover it: one round trip, atomic. */
const SET_SCRIPT = `
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
local ttl = tonumber(ARGV[2])
for i = 2, #KEYS do
  redis.call('SADD', KEYS[i], KEYS[1])
  if redis.call('PTTL', KEYS[i]) < ttl then redis.call('PEXPIRE', KEYS[i], ttl) end
end
return 1`;

/** Deletes every key of every tag set, then the sets: one round trip, atomic. */
const INVALIDATE_SCRIPT = `
local deleted = 0
for i = 1, #KEYS do
  local members = redis.call('SMEMBERS', KEYS[i])
  for _, key in ipairs(members) do deleted = deleted + redis.call('DEL', key) end
  redis.call('DEL', KEYS[i])
end
return deleted`;

interface CacheCommands {
  junctionCacheSet(numKeys: number, ...args: (string | number)[]): Promise<number>;
  junctionCacheInvalidate(numKeys: number, ...keys: string[]): Promise<number>;
}

const ENTRY = 'cache:e:';
const TAG = 'cache:t:';

/**
 * A cache store shared by every replica through Redis. Each call is bounded by the client's
 * command timeout; when Redis is down or slow the cache is bypassed (a miss, a dropped write),
 * never an error to a client, and after a failure reads and writes stay bypassed for
 * `retryAfterMs` so that a slow Redis costs one timeout, not one per call. Purges (`delete`,
 * `invalidate`, `clear`) are never skipped: each tries Redis and rejects when it fails. Needs a
 * single Redis node (or one slot): scripts touch several keys.
 */
export function createRedisCacheStore(deps: RedisCacheStoreDeps): RedisCacheStore {
  const { redis } = deps;
  const commands = redis as unknown as CacheCommands;
  redis.defineCommand('junctionCacheSet', { lua: SET_SCRIPT });
  redis.defineCommand('junctionCacheInvalidate', { lua: INVALIDATE_SCRIPT });
  const bypass = createCacheBypass({
    available: () => redisReady(redis),
    retryAfterMs: deps.retryAfterMs ?? 1_000,
    logger: deps.logger,
    now: deps.now ?? Date.now,
  });
  const bounded = bypass.run;
  const purge = bypass.always;

  return {
    kind: 'redis',
    stats: bypass.stats,
    get: (key) => bounded('get', undefined, async () => (await redis.get(ENTRY + key)) ?? undefined),
    set: (key, value, ttlMs, tags = []) => bounded('set', undefined, async () => {
      if (ttlMs <= 0) {
        await redis.del(ENTRY + key); // already stale: it supersedes what was there
        return;
      }
      await commands.junctionCacheSet(1 + tags.length, ENTRY + key, ...tags.map((tag) => TAG + tag), value, Math.ceil(ttlMs));
    }),
    delete: (key) => purge('delete', async () => {
      await redis.del(ENTRY + key);
    }),
    invalidate: (tags) => {
      if (tags.length === 0) return Promise.resolve(0);
      return purge('invalidate', () => commands.junctionCacheInvalidate(tags.length, ...tags.map((tag) => TAG + tag)));
    },
    clear: () => purge('clear', () => clearAll(redis)),
    async close() {
      // The client is shared with other stores; its owner closes it.
    },
  };
}

/** SCAN (not KEYS, which blocks Redis) for this store's keys and unlink them in batches. */
async function clearAll(redis: Redis): Promise<void> {
  const prefix = typeof redis.options.keyPrefix === 'string' ? redis.options.keyPrefix : '';
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${escapeGlob(prefix)}cache:*`, 'COUNT', 500);
    cursor = next;
    // SCAN returns full names; the client adds its prefix again, so strip it first.
    if (keys.length > 0) await redis.unlink(...keys.map((key) => key.slice(prefix.length)));
  } while (cursor !== '0');
}

function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, (char) => `\\${char}`);
}
