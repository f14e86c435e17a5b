import type { AddressInfo } from 'node:net';
import type { GraphQLSchema } from 'graphql';
import { createPolicyEngine, createRouteHook, type RouteGuard } from '../directives/index.js';
import { composeSchema, createOperationPlanner, forwardableSources, gatewayResolvedFields, type ComposedSchema } from './compose/index.js';
import type { JunctionConfig } from './config/index.js';
import { remoteSources } from './http/graphql/remote-sources.js';
import { createGraphqlHandler } from './http/graphql/handler.js';
import { healthzRoute, readyzRoute, type Readiness } from './http/health.js';
import { createPassthrough } from './http/passthrough/index.js';
import { createHttpServer, type RouteHandler } from './http/server.js';
import { createLogger, type Logger } from './logger.js';
import { createReadiness } from './readiness.js';
import { loadSources, type LoadedSource } from './sources/index.js';
import { closeUpstreams, createUpstreams } from './upstream/index.js';

export interface GatewayDeps {
  logger?: Logger;
  now?: () => number;
}

export interface Gateway {
  readonly config: JunctionConfig;
  readonly sources: readonly LoadedSource[];
  readonly composed: ComposedSchema;
  schema(): GraphQLSchema;
  readiness(): Promise<Readiness>;
  listen(): Promise<AddressInfo>;
  /** The policy guard of a REST route's `policies` block (auth → rate limit → cache); undefined when empty. */
  routeGuards(policies: Readonly<Record<string, unknown>> | undefined): RouteGuard | undefined;
  /** Graceful stop: readiness fails at once, in-flight requests finish, then upstreams close. */
  close(): Promise<void>;
}

/** Raised when `failFast` is set and a source cannot be loaded. */
export class SourceLoadError extends Error {
  constructor(failed: readonly LoadedSource[]) {
    super(`Cannot load ${failed.map((source) => `source "${source.name}": ${source.error}`).join('; ')}`);
    this.name = 'SourceLoadError';
  }
}

/**
 * The one place the stages meet, in data-flow order:
 * config → upstreams → sources → composed schema → HTTP surfaces.
 */
export async function createGateway(config: JunctionConfig, deps: GatewayDeps = {}): Promise<Gateway> {
  const logger = deps.logger ?? createLogger();
  const upstreams = createUpstreams(config.upstreams, { now: deps.now, logger });

  const sources = await loadSources(config.sources, upstreams);
  const failed = sources.filter((source) => source.subschema === undefined);
  if (failed.length > 0 && config.failFast) {
    await closeUpstreams(upstreams);
    throw new SourceLoadError(failed);
  }
  for (const source of failed) logger.warn({ source: source.name, reason: source.error }, 'source not loaded; serving without it');

  const policies = createPolicyEngine(config, { logger, now: deps.now ?? Date.now });
  const composed = await composeSchema({ sources, links: config.links, typeDefFiles: config.typeDefs, typeDefs: policies.typeDefs });
  for (const link of composed.skippedLinks) logger.warn({ link }, 'link left out: a source it needs is not loaded');
  const schema = policies.transform(composed.schema);
  const planner = createOperationPlanner({
    schema,
    subschemas: forwardableSources(sources),
    gatewayFields: gatewayResolvedFields(composed.schema, schema, config.links, sources),
  });

  let serving = true;
  const readiness = createReadiness(() => sources, upstreams, () => serving, { now: deps.now });
  const graphql = createGraphqlHandler({
    config: config.graphql,
    getSchema: () => schema,
    logger,
    maxBodyBytes: config.server.maxBodyBytes,
    plugins: policies.plugins(),
    planner: () => planner,
    fastPathSources: policies.modules.length === 0 ? remoteSources(sources, upstreams) : undefined,
  });
  const routes = new Map<string, RouteHandler>([
    [config.graphql.path, graphql],
    ['/healthz', healthzRoute],
    ['/readyz', readyzRoute(readiness)],
  ]);
  const passthrough = await createPassthrough(
    { routes: config.routes, server: config.server, apiDocs: config.apiDocs, upstreams, sources: config.sources },
    { getSchema: () => schema, logger, beforeProxy: createRouteHook(policies, config.routes) },
  );
  for (const module of policies.modules) for (const [path, handler] of module.adminRoutes ?? []) routes.set(path, handler);
  for (const [path, handler] of passthrough.exactRoutes) if (!routes.has(path)) routes.set(path, handler);
  const http = createHttpServer({ config: config.server, logger, routes, fallback: passthrough.handle, onUpgrade: passthrough.upgrade });

  return {
    config,
    sources,
    composed,
    schema: () => schema,
    readiness,
    routeGuards: (block) => policies.routeGuards(block),
    listen: () => http.listen(),
    async close() {
      serving = false;
      passthrough.close();
      await http.drain(config.server.shutdownGraceMs);
      await closeUpstreams(upstreams);
      await policies.close();
    },
  };
}
