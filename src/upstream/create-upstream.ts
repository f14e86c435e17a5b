import type { UpstreamConfig } from '../config/index.js';
import { failureLabel } from './classify-error.js';
import { createPoolFetch } from './pool-fetch.js';
import type { Upstream, UpstreamFetch, UpstreamHealth, UpstreamWrapper } from './types.js';

export interface UpstreamDeps {
  /** Clock for health timestamps. Default `Date.now`. */
  now?: () => number;
  /** Layers applied around the pool, outermost first (breaker, retry, ...). */
  wrappers?: UpstreamWrapper[];
}

/** Builds the one `Upstream` object of a named backend. */
export function createUpstream(name: string, config: UpstreamConfig, deps: UpstreamDeps = {}): Upstream {
  const now = deps.now ?? Date.now;
  const pool = createPoolFetch(name, config);
  const health: UpstreamHealth = { reachable: undefined, checkedAt: undefined, lastError: undefined };

  const tracked: UpstreamFetch = async function trackedFetch(request) {
    try {
      const response = await pool.fetch(request);
      markReachable();
      return response;
    } catch (error) {
      if (!request.signal?.aborted) markFailed(error);
      throw error;
    }
  };
  const request = (deps.wrappers ?? []).reduceRight<UpstreamFetch>((next, wrap) => wrap(next), tracked);

  function markReachable(): void {
    health.reachable = true;
    health.checkedAt = now();
    health.lastError = undefined;
  }

  function markFailed(error: unknown): void {
    health.reachable = false;
    health.checkedAt = now();
    health.lastError = failureLabel(error);
  }

  async function probe(timeoutMs: number): Promise<UpstreamHealth> {
    try {
      const response = await pool.fetch({ method: 'GET', path: '/', headers: {}, signal: AbortSignal.timeout(timeoutMs) });
      await response.body.dump();
      markReachable();
    } catch (error) {
      markFailed(error);
    }
    return { ...health };
  }

  return {
    name,
    config,
    request,
    health: () => ({ ...health }),
    probe,
    close: () => pool.close(),
  };
}
