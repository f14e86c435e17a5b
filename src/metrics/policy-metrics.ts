import type { Registry } from 'prom-client';
import type { PolicyCounters } from '../../directives/index.js';
import type { CacheBypassStats } from '../stores/cache-redis-bypass.js';
import type { FailoverStats } from '../stores/rate-limit-failover.js';
import { scrapedCounter } from './scraped.js';

type PolicyStats = () => Readonly<Record<string, PolicyCounters>>;

interface PolicyCounter {
  policy: string;
  stat: string;
  name: string;
  help: string;
}

const rateLimit = (stat: keyof FailoverStats, name: string, help: string): PolicyCounter => ({ policy: 'rateLimit', stat, name, help });
const cache = (stat: keyof CacheBypassStats, name: string, help: string): PolicyCounter => ({ policy: 'cache', stat, name, help });

/** The policies' store counters and the metrics they are served as; zero while a policy or its Redis store is not in use. */
export const POLICY_COUNTERS: readonly PolicyCounter[] = [
  rateLimit('fallbacks', 'junction_rate_limit_store_fallbacks_total', 'Rate-limit checks answered by the local limiter because Redis failed or was not connected (failMode: open).'),
  rateLimit('refusals', 'junction_rate_limit_store_refusals_total', 'Rate-limited requests refused with 503 because Redis failed or was not connected (failMode: closed).'),
  rateLimit('failures', 'junction_rate_limit_store_failures_total', 'Rate-limit calls to Redis that failed or timed out.'),
  cache('bypassed', 'junction_cache_store_bypassed_total', 'Cache calls answered without Redis (a miss, a dropped write): not connected, or skipping it after a failure.'),
  cache('failures', 'junction_cache_store_failures_total', 'Cache commands to Redis that failed or timed out.'),
];

/** The counters of the policies `stats()` returns (the runtime serving now). */
export function registerPolicyMetrics(registry: Registry, stats: PolicyStats): void {
  for (const counter of POLICY_COUNTERS) {
    scrapedCounter(registry, {
      name: counter.name,
      help: counter.help,
      labelNames: [],
      samples: () => [[{}, stats()[counter.policy]?.[counter.stat] ?? 0]],
    });
  }
}
