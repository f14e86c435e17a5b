import { z } from 'zod';
import { headerName } from './primitives.js';

/**
 * Config of rate limiting (`rateLimit:`): the counter store, what happens when Redis fails, limits
 * on GraphQL fields by schema coordinate, on every GraphQL operation, and usage plans for API-key
 * consumers. REST routes take the same rule in their `policies.rateLimit` block, and `@rateLimit`
 * in SDL takes the same arguments. Referenced from `configSchema` in ./schema.ts.
 */

const count = z.number().int().positive();

/** What a rule counts by. Without the identity it needs (no principal, no API-key consumer, no header), a rule counts by client IP. */
export const RATE_LIMIT_BY = ['consumer', 'subject', 'apiKey', 'ip', 'header', 'route', 'field'] as const;
export type RateLimitBy = (typeof RATE_LIMIT_BY)[number];

export const rateLimitRuleSchema = z
  .strictObject({
    /** Most units per second (epoch-aligned fixed window). */
    second: count.optional(),
    /** Most units per minute. */
    minute: count.optional(),
    /** Most units per hour. */
    hour: count.optional(),
    /** Most units per UTC day. */
    day: count.optional(),
    /** Most units per UTC calendar month. */
    month: count.optional(),
    /**
     * Whose budget: `consumer`/`subject` (the authenticated principal), `apiKey` (the consumer of
     * the API key auth verified), `ip` (client IP after trusted proxy hops), `header` (the value of
     * `header`), `route`/`field` (one budget shared by every caller). Default `ip`.
     */
    by: z.enum(RATE_LIMIT_BY).default('ip'),
    /** Request header whose value is the key, when `by: header`. */
    header: headerName.optional(),
    /** Units spent per occurrence: each alias of a limited field, each operation of a batch. Default 1. */
    cost: count.default(1),
  })
  .refine((rule) => [rule.second, rule.minute, rule.hour, rule.day, rule.month].some((limit) => limit !== undefined), {
    message: 'give at least one of second, minute, hour, day, month',
  })
  .refine((rule) => (rule.by === 'header') === (rule.header !== undefined), {
    message: '"header" is required with "by: header" and only allowed with it',
    path: ['header'],
  })
  .refine((rule) => [rule.second, rule.minute, rule.hour, rule.day, rule.month].every((limit) => limit === undefined || rule.cost <= limit), {
    message: '"cost" is over a window\'s limit: no request could ever be allowed',
    path: ['cost'],
  });

export const usagePlanSchema = z
  .strictObject({
    /** Request rate of each consumer of the plan, e.g. `{ second: 10 }`. Default none. */
    throttle: z.strictObject({ second: count.optional(), minute: count.optional(), hour: count.optional() }).default({}),
    /** Requests per UTC day or calendar month for each consumer of the plan. Default none. */
    quota: z.strictObject({ day: count.optional(), month: count.optional() }).default({}),
  })
  .refine((plan) => Object.keys(plan.throttle).length + Object.keys(plan.quota).length > 0, {
    message: 'a plan needs a throttle or a quota',
  });

const coordinate = z.string().regex(/^[A-Za-z_]\w*\.[A-Za-z_]\w*$/, 'must be a schema coordinate like "Query.products"');

export const rateLimitSchema = z
  .strictObject({
    /** Where counters live: `memory` (this process) or `redis` (shared by every replica; needs `redis:`). Default `memory`. */
    store: z.enum(['memory', 'redis']).default('memory'),
    /**
     * When Redis is down or slow: `open` counts in local memory meanwhile (logged and counted);
     * `closed` refuses limited requests with 503 SERVICE_UNAVAILABLE. Default `open`.
     */
    failMode: z.enum(['open', 'closed']).default('open'),
    /** After a failed Redis call, use the fallback for this long before trying Redis again. Default 1000 ms. */
    retryRedisAfterMs: z.number().int().nonnegative().default(1_000),
    /** Most keys of the memory store (and of the local fallback); least recently used go first. Default 100 000. */
    maxMemoryKeys: z.number().int().positive().default(100_000),
    /**
     * Not read any more, still accepted so existing configs load: `by: apiKey` counts by the
     * consumer of the key in `auth.apiKeys.header`, once verified, never by a header as sent.
     */
    apiKeyHeader: headerName.default('x-api-key'),
    /** Send `RateLimit-Limit/Remaining/Reset` on allowed responses too. Default true. */
    headersOnSuccess: z.boolean().default(true),
    /** Limits on GraphQL fields by schema coordinate, as `@rateLimit` would set them. Default none. */
    fields: z.record(coordinate, rateLimitRuleSchema).default({}),
    /** A limit on every GraphQL operation (each operation of a batch counts). Default none. */
    operations: rateLimitRuleSchema.optional(),
    /** Usage plans by name; an API-key consumer's principal names its plan. Default none. */
    plans: z.record(z.string().min(1), usagePlanSchema).default({}),
  })
  .prefault({});

export type RateLimitRuleConfig = z.output<typeof rateLimitRuleSchema>;
export type RateLimitRuleInput = z.input<typeof rateLimitRuleSchema>;
export type UsagePlanConfig = z.output<typeof usagePlanSchema>;
export type RateLimitConfig = z.output<typeof rateLimitSchema>;
