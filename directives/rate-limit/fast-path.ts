import type { IncomingMessage } from 'node:http';
import type { RateLimitConfig } from '../../src/config/rate-limit.js';
import { JunctionError } from '../../src/errors.js';
import { NO_STEP, type FastPathPolicy, type FastPathStep } from '../policy.js';
import type { Caller } from './caller.js';
import type { ChargePlanner } from './charges.js';
import { rateLimitHeaders, type Limiter } from './limiter.js';

export interface RateLimitFastPathOptions {
  limiter: Limiter;
  chargesOf: ChargePlanner;
  clientIp: (req: IncomingMessage | undefined) => string;
}

/**
 * Rate limiting on the fast path: the same charges as the plugin, spent through the same limiter;
 * a refusal answers 429 RATE_LIMITED from here. Auth's step hands a request denied any field to
 * the pipeline, so `deniedField` is normally unset here; were it set, the same root fields are left out. No step at all for an operation no rule counts
 * when there are no usage plans.
 */
export function rateLimitFastPath(config: RateLimitConfig, options: RateLimitFastPathOptions): FastPathPolicy {
  const { limiter, chargesOf, clientIp } = options;
  const plans = Object.keys(config.plans).length > 0;
  return {
    document(schema, document, operationName) {
      const charges = chargesOf(schema, document, operationName);
      if (charges.length === 0 && !plans) return NO_STEP;
      return function rateLimitStep({ req, headers, state }): ReturnType<FastPathStep> {
        const caller: Caller = { principal: state.principal, clientIp: clientIp(req), header: (name) => headers.get(name) ?? undefined };
        const spent = state.deniedField === undefined ? charges : chargesOf(schema, document, operationName, state.deniedField);
        if (spent.length === 0 && limiter.planRule(caller) === undefined) return undefined;
        return limiter.check(caller, spent, 1).then(
          (result) => {
            if (result !== undefined && config.headersOnSuccess) Object.assign(state.responseHeaders, rateLimitHeaders(result));
            return undefined;
          },
          (error: unknown) => {
            if (error instanceof JunctionError) return { refuse: error };
            throw error;
          },
        );
      };
    },
  };
}
