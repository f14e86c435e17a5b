import type { Registry } from 'prom-client';
import { takesTraffic } from '../readiness.js';
import type { BreakerState, Upstream, UpstreamStats } from '../upstream/index.js';
import { scrapedCounter, scrapedGauge, type Sample } from './scraped.js';

type Upstreams = () => ReadonlyMap<string, Upstream>;

/** Each `UpstreamStats` counter and the metric it is served as. */
export const UPSTREAM_COUNTERS: readonly { stat: keyof UpstreamStats; name: string; help: string }[] = [
  { stat: 'requests', name: 'junction_upstream_requests_total', help: 'Calls to the upstream (GraphQL and OpenAPI sources, REST routes), each counted once however many attempts it took.' },
  { stat: 'attempts', name: 'junction_upstream_attempts_total', help: 'Attempts that reached a target of the upstream: first tries and retries.' },
  { stat: 'retries', name: 'junction_upstream_retries_total', help: 'Retries made.' },
  { stat: 'retriesDenied', name: 'junction_upstream_retries_denied_total', help: 'Retries wanted but refused by the retry budget.' },
  { stat: 'failures', name: 'junction_upstream_failures_total', help: 'Attempts that failed: connect error, reset, timeout or 5xx.' },
  { stat: 'shortCircuited', name: 'junction_upstream_short_circuited_total', help: 'Calls failed fast by the open circuit breaker, with no network call.' },
  { stat: 'breakerOpens', name: 'junction_upstream_breaker_opens_total', help: 'Times the circuit breaker opened.' },
];

const BREAKER_STATES: readonly BreakerState[] = ['closed', 'open', 'half-open'];

/** Counters, breaker state and targets of the upstreams `upstreams()` returns (the runtime serving now). */
export function registerUpstreamMetrics(registry: Registry, upstreams: Upstreams): void {
  for (const counter of UPSTREAM_COUNTERS) {
    scrapedCounter(registry, {
      ...counter,
      labelNames: ['upstream'],
      samples: () => perUpstream(upstreams, (upstream) => upstream.stats()[counter.stat]),
    });
  }
  scrapedGauge(registry, {
    name: 'junction_upstream_breaker_state',
    help: 'State of the upstream\'s circuit breaker: 1 for the state it is in, 0 for the others (always closed when the breaker is off).',
    labelNames: ['upstream', 'state'],
    samples: () => [...upstreams().values()].flatMap((upstream) => {
      const { state } = upstream.breaker();
      return BREAKER_STATES.map((each): Sample<'upstream' | 'state'> => [{ upstream: upstream.name, state: each }, each === state ? 1 : 0]);
    }),
  });
  scrapedGauge(registry, {
    name: 'junction_upstream_targets',
    help: 'Targets (URLs) of the upstream.',
    labelNames: ['upstream'],
    samples: () => perUpstream(upstreams, (upstream) => upstream.targets().length),
  });
  scrapedGauge(registry, {
    name: 'junction_upstream_targets_available',
    help: 'Targets of the upstream taking traffic: passing health checks and not ejected.',
    labelNames: ['upstream'],
    samples: () => perUpstream(upstreams, (upstream) => upstream.targets().filter(takesTraffic).length),
  });
}

function perUpstream(upstreams: Upstreams, value: (upstream: Upstream) => number): Sample<'upstream'>[] {
  return [...upstreams().values()].map((upstream) => [{ upstream: upstream.name }, value(upstream)]);
}
