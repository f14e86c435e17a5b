import type { IncomingMessage } from 'node:http';
import type { RateLimitRuleConfig } from '../../src/config/rate-limit.js';
import type { RouteGuard, RouteRequest } from '../policy.js';
import { compileRule, type RateLimitRule } from './args.js';
import type { Caller } from './caller.js';
import { rateLimitHeaders, type Limiter } from './limiter.js';

export interface RouteAdapterOptions {
  limiter: Limiter;
  headersOnSuccess: boolean;
  clientIp: (req: IncomingMessage | undefined) => string;
}

/**
 * The same rule on a REST route, from its `policies.rateLimit` block: one unit (times `cost`) per
 * request, plus the caller's usage plan. Refused: throws 429 RATE_LIMITED with `Retry-After` and
 * `RateLimit-*` headers (the route sends the error); allowed: `RateLimit-*` on the response.
 * The rule is keyed by route name (routes are declared in config, so the map is bounded), and
 * `by: route` is one budget for the whole route.
 */
export function createRouteGuard(args: RateLimitRuleConfig, options: RouteAdapterOptions): RouteGuard {
  const rules = new Map<string, RateLimitRule>();
  return async function rateLimitRoute(request: RouteRequest) {
    let rule = rules.get(request.routeName);
    if (rule === undefined) {
      rule = compileRule(`route:${request.routeName}`, args);
      rules.set(request.routeName, rule);
    }
    const caller: Caller = {
      principal: request.state.principal,
      clientIp: request.state.clientIp || options.clientIp(request.req),
      header: (name) => headerValue(request.req, name),
    };
    const result = await options.limiter.check(caller, [{ rule, units: 1 }], 1);
    if (result !== undefined && options.headersOnSuccess) Object.assign(request.state.responseHeaders, rateLimitHeaders(result));
  };
}

function headerValue(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}
