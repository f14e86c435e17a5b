import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { GraphQLSchema } from 'graphql';
import type { PolicyState } from '../../../directives/policy.js';
import type { ApiDocsConfig, RouteConfig } from '../../config/routes.js';
import type { ServerConfig, SourceConfig } from '../../config/index.js';
import { JunctionError, maskUnexpected } from '../../errors.js';
import type { Logger } from '../../logger.js';
import { loadOpenApiDocument } from '../../sources/openapi/index.js';
import type { Upstream } from '../../upstream/index.js';
import { countUnderRoute } from '../gateway-response.js';
import { requestIdOf } from '../request-id.js';
import { handshakeCounter, type RequestStats } from '../request-stats.js';
import type { RouteHandler } from '../server.js';
import { serveUpgradeAsRequest } from '../upgrade-as-request.js';
import { createAggregation } from './aggregation.js';
import { apiDocsRoutes } from './api-docs.js';
import { createForwardedResolver } from './forwarded.js';
import { buildOpenApiDocument, type UpstreamDocument } from './openapi-document.js';
import { createProxy, type ProxySteps } from './proxy.js';
import { parseRequestTarget, type RequestTarget } from './request-target.js';
import { compileRewrite, type PathRewrite } from './rewrite.js';
import { compileRouteTable, type CompiledRoute, type RouteLookup } from './route-table.js';
import { createTunnelSet, createWebSocketProxy, rejectUpgrade, type WebSocketProxy } from './websocket.js';

/** What a route policy hook sees of the route. */
export interface RouteInfo {
  name: string;
  upstream: string | undefined;
  policies: Readonly<Record<string, unknown>> | undefined;
}

/** Details of the request a policy hook may use; `res` is absent for WebSocket upgrades. */
export interface BeforeProxyDetails {
  res: ServerResponse | undefined;
  /** The normalised path the route matched on (and forwards, before its rewrite). */
  path: string;
  params: Readonly<Record<string, string>>;
  /** Client address after trusted-proxy resolution. */
  clientIp: string;
}

/**
 * What a policy hook decided: `answered` when it sent the response itself (a cache hit: no
 * upstream call is made); otherwise optional steps run with the upstream's response head, or
 * when the upstream failed.
 */
export interface ProxyHooks extends ProxySteps {
  answered: boolean;
  /** The policy state the route's guards left (the caller, identity headers, response headers). */
  state?: PolicyState | undefined;
}

/**
 * Runs before the upstream call or the aggregation; throw a JunctionError to refuse. `undefined`
 * (not a promise) means the route has no policy work: the request is proxied at once.
 */
export type BeforeProxy = (route: RouteInfo, req: IncomingMessage, requestId: string, details: BeforeProxyDetails) => Promise<ProxyHooks | undefined | void> | undefined;

export interface PassthroughOptions {
  routes: readonly RouteConfig[];
  server: Pick<ServerConfig, 'maxBodyBytes' | 'trustedProxies'>;
  apiDocs: ApiDocsConfig;
  upstreams: ReadonlyMap<string, Upstream>;
  /** The gateway's sources: `openapi` ones describe their upstream in `/openapi.json`. */
  sources: readonly SourceConfig[];
}

export interface PassthroughDeps {
  getSchema: () => GraphQLSchema;
  logger: Logger;
  beforeProxy?: BeforeProxy;
  /** Where WebSocket handshakes are counted (the HTTP server counts every other request); absent with metrics off. */
  requestStats?: RequestStats;
}

export interface Passthrough {
  /** The `fallback` of the HTTP server: every request no exact route took. */
  handle: RouteHandler;
  /**
   * The server's `upgrade` listener; `undefined` when no route has `websocket: true`. A request
   * for no WebSocket route is served as a plain request (see upgrade-as-request.ts) and false
   * is returned; true when it became a tunnel (or was refused as one).
   */
  upgrade: ((req: IncomingMessage, socket: Duplex, head: Buffer) => boolean) | undefined;
  /** `/openapi.json` and `/docs` (empty when `apiDocs.enabled` is false). */
  exactRoutes: [string, RouteHandler][];
  /** Ends open WebSocket tunnels (shutdown). */
  close(): void;
}

interface Runner {
  info: RouteInfo;
  rewrite: PathRewrite;
  run(req: IncomingMessage, res: ServerResponse, requestId: string, path: string, search: string, params: Readonly<Record<string, string>>, hooks: ProxyHooks | undefined): void | Promise<void>;
  websocket: WebSocketProxy | undefined;
}

/**
 * The REST surface: compiles the route table, rewrites, proxies and aggregations once at
 * startup, then serves each request with a table lookup and a streamed upstream call through
 * the upstream's own `Upstream` object (its pool, timeouts, retries and breaker).
 */
