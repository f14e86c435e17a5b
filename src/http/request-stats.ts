/** Upper bounds, in seconds, of the request duration histogram's buckets (Prometheus' defaults). */
export const DURATION_BUCKETS: readonly number[] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * The route label of a request no route took (404, 405, a path refused before routing). REST
 * routes are labelled by their name, the gateway's own endpoints by their path; no route name
 * can hold parentheses, so none is counted as this.
 */
export const UNMATCHED_ROUTE = '(unmatched)';

/**
 * The status counted for a response whose connection closed before its status line was sent
 * (the client left, or the shutdown grace ran out), as nginx logs it. A response cut short after
 * its head counts under the status it sent.
 */
export const CLIENT_CLOSED_STATUS = 499;

/** What one route has served since the gateway started. */
export interface RouteRequests {
  readonly route: string;
  /** Responses by status code. */
  readonly statuses: ReadonlyMap<number, number>;
  /** Responses per duration bucket, not cumulative; one slot per bound of `DURATION_BUCKETS`, then one for slower. */
  readonly buckets: Float64Array;
  /** Seconds, summed over every response. */
  readonly seconds: number;
  readonly count: number;
}

/**
 * Counts of the responses the HTTP server sent, per route: a few integer increments per response,
 * turned into metrics only when scraped.
 */
export interface RequestStats {
  record(route: string, status: number, seconds: number): void;
  routes(): Iterable<RouteRequests>;
}

interface MutableRouteRequests {
  route: string;
  statuses: Map<number, number>;
  buckets: Float64Array;
  seconds: number;
  count: number;
}

export function createRequestStats(): RequestStats {
  const byRoute = new Map<string, MutableRouteRequests>();
  return {
    record(route, status, seconds) {
      let stats = byRoute.get(route);
      if (stats === undefined) {
        stats = { route, statuses: new Map(), buckets: new Float64Array(DURATION_BUCKETS.length + 1), seconds: 0, count: 0 };
        byRoute.set(route, stats);
      }
      stats.statuses.set(status, (stats.statuses.get(status) ?? 0) + 1);
      stats.buckets[bucketOf(seconds)]!++;
      stats.seconds += seconds;
      stats.count++;
    },
    routes: () => byRoute.values(),
  };
}

/**
 * Counts one WebSocket handshake under `route` once it is answered: `101` when the tunnel opened,
 * the status of a refusal otherwise. Its duration is the handshake's, not the tunnel's: a tunnel
 * may stay open for hours, beyond any bucket.
 */
export function handshakeCounter(stats: RequestStats | undefined, route: string): (status: number) => void {
  if (stats === undefined) return () => {};
  const startedAt = performance.now();
  let counted = false;
  return (status) => {
    if (counted) return;
    counted = true;
    stats.record(route, status, (performance.now() - startedAt) / 1000);
  };
}

function bucketOf(seconds: number): number {
  let index = 0;
  while (index < DURATION_BUCKETS.length && seconds > DURATION_BUCKETS[index]!) index++;
  return index;
}
