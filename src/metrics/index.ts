export { createMetricsListener, type MetricsListener } from './listener.js';
export { createMetricsRegistry, type MetricsSources } from './registry.js';
