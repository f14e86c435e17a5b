import { collectDefaultMetrics, Registry } from 'prom-client';
import type { PolicyCounters } from '../../directives/index.js';
import type { RequestStats } from '../http/request-stats.js';
import type { Upstream } from '../upstream/index.js';
import { registerConfigMetrics, type ConfigState } from './config-metrics.js';
import { registerPolicyMetrics } from './policy-metrics.js';
import { registerRequestMetrics } from './request-metrics.js';
import { registerUpstreamMetrics } from './upstream-metrics.js';

/** Where the metrics are read from when scraped: always the runtime serving now. */
export interface MetricsSources extends ConfigState {
  upstreams(): ReadonlyMap<string, Upstream>;
  policyStats(): Readonly<Record<string, PolicyCounters>>;
  /** What the public listener has answered since the gateway started (kept across reloads). */
  requests: RequestStats;
}

export interface MetricsRegistry {
  /** What the endpoint serves: the process metrics and this gateway's. */
  readonly registry: Registry;
  /** Drops this gateway's metrics, so that nothing the process keeps refers to its runtime. */
  close(): void;
}

/**
 * Node's process metrics, collected once per process: prom-client watches garbage collections
 * and samples the event loop for them, and never stops. Per gateway, they would keep every
 * closed gateway alive.
 */
let processRegistry: Registry | undefined;

function processMetrics(): Registry {
  if (processRegistry === undefined) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
  }
  return processRegistry;
}

/**
 * The gateway's metrics in a registry of its own (never prom-client's global one, which any
 * other library in the process could write to): the process metrics, and the gateway's
 * counters read from their stats objects at scrape time.
 */
export function createMetricsRegistry(sources: MetricsSources): MetricsRegistry {
  const own = new Registry();
  registerRequestMetrics(own, sources.requests);
  registerUpstreamMetrics(own, sources.upstreams);
  registerPolicyMetrics(own, sources.policyStats);
  registerConfigMetrics(own, sources);
  const registry = Registry.merge([processMetrics(), own]);
  return {
    registry,
    close() {
      own.clear();
      // The merged registry holds the process metrics too: removing them from it leaves them running for the next gateway.
      registry.clear();
    },
  };
}
