import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { silentLogger } from '../../src/logger.js';
import { createMemoryCacheStore } from '../../src/stores/cache-memory-store.js';
import type { CacheStore } from '../../src/stores/cache-store.js';
import { createPurgeRoute, PURGE_PATH } from './purge-route.js';

const TOKEN = 'purge-route-token-0123456789';
let server: Server | undefined;
afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

async function serve(store: CacheStore, onPurge?: () => void): Promise<string> {
  const route = createPurgeRoute({ store, adminToken: TOKEN, onPurge, logger: silentLogger() });
  server = createServer((req, res) => void route(req, res, 'req-1'));
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}${PURGE_PATH}`;
}

const purge = (url: string, body: unknown) =>
  fetch(url, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });

/** A store whose backend is down: reads miss, purges fail (as the Redis store's do). */
function failingStore(): CacheStore {
  return {
    ...createMemoryCacheStore({ maxBytes: 1024 }),
    invalidate: vi.fn(() => Promise.reject(new Error('Command timed out'))),
    clear: vi.fn(() => Promise.reject(new Error('Command timed out'))),
  };
}

describe('cache purge route', () => {
  it('answers how many entries it purged', async () => {
    const store = createMemoryCacheStore({ maxBytes: 1024 * 1024 });
    await store.set('q1', 'v', 60_000, ['E:Product:p1']);
    const url = await serve(store);
    const answer = await purge(url, { type: 'Product', id: 'p1' });
    expect(answer.status).toBe(200);
    expect(await answer.json()).toEqual({ purged: 1 });
  });

  it.each([
    ['an entity', { type: 'Product', id: 'p1' }],
    ['everything', { all: true }],
  ])('answers 503 SERVICE_UNAVAILABLE, not `purged: 0`, when the store fails to purge %s', async (_what, body) => {
    const store = failingStore();
    const onPurge = vi.fn();
    const url = await serve(store, onPurge);
    const answer = await purge(url, body);
    expect(answer.status).toBe(503);
    expect(answer.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await answer.json()).toEqual({ error: { code: 'SERVICE_UNAVAILABLE', message: expect.stringMatching(/purge/) as unknown, requestId: 'req-1' } });
    expect('all' in body ? store.clear : store.invalidate).toHaveBeenCalledTimes(1);
    // In-process state is forgotten all the same: the purge may have been partly done.
    expect(onPurge).toHaveBeenCalledTimes(1);
  });
});
