import type { IncomingMessage } from 'node:http';
import type { RateLimitRuleConfig } from '../../src/config/rate-limit.js';
import type { CallerNeed, RouteGuard, RouteRequest } from '../policy.js';
import type { DeniedField } from './analyse.js';
import { compileRule } from './args.js';
import type { Caller } from './caller.js';
import { rateLimitHeaders, type Charge, type Limiter } from './limiter.js';

export interface RouteAdapterOptions {
  limiter: Limiter;
  headersOnSuccess: boolean;
  clientIp: (req: IncomingMessage | undefined) => string;
}

/**
 * The same rule on a REST route, from its `policies.rateLimit` block: one unit (times `cost`) per
 * request, plus the caller's usage plan; without a block (`undefined`), the usage plan alone.
 * Refused: throws 429 RATE_LIMITED with `Retry-After` and `RateLimit-*` headers (the route sends
 * the error); allowed: `RateLimit-*` on the response. The rule is keyed by route name (routes are
 * declared in config, so the map is bounded), and `by: route` is one budget for the whole route.
 */
export function createRouteGuard(
  args: RateLimitRuleConfig | undefined,
  options: RouteAdapterOptions,
  /** An aggregation route's field charges (the operation's, given the root fields auth denied): spent in the same check. */
  operationCharges?: (deniedField: DeniedField | undefined) => readonly Charge[],
): RouteGuard {
  const chargesByRoute = new Map<string, Charge[]>();
  return async function rateLimitRoute(request: RouteRequest) {
    let charges = chargesByRoute.get(request.routeName);
    if (charges === undefined) {
      charges = args === undefined ? [] : [{ rule: compileRule(`route:${request.routeName}`, args), units: 1 }];
      chargesByRoute.set(request.routeName, charges);
    }
    const caller: Caller = {
      principal: request.state.principal,
      clientIp: request.state.clientIp || options.clientIp(request.req),
      header: (name) => headerValue(request.req, name),
    };
    const spent = operationCharges === undefined ? charges : [...charges, ...operationCharges(request.state.deniedField)];
    const result = await options.limiter.check(caller, spent, 1);
    if (result !== undefined && options.headersOnSuccess) Object.assign(request.state.responseHeaders, rateLimitHeaders(result));
  };
}

/**
 * What a route's limit needs to know of the caller: any principal for a budget per consumer or
 * subject; the API-key consumer for `by: apiKey` and for usage plans (only API-key consumers
 * have one), which apply on every route when plans are configured.
 */
export function routeCallerNeed(args: RateLimitRuleConfig | undefined, plans: boolean): CallerNeed {
  if (args?.by === 'consumer' || args?.by === 'subject') return 'any';
  return args?.by === 'apiKey' || plans ? 'apiKey' : 'none';
}

function headerValue(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}
