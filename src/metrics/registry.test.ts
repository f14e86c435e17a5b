import { describe, expect, it } from 'vitest';
import { createRequestStats } from '../http/request-stats.js';
import { createMetricsRegistry, type MetricsSources } from './registry.js';

const sources: MetricsSources = {
  upstreams: () => new Map(),
  policyStats: () => ({}),
  version: () => 'v1',
  reloads: () => ({ succeeded: 0, failed: 0 }) as never,
  requests: createRequestStats(),
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

  it('renders the responses per route and status, and a cumulative duration histogram per route', async () => {
    const requests = createRequestStats();
    const metrics = createMetricsRegistry({ ...sources, requests });
    requests.record('/graphql', 200, 0.002);
    requests.record('/graphql', 200, 0.03);
    requests.record('/graphql', 429, 0.001);
    requests.record('orders', 502, 12);
    const text = await metrics.registry.metrics();
    metrics.close();
    expect(text).toContain('junction_http_requests_total{route="/graphql",code="200"} 2');
    expect(text).toContain('junction_http_requests_total{route="/graphql",code="429"} 1');
    expect(text).toContain('junction_http_requests_total{route="orders",code="502"} 1');
    expect(text).toContain('# TYPE junction_http_request_duration_seconds histogram');
    expect(text).toContain('junction_http_request_duration_seconds_bucket{route="/graphql",le="0.005"} 2');
    expect(text).toContain('junction_http_request_duration_seconds_bucket{route="/graphql",le="0.025"} 2');
    expect(text).toContain('junction_http_request_duration_seconds_bucket{route="/graphql",le="0.05"} 3');
    expect(text).toContain('junction_http_request_duration_seconds_bucket{route="/graphql",le="+Inf"} 3');
    expect(text).toContain('junction_http_request_duration_seconds_count{route="/graphql"} 3');
    expect(text).toMatch(/junction_http_request_duration_seconds_sum\{route="\/graphql"\} 0\.033/);
    // Slower than the last bound: only in +Inf.
    expect(text).toContain('junction_http_request_duration_seconds_bucket{route="orders",le="10"} 0');
    expect(text).toContain('junction_http_request_duration_seconds_bucket{route="orders",le="+Inf"} 1');
  });
});