export async function createPassthrough(options: PassthroughOptions, deps: PassthroughDeps): Promise<Passthrough> {
  const table = compileRouteTable(options.routes, (route) => (route.operation !== undefined ? ['GET'] : undefined));
  const forwarded = createForwardedResolver(options.server.trustedProxies);
  const tunnels = createTunnelSet();
  const runners = table.routes.map((route) => compileRunner(route, options, deps, forwarded, tunnels));
  const { beforeProxy } = deps;
  const exactRoutes = options.apiDocs.enabled
    ? apiDocsRoutes(buildOpenApiDocument(table.routes, await upstreamDocuments(options, deps.logger), options.apiDocs.title))
    : [];

  /** Synchronous unless a policy has work on the route: a plain proxied request makes no promise. */
  function handle(req: IncomingMessage, res: ServerResponse, requestId: string): void | Promise<void> {
    const target = parseRequestTarget(req.url);
    if (target === undefined) throw new JunctionError('BAD_REQUEST', 'The request path is not allowed');
    const found = table.find(req.method ?? 'GET', target.path, req.headers, target.search);
    if (found.kind !== 'found') throw lookupError(found);
    const runner = runners[found.route.index]!;
    countUnderRoute(res, runner.info.name);
    const upstreamPath = runner.rewrite(target.path, found.params);
    const hooks = beforeProxy?.(runner.info, req, requestId, { res, path: target.path, params: found.params, clientIp: forwarded.clientIp(req) });
    if (hooks === undefined) return runner.run(req, res, requestId, upstreamPath, target.search, found.params, undefined);
    return hooks.then((decided) => {
      if (decided?.answered === true || res.writableEnded) return;
      return runner.run(req, res, requestId, upstreamPath, target.search, found.params, decided ?? undefined);
    });
  }

  function upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean {
    const target = parseRequestTarget(req.url);
    const found = target === undefined ? undefined : table.find(req.method ?? 'GET', target.path, req.headers, target.search);
    if (target === undefined || found?.kind !== 'found' || runners[found.route.index]!.websocket === undefined) {
      serveUpgradeAsRequest(req, socket);
      return false;
    }
    const requestId = requestIdOf(req);
    const answered = handshakeCounter(deps.requestStats, runners[found.route.index]!.info.name);
    socket.on('error', () => socket.destroy());
    upgradeRoute(req, socket, head, requestId, target, found, answered).catch((error: unknown) => {
      const masked = maskUnexpected(error, requestId);
      if (masked !== error) deps.logger.error({ err: error, requestId }, 'unhandled error in upgrade');
      answered(rejectUpgrade(socket, requestId, masked));
    });
    return true;
  }

  async function upgradeRoute(
    req: IncomingMessage, socket: Duplex, head: Buffer, requestId: string,
    target: RequestTarget, found: Extract<RouteLookup, { kind: 'found' }>, answered: (status: number) => void,
  ): Promise<void> {
    const runner = runners[found.route.index]!;
    if (runner.websocket === undefined) throw new JunctionError('ROUTE_NOT_FOUND', 'No WebSocket route matches this request');
    if (beforeProxy !== undefined) {
      await beforeProxy(runner.info, req, requestId, { res: undefined, path: target.path, params: found.params, clientIp: forwarded.clientIp(req) });
    }
    runner.websocket(req, socket, head, requestId, runner.rewrite(target.path, found.params), target.search, answered);
  }

  return {
    handle,
    upgrade: runners.some((runner) => runner.websocket !== undefined) ? upgrade : undefined,
    exactRoutes,
    close: () => tunnels.closeAll(),
  };
}

function lookupError(found: Exclude<RouteLookup, { kind: 'found' }>): JunctionError {
  if (found.kind === 'not-found') return new JunctionError('ROUTE_NOT_FOUND', 'No route matches this request');
  return new JunctionError('METHOD_NOT_ALLOWED', 'This route does not accept this method', { headers: { allow: found.allow } });
}

function compileRunner(
  route: CompiledRoute,
  options: PassthroughOptions,
  deps: PassthroughDeps,
  forwarded: ReturnType<typeof createForwardedResolver>,
  tunnels: ReturnType<typeof createTunnelSet>,
): Runner {
  const { config } = route;
  const info: RouteInfo = { name: config.name, upstream: config.upstream, policies: config.policies };
  let rewrite: PathRewrite;
  try {
    rewrite = compileRewrite(config, route.path);
  } catch (error) {
    throw new Error(`route "${config.name}": ${(error as Error).message}`);
  }
  if (config.operation !== undefined) {
    const aggregate = createAggregation(config, { ...deps, clientIp: (req) => forwarded.clientIp(req) });
    return { info, rewrite, websocket: undefined, run: (req, res, requestId, _path, search, params, hooks) => aggregate(req, res, requestId, params, search, hooks?.state) };
  }
  const upstream = options.upstreams.get(config.upstream ?? '');
  if (upstream === undefined) throw new Error(`route "${config.name}" names unknown upstream "${config.upstream}"`);
  const proxy = createProxy({ route: config, upstream, defaultMaxBodyBytes: options.server.maxBodyBytes, logger: deps.logger }, forwarded);
  const websocket = config.websocket ? createWebSocketProxy(config, upstream, forwarded, tunnels) : undefined;
  return { info, rewrite, websocket, run: (req, res, requestId, path, search, _params, steps) => proxy(req, res, requestId, path, search, steps) };
}

/** The OpenAPI documents of `openapi` sources, by upstream; one that cannot be read is left out (logged). */
async function upstreamDocuments(options: PassthroughOptions, logger: Logger): Promise<UpstreamDocument[]> {
  const openapi = options.sources.filter((source) => source.type === 'openapi');
  const loaded = await Promise.all(openapi.map(async (source) => {
    try {
      return { upstream: source.upstream, source: source.name, document: await loadOpenApiDocument(source.spec) };
    } catch (error) {
      logger.warn({ source: source.name, reason: (error as Error).message }, 'OpenAPI document not read; its routes get generic docs');
      return undefined;
    }
  }));
  return loaded.filter((document): document is UpstreamDocument => document !== undefined);
}
