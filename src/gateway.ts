import type { AddressInfo } from 'node:net';
import type { GraphQLSchema } from 'graphql';
import type { RouteGuard } from '../directives/index.js';
import type { ComposedSchema } from './compose/index.js';
import type { JunctionConfig, LoadConfigOptions } from './config/index.js';
import { healthzRoute, readyzRoute } from './http/health.js';
import { createRequestStats } from './http/request-stats.js';
import { createHttpServer } from './http/server.js';
import { createLogger, type Logger } from './logger.js';
import { createReadiness, type GatewayReadiness } from './readiness.js';
import { configVersion, createReloadStatus, loadVersionedConfig, type ReloadResult, type VersionedConfig } from './reload.js';
import { buildRuntime } from './runtime.js';
import { timerScheduler, type RetryScheduler } from './runtime-recovery.js';
import { createRuntimeSwitch } from './runtime-switch.js';
import { createUpstreamPool } from './runtime-upstreams.js';
import type { LoadedSource } from './sources/index.js';

export { SourceLoadError } from './runtime.js';

export interface GatewayDeps {
  logger?: Logger;
  now?: () => number;
  /** The config file `reload()` reads again; without it, `reload` needs a config. */
  configFile?: string;
  /** Environment for `${VAR}` interpolation on reload. Default `process.env`. */
  configEnv?: LoadConfigOptions['env'];
  /** Version of the initial config (hash of its file). Default: hash of the config as JSON. */
  version?: string;
  /** Schedules background retries of sources that could not be loaded. Default: unref'd timers. */
  retryScheduler?: RetryScheduler;
}

export interface Gateway {
  /** The config of the runtime serving now (it changes on reload). */
  readonly config: JunctionConfig;
  /** Short hash of the config in use. */
  readonly version: string;
  readonly sources: readonly LoadedSource[];
  readonly composed: ComposedSchema;
  schema(): GraphQLSchema;
  readiness(): Promise<GatewayReadiness>;
  /** Starts the public listener, and the metrics listener when `metrics.enabled`. */
  listen(): Promise<AddressInfo>;
  /** Where the metrics listener is bound; undefined when metrics are off, before `listen` and after `close`. */
  metricsAddress(): AddressInfo | undefined;
  /** The policy guard of a REST route's `policies` block (auth → rate limit → cache); undefined when empty. */
  routeGuards(policies: Readonly<Record<string, unknown>> | undefined): RouteGuard | undefined;
  /** Builds and validates a new runtime from `next` (default: the config file again) and swaps it in; never throws. */
  reload(next?: VersionedConfig, trigger?: string): Promise<ReloadResult>;
  /** Graceful stop: readiness fails at once, in-flight requests finish, then upstreams, stores and the metrics listener close. */
  close(): Promise<void>;
}

/**
 * The gateway's lifecycle. Each config becomes a runtime (src/runtime.ts wires the stages:
 * upstreams → sources → composed schema → policies → GraphQL and REST surfaces); the HTTP server
 * delegates to the current runtime, which a reload or a recovered source replaces.
 */
export async function createGateway(config: JunctionConfig, deps: GatewayDeps = {}): Promise<Gateway> {
  const logger = deps.logger ?? createLogger();
  const now = deps.now ?? Date.now;
  // Imported only when on, so that a gateway without metrics loads no prom-client code.
  const metricsModule = config.metrics.enabled ? await import('./metrics/index.js') : undefined;
  const upstreams = createUpstreamPool({ now: deps.now, logger });
  const status = createReloadStatus(now);
  let serving = true;
  const readiness = createReadiness(() => runtimes.current().sources, () => runtimes.current().upstreams, () => serving, {
    now: deps.now,
    config: () => ({ configVersion: runtimes.current().version, reloads: status.report() }),
  });
  const baseRoutes = new Map([['/healthz', healthzRoute], ['/readyz', readyzRoute(readiness)]]);
  const requestStats = config.metrics.enabled ? createRequestStats() : undefined;
  const build = (next: VersionedConfig) => buildRuntime(next.config, next.version, { logger, now, upstreams, baseRoutes, requestStats });

  const version = deps.version ?? configVersion(JSON.stringify(config));
  const runtimes = createRuntimeSwitch(await build({ config, version }), {
    build,
    loadConfig: deps.configFile === undefined ? undefined : () => loadVersionedConfig(deps.configFile!, { env: deps.configEnv }),
    status,
    scheduler: deps.retryScheduler ?? timerScheduler,
    logger,
  });
  logger.info({ configVersion: version }, 'config loaded');
  const http = createHttpServer({ config: config.server, logger, routes: runtimes.routes, fallback: runtimes.handle, requestStats });
  runtimes.attach(http.server);
  const metrics = metricsModule === undefined || requestStats === undefined ? undefined : metricsModule.createMetrics(config.metrics, {
    upstreams: () => runtimes.current().upstreams,
    policyStats: () => runtimes.current().policyStats(),
    version: () => runtimes.current().version,
    reloads: status.report,
    requests: requestStats,
  }, logger);

  async function listen(): Promise<AddressInfo> {
    if (metrics === undefined) return http.listen();
    const { address, port } = await metrics.listen();
    logger.info({ address, port, path: config.metrics.path }, 'metrics listening');
    try {
      return await http.listen();
    } catch (error) {
      await metrics.close();
      throw error;
    }
  }

  return {
    get config() { return runtimes.current().config; },
    get version() { return runtimes.current().version; },
    get sources() { return runtimes.current().sources; },
    get composed() { return runtimes.current().composed; },
    schema: () => runtimes.current().schema,
    readiness,
    routeGuards: (block) => runtimes.current().routeGuards(block),
    listen,
    metricsAddress: () => metrics?.address(),
    reload: (next, trigger = 'api') => runtimes.reload(next, trigger),
    async close() {
      serving = false;
      runtimes.endTunnels();
      await http.drain(config.server.shutdownGraceMs);
      await Promise.all([runtimes.close(), metrics?.dispose()]);
    },
  };
}
