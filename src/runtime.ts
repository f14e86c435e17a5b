import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { GraphQLSchema } from 'graphql';
import { createPolicyEngine, createRouteHook, type PolicyCounters, type PolicyEngine, type RouteGuard } from '../directives/index.js';
import { composeSchema, createOperationPlanner, forwardableSources, gatewayResolvedFields, type ComposedSchema } from './compose/index.js';
import type { JunctionConfig, SourceConfig } from './config/index.js';
import { createGraphqlHandler } from './http/graphql/handler.js';
import { remoteSources } from './http/graphql/remote-sources.js';
import { createPassthrough, routeOperations, type Passthrough } from './http/passthrough/index.js';
import type { RequestStats } from './http/request-stats.js';
import type { RouteHandler } from './http/server.js';
import type { Logger } from './logger.js';
import { applyFieldFallbacks, withFallbackNotes } from './runtime-fallbacks.js';
import { loadRuntimeSources } from './runtime-sources.js';
import type { UpstreamPool } from './runtime-upstreams.js';
import type { LoadedSource } from './sources/index.js';
import type { Upstream } from './upstream/index.js';

export interface RuntimeDeps {
  logger: Logger;
  now: () => number;
  upstreams: UpstreamPool;
  /** Gateway-level routes (health, readiness) put first in the route table, not counted in flight. */
  baseRoutes: ReadonlyMap<string, RouteHandler>;
  /** Request counts of the metrics (absent with metrics off): WebSocket handshakes are counted by the passthrough. */
  requestStats?: RequestStats;
}

/** Everything built from one config. The HTTP server delegates every request to the current one. */
export interface Runtime {
  readonly config: JunctionConfig;
  /** Short hash of the config file content (see src/reload.ts). */
  readonly version: string;
  readonly sources: readonly LoadedSource[];
  readonly composed: ComposedSchema;
  readonly schema: GraphQLSchema;
  readonly upstreams: ReadonlyMap<string, Upstream>;
  /** Exact-path routes; all but the base routes count the request in flight on this runtime. */
  readonly routes: ReadonlyMap<string, RouteHandler>;
  /** The REST passthrough (every request no exact route took), counted in flight. */
  readonly handle: RouteHandler;
  readonly upgrade: ((req: IncomingMessage, socket: Duplex, head: Buffer) => void) | undefined;
  /** Sources the background retry should try again: not loaded, or served from their snapshot. */
  readonly retrySources: readonly SourceConfig[];
  routeGuards(policies: Readonly<Record<string, unknown>> | undefined): RouteGuard | undefined;
  /** The counters of its policies' stores (rate-limit failover, cache bypasses), by policy name. */
  policyStats(): Readonly<Record<string, PolicyCounters>>;
  inFlight(): number;
  /** Resolves when no request is in flight on this runtime, or after `graceMs`. */
  drained(graceMs: number): Promise<void>;
  /** Ends the WebSocket tunnels opened through this runtime (they have connections of their own). */
  endTunnels(): void;
  /** Closes its policies (stores) and releases its upstreams. */
  close(): Promise<void>;
}

/** Raised when `failFast` is set and a source cannot be loaded. */
export class SourceLoadError extends Error {
  /** Names of the sources that could not be loaded. */
  readonly sources: readonly string[];
  constructor(failed: readonly LoadedSource[]) {
    super(`Cannot load ${failed.map((source) => `source "${source.name}": ${source.error}`).join('; ')}`);
    this.name = 'SourceLoadError';
    this.sources = failed.map((source) => source.name);
  }
}

/**
 * The stages in data-flow order, for one config:
 * upstreams → sources → composed schema → policies → fallbacks → planner → GraphQL handler → passthrough.
 * Every error is thrown before anything is served, and whatever was opened is closed again.
 */
