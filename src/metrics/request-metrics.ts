import type { Metric, Registry } from 'prom-client';
import { DURATION_BUCKETS, type RequestStats } from '../http/request-stats.js';
import { scrapedCounter } from './scraped.js';

const DURATION = 'junction_http_request_duration_seconds';

/**
 * Responses of the public listener by route and status, and their duration, read from the HTTP
 * server's counts when scraped. A route is a REST route's name, the gateway's own endpoints by
 * path (`/graphql`, `/healthz`), or `unmatched`.
 */
export function registerRequestMetrics(registry: Registry, stats: RequestStats): void {
  scrapedCounter(registry, {
    name: 'junction_http_requests_total',
    help: 'Responses of the public listener by route and status; 499: the client closed the connection before the response ended.',
    labelNames: ['route', 'code'],
    samples: () => [...stats.routes()].flatMap((each) => [...each.statuses].map(([code, count]) => [{ route: each.route, code: String(code) }, count] as const)),
  });
  registry.registerMetric(durationHistogram(stats));
}

/** A histogram whose buckets are the counts kept per route (prom-client's own would need a label lookup per observation). */
function durationHistogram(stats: RequestStats): Metric {
  const histogram = {
    name: DURATION,
    help: 'Time from the request\'s arrival to the end of its response, by route.',
    type: 'histogram',
    aggregator: 'sum',
    get() {
      const values: { metricName: string; labels: Record<string, string | number>; value: number }[] = [];
      for (const each of stats.routes()) {
        let cumulative = 0;
        DURATION_BUCKETS.forEach((bound, index) => {
          cumulative += each.buckets[index]!;
          values.push({ metricName: `${DURATION}_bucket`, labels: { route: each.route, le: bound }, value: cumulative });
        });
        values.push({ metricName: `${DURATION}_bucket`, labels: { route: each.route, le: '+Inf' }, value: each.count });
        values.push({ metricName: `${DURATION}_sum`, labels: { route: each.route }, value: each.seconds });
        values.push({ metricName: `${DURATION}_count`, labels: { route: each.route }, value: each.count });
      }
      return Promise.resolve({ name: DURATION, help: histogram.help, type: 'histogram', values, aggregator: 'sum' });
    },
    reset() {},
  };
  return histogram as unknown as Metric;
}
