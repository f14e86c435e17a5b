import type { UpstreamConfig } from '../config/index.js';
import type { Logger } from '../logger.js';
import { createBalancer, type BalancedTarget } from './balancer.js';
import type { Clock } from './clock.js';
import { outcomeOfError, outcomeOfStatus, type Outcome } from './outcome.js';
import { createPoolFetch, type PoolFetch } from './pool-fetch.js';
import type { TargetSnapshot, UpstreamFetch } from './types.js';

/** One backend of an upstream: its pool, load and health. */
export interface Target extends BalancedTarget {
  readonly index: number;
  readonly pool: PoolFetch;
  /** Passive health: failures in a row and the end of an ejection. */
  consecutiveFailures: number;
  ejectedUntil: number;
  /** Active health: false once the check failed `unhealthyThreshold` times. */
  healthy: boolean;
  checkPasses: number;
  checkFailures: number;
}

export interface TargetSet {
  readonly targets: readonly Target[];
  /** Sends one attempt to a target picked by the balancer among the available ones. */
  fetch: UpstreamFetch;
  /** A target for a probe or a streamed attempt, as the balancer would pick it. */
  pick(): Target;
  /** Passive health: what one attempt on `target` said about it (5xx and transport failures count). */
  record(target: Target, outcome: Outcome): void;
  snapshot(): TargetSnapshot[];
  close(): Promise<void>;
}

/**
 * The targets of one upstream, one undici Pool each. A target is available while it is not
 * ejected by passive health and not failed by active checks; when none is, all are used
 * (panic routing, as Envoy does), so the breaker, not the balancer, decides to stop calling.
 */
export function createTargetSet(name: string, config: UpstreamConfig, deps: { clock: Clock; logger?: Logger | undefined }): TargetSet {
  const { clock, logger } = deps;
  const specs = config.targets ?? [];
  const all = config.url === undefined ? specs : [{ url: config.url, weight: 1 }, ...specs];
  const targets: Target[] = all.map((spec, index) => ({
    index,
    weight: spec.weight,
    pool: createPoolFetch(name, spec.url, config),
    outstanding: 0,
    currentWeight: 0,
    consecutiveFailures: 0,
    ejectedUntil: 0,
    healthy: true,
    checkPasses: 0,
    checkFailures: 0,
  }));
  const balance = createBalancer(config.balancer);
  const { consecutiveFailures: ejectAfter, ejectMs } = config.passiveHealth;

  function pick(): Target {
    if (targets.length === 1) return targets[0]!;
    const time = clock.now();
    const available = targets.filter((target) => target.healthy && target.ejectedUntil <= time);
    return balance(available.length > 0 ? available : targets);
  }

  function record(target: Target, outcome: Outcome): void {
    if (outcome === 'neutral') return;
    if (outcome === 'success') {
      target.consecutiveFailures = 0;
      return;
    }
    target.consecutiveFailures += 1;
    if (ejectAfter > 0 && target.consecutiveFailures >= ejectAfter && targets.length > 1) {
      target.ejectedUntil = clock.now() + ejectMs;
      target.consecutiveFailures = 0;
      logger?.warn({ upstream: name, target: target.index, ejectMs }, 'upstream target ejected');
    }
  }

  const fetch: UpstreamFetch = async function targetFetch(request) {
    const target = pick();
    target.outstanding += 1;
    try {
      const response = await target.pool.fetch(request);
      record(target, outcomeOfStatus(response.statusCode));
      onBodyClosed(response.body, () => (target.outstanding -= 1));
      return response;
    } catch (error) {
      target.outstanding -= 1;
      record(target, outcomeOfError(error));
      throw error;
    }
  };

  function snapshot(): TargetSnapshot[] {
    const time = clock.now();
    return targets.map((target) => ({
      index: target.index,
      weight: target.weight,
      outstanding: target.outstanding,
      healthy: target.healthy,
      ejected: target.ejectedUntil > time,
    }));
  }

  return {
    targets,
    fetch,
    pick,
    record,
    snapshot,
    close: async () => {
      await Promise.allSettled(targets.map((target) => target.pool.close()));
    },
  };
}

/** Runs `callback` once the body is consumed or destroyed (at once if it already is). */
export function onBodyClosed(body: NodeJS.ReadableStream & { closed?: boolean; destroyed?: boolean }, callback: () => void): void {
  if (body.closed === true || body.destroyed === true) callback();
  else body.once('close', callback);
}
