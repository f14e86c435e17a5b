import { z } from 'zod';
import { headerName, httpUrl } from './primitives.js';
import { authSchema } from './auth.js';
import { cacheSchema } from './cache.js';
import { rateLimitSchema } from './rate-limit.js';
import { redisSchema } from './redis.js';
import { metricsSchema } from './metrics.js';
import { introspectionSnapshotSchema, reloadSchema } from './reload.js';
import { fallbacksSchema } from './fallbacks.js';
import { apiDocsSchema, checkRouteReferences, routesSchema, trustedProxiesSchema } from './routes.js';
import { checkUpstreamTargets, upstreamResilienceShape } from './upstream-resilience.js';

/**
 * The one source of config types and defaults. Strict everywhere: an unknown key is an error,
 * so a typo never silently turns a setting off.
 */

const name = z.string().regex(/^[A-Za-z_][A-Za-z0-9_-]*$/, 'must be a name: letters, digits, "_" or "-"');

export const serverSchema = z
  .strictObject({
    /** Listening port. `PORT` in the environment overrides it. Default 4000. */
    port: z.number().int().min(0).max(65535).default(4000),
    /** Listening address. Default `0.0.0.0`. */
    host: z.string().default('0.0.0.0'),
    /** Largest request body accepted, in bytes; larger gets 413. Default 1 MiB. */
    maxBodyBytes: z.number().int().positive().default(1024 * 1024),
    /** Largest request header block, in bytes; larger gets 431. Default 16 KiB. */
    maxHeaderBytes: z.number().int().positive().default(16 * 1024),
    /** How long in-flight requests may finish after SIGTERM before sockets are closed. Default 10 s. */
    shutdownGraceMs: z.number().int().nonnegative().default(10_000),
    /** Keep-alive timeout for client connections. Default 5 s. */
    keepAliveTimeoutMs: z.number().int().positive().default(5_000),
    /** A request body from which no byte arrives for this long gets 408 and its connection closed (nginx's `client_body_timeout`). Default 60 s. */
    bodyIdleTimeoutMs: z.number().int().positive().default(60_000),
    /** Proxy hops (IPs or CIDR blocks) whose `X-Forwarded-*` and `Forwarded` headers are trusted. Default none. */
    trustedProxies: trustedProxiesSchema,
  })
  .prefault({});

export const graphqlLimitsSchema = z
  .strictObject({
    /** Deepest field nesting, fragments included. Default 12. */
    maxDepth: z.number().int().positive().default(12),
    /** Most aliases in one document. Default 30. */
    maxAliases: z.number().int().positive().default(30),
    /** Most lexical tokens in one document. Default 2000. */
    maxTokens: z.number().int().positive().default(2000),
    /** Most directives in one document. Default 50. */
    maxDirectives: z.number().int().positive().default(50),
    /** Most root fields in one operation. Default 20. */
    maxRootFields: z.number().int().positive().default(20),
  })
  .prefault({});

export const graphqlSchema = z
  .strictObject({
    /** Path of the GraphQL endpoint. Default `/graphql`. */
    path: z.string().startsWith('/').default('/graphql'),
    /**
     * `production` turns off introspection, field suggestions and GraphiQL unless set explicitly.
     * Default `development`.
     */
    mode: z.enum(['development', 'production']).default('development'),
    /** Allow introspection queries. Default: on in development, off in production. */
    introspection: z.boolean().optional(),
    /** Serve GraphiQL on GET of the endpoint from a browser. Default: as `introspection`. */
    graphiql: z.boolean().optional(),
    /** Include error details (stack, upstream messages) in responses. Never in production. Default false. */
    exposeErrorDetails: z.boolean().default(false),
    limits: graphqlLimitsSchema,
  })
  .prefault({});

export const upstreamSchema = z.strictObject({
  /** Base URL of the backend, e.g. `http://users:4001`. Path prefixes are kept. Required unless `targets` is given. */
  url: httpUrl.optional(),
  /** Time for one attempt, from sending to the last byte of the response head. Default 10 s. */
  timeoutMs: z.number().int().positive().default(10_000),
  /** Time to open a TCP (and TLS) connection. Default 2 s. */
  connectTimeoutMs: z.number().int().positive().default(2_000),
  /** Most open connections to this backend. Default 64. */
  connections: z.number().int().positive().default(64),
  /** Requests pipelined per connection. Default 1 (no pipelining). */
  pipelining: z.number().int().positive().default(1),
  /** Idle keep-alive time for connections to this backend. Default 4 s. */
  keepAliveTimeoutMs: z.number().int().positive().default(4_000),
  /** Static headers sent with every request (e.g. an API key for the backend). */
  headers: z.record(headerName, z.string()).default({}),
  /** Largest response body read for GraphQL/OpenAPI sources, in bytes. Default 16 MiB. */
  maxResponseBytes: z.number().int().positive().default(16 * 1024 * 1024),
  ...upstreamResilienceShape,
}).superRefine(checkUpstreamTargets, { when: () => true });

