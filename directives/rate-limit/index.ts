import type { Redis } from 'ioredis';
import type { RateLimitConfig, RateLimitRuleConfig } from '../../src/config/rate-limit.js';
import type { RedisConfig } from '../../src/config/redis.js';
import { createForwardedResolver } from '../../src/http/passthrough/forwarded.js';
import type { FailoverStats } from '../../src/stores/rate-limit-failover.js';
import type { PolicyDeps, PolicyModule } from '../policy.js';
import { parseRateLimitArgs } from './args.js';
import type { DeniedField } from './analyse.js';
import { createChargePlanner } from './charges.js';
import { collectFieldRules } from './field-rules.js';
import { rateLimitFastPath } from './fast-path.js';
import { createLimiter } from './limiter.js';
import { useRateLimit } from './plugin.js';
import { createRouteGuard, routeCallerNeed } from './route.js';
import { buildRateLimitStore } from './store.js';
import { rateLimitTypeDefs } from './type-defs.js';

export { parseRateLimitArgs } from './args.js';
export { rateLimitTypeDefs } from './type-defs.js';

/** The parts of the gateway config rate limiting reads (a whole `JunctionConfig` fits). */
export interface RateLimitPolicyConfig {
  rateLimit: RateLimitConfig;
  redis?: RedisConfig | undefined;
  /** `server.trustedProxies`: hops whose `X-Forwarded-For` is believed for `by: ip`. Default none. */
  server?: { trustedProxies?: readonly string[] };
}

export interface RateLimitPolicyDeps extends PolicyDeps {
  /** A Redis client to share; otherwise one is created from `redis:` when `store: redis`. */
  redis?: Redis;
}

export interface RateLimitPolicy extends PolicyModule<RateLimitRuleConfig> {
  /** Checks answered by the local limiter (Redis failing, `failMode: open`) or refused (`closed`). */
  stats(): FailoverStats;
}

/**
 * Rate limiting as a policy module: `@rateLimit` / `rateLimit.fields` on GraphQL fields, the
 * `operations` rule and usage plans on every operation, `policies.rateLimit` on REST routes and
 * usage plans on every route; one store (memory, or Redis with the local fallback) for all of them.
 */
export function createRateLimitPolicy(config: RateLimitPolicyConfig, deps: RateLimitPolicyDeps): RateLimitPolicy {
  const built = buildRateLimitStore(config.rateLimit, config.redis, deps);
  const limiter = createLimiter(config.rateLimit, built.store);
  const forwarded = createForwardedResolver(config.server?.trustedProxies ?? []);
  const clientIp = (req: Parameters<typeof forwarded.clientIp>[0] | undefined): string => (req === undefined ? '' : forwarded.clientIp(req));
  const chargesOf = createChargePlanner(config.rateLimit, deps.logger);
  const routeOptions = { limiter, headersOnSuccess: config.rateLimit.headersOnSuccess, clientIp };
  const plans = Object.keys(config.rateLimit.plans).length > 0;
  return {
    name: 'rateLimit',
    typeDefs: rateLimitTypeDefs,
    parseArgs: parseRateLimitArgs,
    transform(schema, build) {
      // Rules are collected per served schema when first needed; this only fails a bad config early.
      collectFieldRules(schema, config.rateLimit.fields, deps.logger, build);
      return schema;
    },
    plugins: () => [useRateLimit({ config: config.rateLimit, limiter, chargesOf, clientIp })],
    route: (args) => createRouteGuard(args, routeOptions),
    routeCaller: (args) => routeCallerNeed(args, plans),
    routeDefault: () => (plans ? createRouteGuard(undefined, routeOptions) : undefined),
    routeOperation(args, { schema, document, operationName }) {
      const fieldCharges = (deniedField: DeniedField | undefined) => chargesOf(schema, document, operationName, deniedField);
      if (args === undefined && !plans && fieldCharges(undefined).length === 0) return undefined;
      return createRouteGuard(args, routeOptions, fieldCharges);
    },
    fastPath: rateLimitFastPath(config.rateLimit, { limiter, chargesOf, clientIp }),
    stats: built.stats,
    close: built.close,
  };
}
