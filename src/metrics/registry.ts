import { collectDefaultMetrics, Registry } from 'prom-client';
import type { PolicyCounters } from '../../directives/index.js';
import type { Upstream } from '../upstream/index.js';
import { registerConfigMetrics, type ConfigState } from './config-metrics.js';
import { registerPolicyMetrics } from './policy-metrics.js';
import { registerUpstreamMetrics } from './upstream-metrics.js';

/** Where the metrics are read from when scraped: always the runtime serving now. */
export interface MetricsSources extends ConfigState {
  upstreams(): ReadonlyMap<string, Upstream>;
  policyStats(): Readonly<Record<string, PolicyCounters>>;
}

/**
 * The gateway's metrics in a registry of its own (never prom-client's global one, which any
 * other library in the process could write to): Node's process metrics, and the gateway's
 * counters read from their stats objects at scrape time.
 */
export function createMetricsRegistry(sources: MetricsSources): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  registerUpstreamMetrics(registry, sources.upstreams);
  registerPolicyMetrics(registry, sources.policyStats);
  registerConfigMetrics(registry, sources);
  return registry;
}