const sourceCommon = {
  /** Name used in logs, readiness and error extensions. */
  name,
  /** Key of `upstreams` whose pool, timeouts and breaker this source uses. */
  upstream: name,
  /** Client request headers forwarded to this upstream (case-insensitive). Default none. */
  forwardHeaders: z.array(headerName).default([]),
  /** Prefix every type and root field of this source (clash resolution). */
  prefix: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/).optional(),
  /** Rename types (`{ Old: New }`) of this source. */
  renameTypes: z.record(z.string(), z.string()).default({}),
  /** Rename root fields (`{ 'Query.old': 'new' }`) of this source. */
  renameFields: z.record(z.string(), z.string()).default({}),
};

export const graphqlSourceSchema = z.strictObject({
  ...sourceCommon,
  type: z.literal('graphql'),
  /** Path of the GraphQL endpoint on the upstream. Default `/graphql`. */
  path: z.string().startsWith('/').default('/graphql'),
  /**
   * Where the schema comes from: an SDL file (keeps applied directives; preferred) or
   * `introspection` (asks the upstream at start).
   */
  schema: z.union([z.strictObject({ file: z.string().min(1) }), z.literal('introspection'), introspectionSnapshotSchema]),
  /** Merge concurrent delegations of one request into one upstream call. Default true. */
  batch: z.boolean().default(true),
  /**
   * Pass the upstream's GraphQL error messages to clients. Default false: the path and code are
   * kept, the text is replaced, since it may carry internals.
   */
  forwardErrorMessages: z.boolean().default(false),
});

export const openapiSourceSchema = z.strictObject({
  ...sourceCommon,
  type: z.literal('openapi'),
  /** OpenAPI 3.0/3.1 document (JSON or YAML) describing the upstream. */
  spec: z.string().min(1),
});

export const sourceSchema = z.discriminatedUnion('type', [graphqlSourceSchema, openapiSourceSchema]);

export const linkSchema = z.strictObject({
  /** The field added to the composed schema, as `Type.field`. */
  field: z.string().regex(/^[A-Za-z_]\w*\.[A-Za-z_]\w*$/, 'must be a schema coordinate like "Review.author"'),
  /** Its GraphQL type, e.g. `User`, `[Review!]!`. */
  type: z.string().min(1),
  /** Field of the parent that holds the key. */
  from: z.string().min(1),
  to: z.strictObject({
    /** Source whose root query field resolves the link. */
    source: name,
    /** Root query field of that source (after its prefix/renames). */
    field: z.string().min(1),
    /** Argument of that field that takes the key (or the list of keys when `batch`). */
    argument: z.string().min(1),
    /** The field takes a list of keys and answers for all of them in one call. Default false. */
    batch: z.boolean().default(false),
    /**
     * Field of each result that holds its key, so results are matched to parents (batch only).
     * Without it, results are matched by position.
     */
    key: z.string().optional(),
  }),
  /** Description shown in the composed schema. */
  description: z.string().optional(),
});

export const configSchema = z
  .strictObject({
    server: serverSchema,
    graphql: graphqlSchema,
    upstreams: z.record(name, upstreamSchema).default({}),
    sources: z.array(sourceSchema).default([]),
    links: z.array(linkSchema).default([]),
    /** REST passthrough and aggregation routes (src/config/routes.ts). Default none. */
    routes: routesSchema,
    /** `GET /openapi.json` and Swagger UI at `/docs` for the routes. */
    apiDocs: apiDocsSchema,
    /** Gateway-owned SDL files (under `schema/`) added to the composed schema. */
    typeDefs: z.array(z.string()).default([]),
    /** Refuse to start when a source cannot be loaded. Default false (start degraded). */
    failFast: z.boolean().default(false),
    /** Shared Redis connection for the policy stores (rate limits, cache). Default none. */
    redis: redisSchema.optional(),
    /** Response caching (GraphQL queries, REST GET routes). Default off. */
    cache: cacheSchema.optional(),
    /** Authentication and authorisation (src/config/auth.ts). Default: anonymous only. */
    auth: authSchema,
    /** Rate limits on GraphQL fields and operations, usage plans (src/config/rate-limit.ts). Default: none. */
    rateLimit: rateLimitSchema,
    /** Hot reload, config file watch and background retry of sources (src/config/reload.ts). */
    reload: reloadSchema,
    /** Per-field answers when an upstream call fails (src/config/fallbacks.ts). Default none. */
    fallbacks: fallbacksSchema,
    /** Prometheus metrics on a listener of their own (src/config/metrics.ts). Default off. */
    metrics: metricsSchema,
  })
  // Runs even when other keys are invalid, so every problem is reported in one go.
  .superRefine(checkReferences, { when: () => true })
  .superRefine(checkRouteReferences, { when: () => true })
  .superRefine(checkPlanReferences, { when: () => true })
  .superRefine(checkMetricsPort, { when: () => true });

