import { CircuitOpenError } from '../errors.js';
import type { CircuitBreaker } from './circuit-breaker.js';
import { outcomeOfError, outcomeOfStatus } from './outcome.js';
import type { UpstreamStats, UpstreamWrapper } from './types.js';

/**
 * Guards every attempt with the upstream's breaker: when it is open the call fails at once with
 * `UPSTREAM_CIRCUIT_OPEN` and a `Retry-After`, without touching the network.
 */
export function createBreakerWrapper(name: string, breaker: CircuitBreaker, stats: UpstreamStats): UpstreamWrapper {
  return (next) =>
    async function guarded(request) {
      const permit = breaker.acquire();
      if (permit === undefined) {
        stats.shortCircuited += 1;
        throw new CircuitOpenError(name, breaker.retryAfterSeconds());
      }
      try {
        const response = await next(request);
        permit.done(outcomeOfStatus(response.statusCode));
        return response;
      } catch (error) {
        permit.done(outcomeOfError(error));
        throw error;
      }
    };
}
