import { isIP } from 'node:net';
import { z } from 'zod';
import { headerName } from './primitives.js';

/**
 * Config of the REST surface: passthrough routes (reverse proxy to a named upstream),
 * aggregation routes (a GraphQL operation run against the composed schema), trusted proxy hops
 * and the generated API docs. Referenced from `configSchema` in ./schema.ts.
 */

const name = z.string().regex(/^[A-Za-z_][A-Za-z0-9_-]*$/, 'must be a name: letters, digits, "_" or "-"');
const method = z
  .string()
  .regex(/^[A-Za-z]+$/, 'must be an HTTP method')
  .transform((value) => value.toUpperCase());
const pathTemplate = z
  .string()
  .regex(/^\/[A-Za-z0-9\-._~!$&'()*+,;=:@/]*$/, 'must start with "/" and hold only URL path characters (no "%", "?" or "#")')
  .refine((value) => !/(^|\/)\.{1,2}(\/|$)/.test(value), 'must not contain "." or ".." segments')
  .refine((value) => !value.includes('//'), 'must not contain "//"');
const oneOrMany = z.union([z.string(), z.array(z.string()).min(1)]);

/** An IPv4/IPv6 address or CIDR block, e.g. `10.0.0.0/8`, `::1`. */
const cidr = z.string().refine(isCidr, 'must be an IP address or CIDR block like "10.0.0.0/8"');

/** Proxies in front of the gateway whose `X-Forwarded-*` / `Forwarded` headers are believed. Default none. */
export const trustedProxiesSchema = z.array(cidr).default([]);

export const routeMatchSchema = z
  .strictObject({
    /**
     * Exact path (`/api/orders`) or pattern with named segments (`/api/v1/users/:id`); a trailing
     * `/*` makes it a prefix (`/api/catalog/*` is `prefix: /api/catalog`).
     */
    path: pathTemplate.optional(),
    /** Path prefix on segment boundaries: `/public` matches `/public` and `/public/x`, never `/publicity`. */
    prefix: pathTemplate.optional(),
    /**
     * `strict`: `/api/orders` and `/api/orders/` are different paths for an exact or pattern
     * `path` (as in Traefik). `ignore`: one trailing `/` more or less still matches; the path is
     * forwarded as the client sent it. Prefixes always match both. Default `strict`.
     */
    trailingSlash: z.enum(['strict', 'ignore']).default('strict'),
    /** Methods matched. Default: any (passthrough) or `[GET]` (aggregation). */
    methods: z.array(method).min(1).optional(),
    /** `Host` matched, without port: exact (`api.example.com`) or one leading wildcard (`*.example.com`). Default any. */
    host: z.string().regex(/^(\*\.)?[A-Za-z0-9.-]+$/, 'must be a host name, optionally "*." first').transform((v) => v.toLowerCase()).optional(),
    /** Request headers that must hold one of the given values exactly. Default none. */
    headers: z.record(headerName, oneOrMany).default({}),
    /** Query parameters that must hold one of the given values exactly. Default none. */
    query: z.record(z.string().min(1), oneOrMany).default({}),
  })
  .refine((match) => (match.path === undefined) !== (match.prefix === undefined), 'give exactly one of "path" and "prefix"');

export const headerOpsSchema = z
  .strictObject({
    /** Headers set (replacing any value already there). Default none. */
    add: z.record(headerName, z.string()).default({}),
    /** Headers removed. Default none. */
    remove: z.array(headerName).default([]),
    /** Headers renamed, `{ from: to }`. Default none. */
    rename: z.record(headerName, headerName).default({}),
  })
  .prefault({});

export const rewriteSchema = z
  .strictObject({
    /**
     * Remove a leading part of the path before forwarding: `true` strips the matched prefix (or the
     * literal part of a pattern before its first parameter), a string strips exactly that. Default none.
     */
    stripPrefix: z.union([z.boolean(), pathTemplate]).optional(),
    /** Forward to this path instead; `:name` takes the matched parameter (`/users/:id`). Default none. */
    replacePath: pathTemplate.optional(),
    /** Prepended after stripping or replacing (`/v2`). Default none. */
    addPrefix: pathTemplate.optional(),
    /**
     * The `Host` header sent upstream (`api.internal.example` or `name:8080`), for backends that
     * route by virtual host. From config only: the client's `Host` is never forwarded. Default:
     * the host of the upstream's URL (of the target reached).
     */
    host: z.string().regex(/^(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/, 'must be a host name or [IPv6] address, with an optional :port').optional(),
  })
  .refine((rewrite) => !(rewrite.replacePath !== undefined && rewrite.stripPrefix), '"replacePath" and "stripPrefix" exclude each other')
  .prefault({});

export const routeSchema = z
  .strictObject({
    /** Name used in logs, metrics, errors and the OpenAPI document. */
    name,
    match: routeMatchSchema,
    /** Key of `upstreams` the request is proxied to (passthrough routes). */
    upstream: name.optional(),
    /** A GraphQL operation run against the composed schema (aggregation routes); path and query params are its variables. */
    operation: z.string().min(1).optional(),
    /** Which operation of `operation` to run when it holds several. Default: the only one. */
    operationName: z.string().optional(),
    rewrite: rewriteSchema,
    /** Header changes toward the upstream (after hop-by-hop headers are dropped). */
    requestHeaders: headerOpsSchema,
    /** Header changes toward the client. */
    responseHeaders: headerOpsSchema,
    /** Pass WebSocket upgrades through to the upstream. Default false. */
    websocket: z.boolean().default(false),
    /** Largest request body, counted as it streams; more gets 413. Default: `server.maxBodyBytes`. */
    maxBodyBytes: z.number().int().positive().optional(),
    /** Pass upstream 5xx answers (status and body) to the client. Default false: they become 502 UPSTREAM_ERROR. */
    passUpstreamErrors: z.boolean().default(false),
    /**
     * Answer served instead of an error when the upstream fails (refused, reset, 5xx, timeout,
     * open circuit): `{ status, body, headers }`, marked with `x-junction-fallback: static`.
     * Default none: the error is returned.
     */
    fallback: z
      .strictObject({
        /** Status of the fallback answer. Default 200. */
        status: z.number().int().min(200).max(599).default(200),
        /** JSON body of the fallback answer. */
        body: z.unknown(),
        /** Extra response headers. Default none. */
        headers: z.record(headerName, z.string()).default({}),
      })
      .optional(),
    /** Per-route policies (auth, rate limit, cache); validated by the policy engine. Default none. */
    policies: z.record(z.string(), z.unknown()).optional(),
  })
  .superRefine(checkRouteShape);

/** The REST routes, in declared order (the tie-breaker of the precedence rule). Default none. */
export const routesSchema = z.array(routeSchema).default([]);

export const apiDocsSchema = z
  .strictObject({
    /** Serve `GET /openapi.json` (every route) and Swagger UI at `/docs`. Default true. */
    enabled: z.boolean().default(true),
    /** Title of the generated OpenAPI document. Default `Junction REST routes`. */
    title: z.string().default('Junction REST routes'),
  })
  .prefault({});

function checkRouteShape(route: { upstream?: string; operation?: string; websocket: boolean; rewrite: object; policies?: Record<string, unknown> | undefined }, ctx: z.RefinementCtx): void {
  if ((route.upstream === undefined) === (route.operation === undefined)) {
    ctx.addIssue({ code: 'custom', path: ['upstream'], message: 'give exactly one of "upstream" (passthrough) and "operation" (aggregation)' });
  }
  if (route.operation !== undefined && route.websocket) {
    ctx.addIssue({ code: 'custom', path: ['websocket'], message: 'aggregation routes cannot pass WebSockets' });
  }
  if (route.operation !== undefined && route.policies?.['cache'] !== undefined) {
    ctx.addIssue({ code: 'custom', path: ['policies', 'cache'], message: 'aggregation routes are not cached: remove policies.cache' });
  }
}

/** Cross-field checks of `routes`: names unique, every `upstream` declared. Runs beside `checkReferences`. */
export function checkRouteReferences(config: unknown, ctx: z.RefinementCtx): void {
  const record = (value: unknown): Record<string, unknown> =>
    value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  const root = record(config);
  const upstreamNames = new Set(Object.keys(record(root['upstreams'])));
  const routes = Array.isArray(root['routes']) ? (root['routes'] as unknown[]) : [];
  const seen = new Set<string>();
  routes.forEach((route, index) => {
    const { name: routeName, upstream } = record(route);
    if (typeof routeName === 'string') {
      if (seen.has(routeName)) ctx.addIssue({ code: 'custom', path: ['routes', index, 'name'], message: `duplicate route name "${routeName}"` });
      seen.add(routeName);
    }
    if (typeof upstream === 'string' && !upstreamNames.has(upstream)) {
      ctx.addIssue({ code: 'custom', path: ['routes', index, 'upstream'], message: `unknown upstream "${upstream}"` });
    }
  });
}

function isCidr(value: string): boolean {
  const [address, bits, extra] = value.split('/');
  if (extra !== undefined || address === undefined) return false;
  const family = isIP(address);
  if (family === 0) return false;
  if (bits === undefined) return true;
  if (!/^\d{1,3}$/.test(bits)) return false;
  return Number(bits) <= (family === 4 ? 32 : 128);
}

export type RouteConfig = z.output<typeof routeSchema>;
export type RouteMatchConfig = z.output<typeof routeMatchSchema>;
export type HeaderOpsConfig = z.output<typeof headerOpsSchema>;
export type ApiDocsConfig = z.output<typeof apiDocsSchema>;
