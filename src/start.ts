import type { Gateway } from './gateway.js';
import type { Logger } from './logger.js';
import { watchConfigFile } from './reload-watch.js';

/** Stops the gateway once on SIGTERM or SIGINT, then exits 0 (1 if stopping failed). */
export function stopOnSignals(gateway: Gateway, logger: Logger, beforeExit: () => Promise<void> = async () => {}): void {
  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down: draining in-flight requests');
    gateway.close()
      .then(beforeExit)
      .then(() => process.exit(0), (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      });
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

/**
 * Reloads the config file on SIGHUP, and on change while `reload.watch` is on (checked after
 * every reload, so turning it on or off in the file takes effect). Outcomes are logged by the gateway.
 */
export function reloadOnTriggers(gateway: Gateway, file: string, logger: Logger): { close(): void } {
  let watcher: { close(): void } | undefined;
  const reload = async (trigger: string): Promise<void> => {
    await gateway.reload(undefined, trigger);
    syncWatch();
  };
  function syncWatch(): void {
    const { watch } = gateway.config.reload;
    if (watch && watcher === undefined) {
      watcher = watchConfigFile(file, { debounceMs: () => gateway.config.reload.debounceMs, version: () => gateway.version, reload: () => reload('watch'), logger });
    } else if (!watch && watcher !== undefined) {
      watcher.close();
      watcher = undefined;
    }
  }
  const onSighup = (): void => void reload('SIGHUP');
  process.on('SIGHUP', onSighup);
  syncWatch();
  return {
    close() {
      process.off('SIGHUP', onSighup);
      watcher?.close();
    },
  };
}
