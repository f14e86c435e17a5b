import type { MetricsConfig } from '../config/index.js';
import type { Logger } from '../logger.js';
import { createMetricsListener, type MetricsListener } from './listener.js';
import { createMetricsRegistry, type MetricsSources } from './registry.js';

export type { MetricsListener } from './listener.js';
export type { MetricsSources } from './registry.js';

export interface GatewayMetrics extends MetricsListener {
  /** Closes the listener and drops the gateway's metrics for good (the gateway is closing). */
  dispose(): Promise<void>;
}

/** The metrics listener of `config`, serving what `sources` report when scraped. */
export function createMetrics(config: MetricsConfig, sources: MetricsSources, logger: Logger): GatewayMetrics {
  const metrics = createMetricsRegistry(sources);
  const listener = createMetricsListener(config, metrics.registry, logger);
  return {
    ...listener,
    async dispose() {
      await listener.close();
      metrics.close();
    },
  };
}
