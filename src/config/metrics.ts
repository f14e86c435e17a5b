import { z } from 'zod';

/**
 * Prometheus metrics (docs/operations.md#metrics), served on a listener of their own, never on
 * the public one. Off by default; when on, bound to loopback unless `host` says otherwise.
 * Fixed at start: a reload that changes this block takes effect on restart.
 */
export const metricsSchema = z
  .strictObject({
    /** Serve the metrics endpoint. Default false. */
    enabled: z.boolean().default(false),
    /** Address of the metrics listener. Default `127.0.0.1`: reachable from this host only. */
    host: z.string().min(1).default('127.0.0.1'),
    /** Port of the metrics listener; must differ from `server.port`. Default 9090. */
    port: z.number().int().min(0).max(65535).default(9090),
    /** Path of the metrics endpoint. Default `/metrics`. */
    path: z.string().startsWith('/').default('/metrics'),
  })
  .prefault({});

export type MetricsConfig = z.output<typeof metricsSchema>;
