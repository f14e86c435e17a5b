import { z } from 'zod';

/** The shared Redis connection used by rate limiting and caching when their store is `redis`. */
export const redisSchema = z.strictObject({
  /** Redis URL, e.g. `redis://127.0.0.1:6379` (use `${REDIS_URL}` for secrets). */
  url: z.string().regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL'),
  /** Longest wait for any one command; past it the call fails and the fallback applies. Default 250 ms. */
  commandTimeoutMs: z.number().int().positive().default(250),
  /** Longest wait for a connection. Default 1000 ms. */
  connectTimeoutMs: z.number().int().positive().default(1_000),
  /** Prefix of every key Junction writes. Default `junction:`. */
  keyPrefix: z.string().default('junction:'),
});

export type RedisConfig = z.output<typeof redisSchema>;