export async function buildRuntime(config: JunctionConfig, version: string, deps: RuntimeDeps): Promise<Runtime> {
  const { logger } = deps;
  const upstreams = deps.upstreams.acquire(config.upstreams);
  let policies: PolicyEngine | undefined;
  try {
    const loaded = await loadRuntimeSources(config.sources, upstreams, logger);
    const failed = loaded.sources.filter((source) => source.subschema === undefined);
    if (failed.length > 0 && config.failFast) throw new SourceLoadError(failed);
    for (const source of failed) logger.warn({ source: source.name, reason: source.error }, 'source not loaded; serving without it');

    policies = createPolicyEngine(config, { logger, now: deps.now });
    const composed = await composeSchema({ sources: loaded.sources, links: config.links, typeDefFiles: config.typeDefs, typeDefs: policies.typeDefs });
    for (const link of composed.skippedLinks) logger.warn({ link }, 'link left out: a source it needs is not loaded');
    const build = { missingSources: failed.map((source) => source.name) };
    const fallbacks = applyFieldFallbacks(policies.transform(composed.schema, build), config.fallbacks, deps.now);
    const schema = fallbacks.schema;
    const planner = createOperationPlanner({
      schema,
      subschemas: forwardableSources(loaded.sources),
      gatewayFields: gatewayResolvedFields(composed.schema, schema, config.links, loaded.sources),
    });
    const graphql = createGraphqlHandler({
      config: config.graphql,
      getSchema: () => schema,
      logger,
      maxBodyBytes: config.server.maxBodyBytes,
      plugins: [...policies.plugins(), ...(fallbacks.plugin ? [fallbacks.plugin] : [])],
      planner: () => planner,
      fastPathSources: policies.fastPath ? remoteSources(loaded.sources, upstreams) : undefined,
      fastPathPolicies: policies.fastPath,
      finishStitched: withFallbackNotes,
    });
    const passthrough = await createPassthrough(
      { routes: config.routes, server: config.server, apiDocs: config.apiDocs, upstreams, sources: config.sources },
      { getSchema: () => schema, logger, beforeProxy: createRouteHook(policies, config.routes, routeOperations(config.routes, schema)), requestStats: deps.requestStats },
    );
    const engine = policies;
    return assemble({ config, version, sources: loaded.sources, retrySources: loaded.retry, composed, schema, upstreams, graphql, passthrough, policies: engine }, deps);
  } catch (error) {
    await policies?.close();
    await deps.upstreams.release(upstreams);
    throw error;
  }
}

interface Parts {
  config: JunctionConfig;
  version: string;
  sources: LoadedSource[];
  retrySources: SourceConfig[];
  composed: ComposedSchema;
  schema: GraphQLSchema;
  upstreams: Map<string, Upstream>;
  graphql: RouteHandler;
  passthrough: Passthrough;
  policies: PolicyEngine;
}

/** The route table of one runtime, each handler counting its request in flight. */
function assemble(parts: Parts, deps: RuntimeDeps): Runtime {
  const { config, passthrough, policies } = parts;
  let inFlight = 0;
  const waiting = new Set<() => void>();
  const release = (): void => {
    if (--inFlight === 0) for (const done of waiting) done();
  };
  const track = (handler: RouteHandler): RouteHandler => function tracked(req, res, requestId) {
    inFlight++;
    res.on('close', release);
    return handler(req, res, requestId);
  };

  const routes = new Map(deps.baseRoutes);
  if (!routes.has(config.graphql.path)) routes.set(config.graphql.path, track(parts.graphql));
  for (const module of policies.modules) for (const [path, handler] of module.adminRoutes ?? []) if (!routes.has(path)) routes.set(path, track(handler));
  for (const [path, handler] of passthrough.exactRoutes) if (!routes.has(path)) routes.set(path, track(handler));

  return {
    config,
    version: parts.version,
    sources: parts.sources,
    composed: parts.composed,
    schema: parts.schema,
    upstreams: parts.upstreams,
    routes,
    handle: track(passthrough.handle),
    upgrade: passthrough.upgrade,
    retrySources: parts.retrySources,
    routeGuards: (block) => policies.routeGuards(block),
    policyStats: () => policies.stats(),
    inFlight: () => inFlight,
    drained: (graceMs) => new Promise<void>((resolve) => {
      if (inFlight === 0) return resolve();
      const timer = setTimeout(done, graceMs);
      timer.unref();
      function done(): void {
        clearTimeout(timer);
        waiting.delete(done);
        resolve();
      }
      waiting.add(done);
    }),
    endTunnels: () => passthrough.close(),
    async close() {
      await deps.upstreams.release(parts.upstreams);
      await policies.close();
    },
  };
}
