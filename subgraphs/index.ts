import { startCatalog } from './catalog/index.js';
import { startOrders } from './orders/index.js';
import { startReviews } from './reviews/index.js';
import type { RunningService, ServiceOptions } from './service.js';
import { startUsers } from './users/index.js';

export { startUsers, usersSchemaPath } from './users/index.js';
export { startReviews, reviewsSchemaPath } from './reviews/index.js';
export { startCatalog, catalogOpenApiPath, CATALOG_CACHE_CONTROL } from './catalog/index.js';
export { startOrders, ordersOpenApiPath } from './orders/index.js';
export type { RunningService, ServiceOptions, CallCounts } from './service.js';

export const SERVICE_NAMES = ['users', 'reviews', 'catalog', 'orders'] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

export const STARTERS: Record<ServiceName, (options?: ServiceOptions) => Promise<RunningService>> = {
  users: startUsers,
  reviews: startReviews,
  catalog: startCatalog,
  orders: startOrders,
};

export interface StartAllOptions {
  host?: string;
  latencyMs?: number;
  /** Per-service ports; any not given binds port 0. */
  ports?: Partial<Record<ServiceName, number>>;
}

export interface RunningServices {
  users: RunningService;
  reviews: RunningService;
  catalog: RunningService;
  orders: RunningService;
  /** Resets the call counters of all four. */
  resetCalls(): void;
  close(): Promise<void>;
}

/** Starts all four example upstreams (port 0 each unless `ports` says otherwise). */
export async function startAll(options: StartAllOptions = {}): Promise<RunningServices> {
  const started = await Promise.allSettled(
    SERVICE_NAMES.map((name) =>
      STARTERS[name]({ host: options.host, latencyMs: options.latencyMs, port: options.ports?.[name] ?? 0 }),
    ),
  );
  const ok = started.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const failed = started.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) {
    await Promise.all(ok.map((s) => s.close()));
    throw failed.reason;
  }
  const [users, reviews, catalog, orders] = ok as [RunningService, RunningService, RunningService, RunningService];
  return {
    users,
    reviews,
    catalog,
    orders,
    resetCalls: () => ok.forEach((s) => s.resetCalls()),
    close: async () => {
      await Promise.all(ok.map((s) => s.close()));
    },
  };
}
