import type { ActiveHealthConfig } from '../config/upstream-resilience.js';
import type { Logger } from '../logger.js';
import type { Target } from './targets.js';

export interface ActiveHealth {
  /** Stops every timer; checks in flight are aborted. */
  stop(): void;
}

/**
 * Asks every target `GET path` each `intervalMs`; `unhealthyThreshold` failures in a row take a
 * target out of balancing, `healthyThreshold` passes bring it back. Timers are unref'd so they
 * never hold the process open.
 */
export function startActiveHealth(
  name: string,
  config: ActiveHealthConfig,
  targets: readonly Target[],
  deps: { logger?: Logger | undefined },
): ActiveHealth {
  const controller = new AbortController();
  const timers = targets.map((target) => {
    const timer = setInterval(() => void check(target), config.intervalMs);
    timer.unref();
    return timer;
  });

  async function check(target: Target): Promise<void> {
    let passed = false;
    try {
      const signal = AbortSignal.any([controller.signal, AbortSignal.timeout(config.timeoutMs)]);
      const response = await target.pool.fetch({ method: 'GET', path: config.path, headers: {}, signal });
      await response.body.dump();
      passed = response.statusCode >= 200 && response.statusCode < 400;
    } catch {
      passed = false;
    }
    if (controller.signal.aborted) return;
    const change = recordCheck(target, passed, config);
    if (change !== undefined) {
      deps.logger?.[change ? 'info' : 'warn']({ upstream: name, target: target.index }, change ? 'upstream target healthy' : 'upstream target unhealthy');
    }
  }

  return {
    stop() {
      controller.abort();
      for (const timer of timers) clearInterval(timer);
    },
  };
}

/** Applies one check result; returns the new health when it changed. */
export function recordCheck(target: Target, passed: boolean, config: ActiveHealthConfig): boolean | undefined {
  if (passed) {
    target.checkFailures = 0;
    target.checkPasses += 1;
    if (!target.healthy && target.checkPasses >= config.healthyThreshold) return (target.healthy = true);
  } else {
    target.checkPasses = 0;
    target.checkFailures += 1;
    if (target.healthy && target.checkFailures >= config.unhealthyThreshold) return (target.healthy = false);
  }
  return undefined;
}
