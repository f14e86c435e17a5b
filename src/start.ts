import type { Gateway } from './gateway.js';
import type { Logger } from './logger.js';

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