/** Cross-field checks: names unique, every reference points at something declared. */
function checkReferences(config: unknown, ctx: z.RefinementCtx): void {
  const { upstreams, sources, links } = asRecord(config);
  const upstreamNames = new Set(Object.keys(asRecord(upstreams)));
  const sourceNames = new Set<string>();
  asArray(sources).forEach((source, index) => {
    const { name: sourceName, upstream } = asRecord(source);
    if (typeof sourceName === 'string') {
      if (sourceNames.has(sourceName)) issue(ctx, ['sources', index, 'name'], `duplicate source name "${sourceName}"`);
      sourceNames.add(sourceName);
    }
    if (typeof upstream === 'string' && !upstreamNames.has(upstream)) {
      issue(ctx, ['sources', index, 'upstream'], `unknown upstream "${upstream}"`);
    }
  });
  const linkFields = new Set<string>();
  asArray(links).forEach((link, index) => {
    const { field, to } = asRecord(link);
    const target = asRecord(to);
    if (typeof field === 'string') {
      if (linkFields.has(field)) issue(ctx, ['links', index, 'field'], `duplicate link "${field}"`);
      linkFields.add(field);
    }
    if (typeof target['source'] === 'string' && !sourceNames.has(target['source'])) {
      issue(ctx, ['links', index, 'to', 'source'], `unknown source "${target['source']}"`);
    }
    if (target['key'] !== undefined && target['batch'] !== true) {
      issue(ctx, ['links', index, 'to', 'key'], '"key" only applies with "batch: true"');
    }
  });
}

/** A consumer's `plan` must name an entry of `rateLimit.plans`: a typo would leave the tenant unlimited. */
function checkPlanReferences(config: unknown, ctx: z.RefinementCtx): void {
  const { auth, rateLimit } = asRecord(config);
  const plans = Object.keys(asRecord(asRecord(rateLimit)['plans']));
  asArray(asRecord(asRecord(auth)['apiKeys'])['consumers']).forEach((consumer, index) => {
    const { plan } = asRecord(consumer);
    if (typeof plan !== 'string' || plans.includes(plan)) return;
    const known = plans.length > 0 ? `rateLimit.plans has ${plans.map((name) => `"${name}"`).join(', ')}` : 'rateLimit.plans is empty';
    issue(ctx, ['auth', 'apiKeys', 'consumers', index, 'plan'], `unknown plan "${plan}" (${known})`);
  });
}

/** Metrics are never served on the public listener: the two cannot share a port. */
function checkMetricsPort(config: unknown, ctx: z.RefinementCtx): void {
  const { server, metrics } = asRecord(config);
  const { enabled, port } = asRecord(metrics);
  const serverPort = asRecord(server)['port'];
  if (enabled !== true || port === 0 || port !== serverPort) return;
  issue(ctx, ['metrics', 'port'], `must differ from server.port (${String(serverPort)}): metrics are served on a listener of their own`);
}

function issue(ctx: z.RefinementCtx, path: (string | number)[], message: string): void {
  ctx.addIssue({ code: 'custom', path, message });
}

function asRecord(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

export type JunctionConfig = z.output<typeof configSchema>;
export type JunctionConfigInput = z.input<typeof configSchema>;
export type UpstreamConfig = z.output<typeof upstreamSchema>;
export type SourceConfig = z.output<typeof sourceSchema>;
export type GraphqlSourceConfig = z.output<typeof graphqlSourceSchema>;
export type OpenapiSourceConfig = z.output<typeof openapiSourceSchema>;
export type LinkConfig = z.output<typeof linkSchema>;
export type ServerConfig = z.output<typeof serverSchema>;
export type GraphqlConfig = z.output<typeof graphqlSchema>;
export type { MetricsConfig } from './metrics.js';
