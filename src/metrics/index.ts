import type { MetricsConfig } from '../config/index.js';
import type { Logger } from '../logger.js';
import { createMetricsListener, type MetricsListener } from './listener.js';
import { createMetricsRegistry, type MetricsSources } from './registry.js';

export type { MetricsListener } from './listener.js';
export type { MetricsSources } from './registry.js';

/** The metrics listener of `config`, serving what `sources` report when scraped. */
export function createMetrics(config: MetricsConfig, sources: MetricsSources, logger: Logger): MetricsListener {
  return createMetricsListener(config, createMetricsRegistry(sources), logger);
}
