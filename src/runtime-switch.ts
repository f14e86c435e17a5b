import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { RouteHandler } from './http/server.js';
import type { Logger } from './logger.js';
import type { createReloadStatus, ReloadResult, VersionedConfig } from './reload.js';
import { SourceLoadError, type Runtime } from './runtime.js';
import { startSourceRecovery, type RetryScheduler } from './runtime-recovery.js';
import { anySourceLoads } from './runtime-sources.js';

export interface RuntimeSwitchDeps {
  build(next: VersionedConfig): Promise<Runtime>;
  /** Reads the config file again; undefined when the gateway was given a config object only. */
  loadConfig: (() => Promise<VersionedConfig>) | undefined;
  status: ReturnType<typeof createReloadStatus>;
  scheduler: RetryScheduler;
  logger: Logger;
}

/** Config blocks the listeners are made from, at start. */
const RESTART_ONLY = ['server', 'metrics'] as const;

/**
 * Holds the current runtime and swaps in new ones. The HTTP server's routes read `current` once per
 * request; a replaced runtime is closed once its requests in flight are done (or after
 * `reload.drainGraceMs`). Reloads run one at a time.
 */
export function createRuntimeSwitch(first: Runtime, deps: RuntimeSwitchDeps) {
  const { logger, status } = deps;
  let current = first;
  let server: Server | undefined;
  let queue: Promise<unknown> = Promise.resolve();
  const retiring = new Set<Promise<void>>();
  const tunnels = new Map<Runtime, NodeJS.Timeout>();
  let recovery = recover(first);

  const upgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => current.upgrade?.(req, socket, head);
  function syncUpgrade(): void {
    const attached = server?.listeners('upgrade').includes(upgrade) ?? false;
    if (current.upgrade !== undefined && !attached) server?.on('upgrade', upgrade);
    if (current.upgrade === undefined && attached) server?.off('upgrade', upgrade);
  }

  async function swap(next: VersionedConfig | undefined, trigger: string): Promise<ReloadResult> {
    const previous = current.version;
    let runtime: Runtime | undefined;
    try {
      if (next === undefined && deps.loadConfig === undefined) throw new Error('no config file to reload from');
      runtime = await deps.build(next ?? (await deps.loadConfig!()));
      const lost = runtime.sources.filter((source) => source.subschema === undefined && current.sources.some((old) => old.name === source.name && old.subschema !== undefined));
      if (lost.length > 0) throw new SourceLoadError(lost);
    } catch (error) {
      await runtime?.close();
      const message = error instanceof SourceLoadError ? `cannot load source(s) ${error.sources.join(', ')}` : (error as Error).message;
      status.failed(message);
      logger.error({ err: error, trigger, configVersion: previous }, 'reload failed; the running config keeps serving');
      return { ok: false, error: message };
    }
    const old = current;
    current = runtime;
    syncUpgrade();
    recovery.stop();
    recovery = recover(runtime);
    status.succeeded();
    logger.info({ configVersion: runtime.version, previous, trigger }, 'config loaded');
    for (const block of RESTART_ONLY) {
      if (JSON.stringify(old.config[block]) !== JSON.stringify(runtime.config[block])) logger.warn({ configVersion: runtime.version }, `"${block}" settings take effect on restart only`);
    }
    retire(old);
    return { ok: true, version: runtime.version, previous };
  }

  /** Requests and WebSocket tunnels on a replaced runtime get `drainGraceMs`; its upstreams close once its requests are done. */
  function retire(runtime: Runtime): void {
    const graceMs = current.config.reload.drainGraceMs;
    const timer = setTimeout(() => endTunnels(runtime), graceMs);
    timer.unref();
    tunnels.set(runtime, timer);
    const closing = runtime.drained(graceMs)
      .then(() => runtime.close())
      .catch((error: unknown) => logger.error({ err: error }, 'closing a replaced runtime failed'))
      .finally(() => retiring.delete(closing));
    retiring.add(closing);
  }

  function endTunnels(runtime: Runtime): void {
    clearTimeout(tunnels.get(runtime));
    tunnels.delete(runtime);
    runtime.endTunnels();
  }

  function recover(runtime: Runtime): { stop(): void } {
    if (runtime.retrySources.length === 0) return { stop() {} };
    return startSourceRecovery(runtime.retrySources.map((source) => source.name), runtime.config.reload.sourceRetry, {
      scheduler: deps.scheduler,
      logger,
      probe: () => anySourceLoads(runtime.retrySources, runtime.upstreams),
      async recovered() {
        if (current !== runtime) return;
        const result = await reload({ config: runtime.config, version: runtime.version }, 'source-recovered');
        if (!result.ok && current === runtime) recovery = recover(runtime);
      },
    });
  }

  function reload(next: VersionedConfig | undefined, trigger: string): Promise<ReloadResult> {
    const result = queue.then(() => swap(next, trigger));
    queue = result;
    return result;
  }

  return {
    current: (): Runtime => current,
    routes: delegatingRoutes(() => current.routes),
    handle: ((req, res, requestId) => current.handle(req, res, requestId)) as RouteHandler,
    /** Listens for WebSocket upgrades while the current runtime has WebSocket routes. */
    attach(target: Server): void {
      server = target;
      syncUpgrade();
    },
    reload,
    /** Ends every WebSocket tunnel (first step of shutdown). */
    endTunnels(): void {
      for (const runtime of [...tunnels.keys()]) endTunnels(runtime);
      current.endTunnels();
    },
    /** Stops background retries and closes every runtime (after the HTTP server has drained). */
    async close(): Promise<void> {
      recovery.stop();
      await queue.catch(() => undefined);
      recovery.stop();
      await Promise.all([...retiring]);
      await current.close();
    },
  };
}

/** A read-only map whose entries are those of the current runtime's route table. */
function delegatingRoutes(routes: () => ReadonlyMap<string, RouteHandler>): ReadonlyMap<string, RouteHandler> {
  return {
    get: (key) => routes().get(key),
    has: (key) => routes().has(key),
    get size() {
      return routes().size;
    },
    forEach: (callback, thisArg) => routes().forEach(callback, thisArg),
    entries: () => routes().entries(),
    keys: () => routes().keys(),
    values: () => routes().values(),
    [Symbol.iterator]: () => routes()[Symbol.iterator](),
  };
}
