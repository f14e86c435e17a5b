import { describe, expect, it } from 'vitest';
import { createMetricsRegistry, type MetricsSources } from './registry.js';

const sources: MetricsSources = {
  upstreams: () => new Map(),
  policyStats: () => ({}),
  version: () => 'v1',
  reloads: () => ({ succeeded: 0, failed: 0 }) as never,
};

describe('metrics registry', () => {
  it('shares one set of process metrics between gateways, and drops a gateway\'s own on close', async () => {
    const first = createMetricsRegistry(sources);
    const second = createMetricsRegistry(sources);
    const processMetric = (registry: typeof first) => registry.registry.getSingleMetric('process_cpu_user_seconds_total');
    // prom-client's process metrics watch GC and the event loop for good: collected once per process.
    expect(processMetric(first)).toBeDefined();
    expect(processMetric(first)).toBe(processMetric(second));
    expect(first.registry.getSingleMetric('junction_upstream_requests_total')).toBeDefined();
    first.close();
    expect(first.registry.getSingleMetric('junction_upstream_requests_total')).toBeUndefined();
    expect(await second.registry.metrics()).toContain('process_cpu_user_seconds_total');
    second.close();
  });
});
