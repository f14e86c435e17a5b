import { Redis } from 'ioredis';

/** REDIS_URL of the shared test instance (default the local one). */
export const TEST_REDIS_URL = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';

/**
 * Whether the shared test Redis answers. Tests needing it are skipped with a message when it does
 * not, except under CI=true, where a missing Redis is a failure.
 */
export async function testRedisReachable(url = TEST_REDIS_URL): Promise<boolean> {
  const probe = new Redis(url, { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0, connectTimeout: 1_000, retryStrategy: () => null });
  probe.on('error', () => undefined);
  try {
    await probe.connect();
    await probe.ping();
    return true;
  } catch {
    if (process.env['CI'] === 'true') throw new Error(`Redis is required under CI=true but ${url} is unreachable`);
    console.warn(`Redis at ${url} is unreachable: Redis tests are skipped (set REDIS_URL)`);
    return false;
  } finally {
    probe.disconnect();
  }
}
