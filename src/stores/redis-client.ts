import { createRequire } from 'node:module';
import type { Redis } from 'ioredis';
import type { RedisConfig } from '../config/redis.js';
import type { Logger } from '../logger.js';

/**
 * An ioredis client that never holds a request: no offline queue (a command while disconnected
 * fails at once), a short per-command timeout, and reconnects in the background with capped
 * backoff. The gateway starts without Redis and picks it up when it appears.
 */
/** ioredis is loaded when a client is first made: a gateway without Redis never holds it (about 2 MB of heap). */
function loadRedis(): typeof Redis {
  return (createRequire(import.meta.url)('ioredis') as { Redis: typeof Redis }).Redis;
}

export function createRedisClient(config: RedisConfig, logger: Logger): Redis {
  const RedisClient = loadRedis();
  const client = new RedisClient(config.url, {
    enableOfflineQueue: false,
    commandTimeout: config.commandTimeoutMs,
    connectTimeout: config.connectTimeoutMs,
    maxRetriesPerRequest: 0,
    lazyConnect: false,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
    keyPrefix: config.keyPrefix,
  });
  let up = false;
  client.on('ready', () => {
    up = true;
    logger.info('redis connected');
  });
  client.on('error', (error: Error) => {
    if (up) logger.warn({ err: error.message }, 'redis unavailable; falling back as configured');
    up = false;
  });
  return client;
}

/** Whether the client can take commands right now (no waiting). */
export function redisReady(client: Redis): boolean {
  return client.status === 'ready';
}
