import type { Outcome } from './outcome.js';
import { createRollingWindow } from './rolling-window.js';

export type BreakerState = 'closed' | 'open' | 'half-open';

export interface CircuitBreakerOptions {
  /** Failures in a row that open the circuit; 0 turns this mode off. */
  consecutiveFailures: number;
  /** Failure share over `windowMs` that opens it; undefined turns this mode off. */
  failureRate?: number | undefined;
  /** Calls needed in the window before the rate is judged. */
  minimumRequests: number;
  windowMs: number;
  /** Time open before probes are let through. */
  openMs: number;
  /** Probes allowed at once when half open; that many successes close the circuit. */
  halfOpenProbes: number;
}

export interface CircuitBreakerDeps {
  now: () => number;
  onStateChange?: (from: BreakerState, to: BreakerState, snapshot: BreakerSnapshot) => void;
}

/** What `/readyz` and logs show of a breaker. */
export interface BreakerSnapshot {
  state: BreakerState;
  consecutiveFailures: number;
  /** Calls and failures in the rolling window. */
  windowRequests: number;
  windowFailures: number;
  /** Times the circuit has opened since start. */
  opens: number;
  /** Seconds until probes are let through (open only). */
  retryAfterSeconds?: number;
}

/** Admission to make one call; report how it went exactly once. */
export interface BreakerPermit {
  done(outcome: Outcome): void;
}

export interface CircuitBreaker {
  /** A permit, or `undefined` when the call must not touch the network. */
  acquire(): BreakerPermit | undefined;
  /** Whole seconds a rejected caller should wait (at least 1). */
  retryAfterSeconds(): number;
  snapshot(): BreakerSnapshot;
}

/**
 * A per-upstream circuit breaker: opens on consecutive failures or on a failure rate over a
 * rolling window with a minimum volume; after `openMs` lets `halfOpenProbes` calls through; all
 * of them succeeding closes it, any failing opens it again. Outcomes of calls admitted before
 * the last state change are ignored, so a slow straggler cannot flip a newer state.
 */
export function createCircuitBreaker(options: CircuitBreakerOptions, deps: CircuitBreakerDeps): CircuitBreaker {
  const { now } = deps;
  const window = createRollingWindow(options.windowMs, now);
  let state: BreakerState = 'closed';
  let generation = 0;
  let consecutive = 0;
  let openedAt = 0;
  let opens = 0;
  let probesInFlight = 0;
  let probeSuccesses = 0;

  function moveTo(next: BreakerState): void {
    const from = state;
    state = next;
    generation += 1;
    probesInFlight = 0;
    probeSuccesses = 0;
    if (next === 'open') {
      openedAt = now();
      opens += 1;
    }
    if (next === 'closed') {
      consecutive = 0;
      window.clear();
    }
    deps.onStateChange?.(from, next, snapshot());
  }

  function shouldOpen(): boolean {
    if (options.consecutiveFailures > 0 && consecutive >= options.consecutiveFailures) return true;
    if (options.failureRate === undefined) return false;
    const { first: total, second: failed } = window.totals();
    return total >= options.minimumRequests && failed / total >= options.failureRate;
  }

  function onClosedOutcome(outcome: Outcome): void {
    if (outcome === 'neutral') return;
    const failed = outcome === 'failure';
    consecutive = failed ? consecutive + 1 : 0;
    window.add(1, failed ? 1 : 0);
    if (failed && shouldOpen()) moveTo('open');
  }

  function onProbeOutcome(outcome: Outcome): void {
    probesInFlight -= 1;
    if (outcome === 'failure') return moveTo('open');
    if (outcome === 'success' && ++probeSuccesses >= options.halfOpenProbes) moveTo('closed');
  }

  function permit(probe: boolean): BreakerPermit {
    const admittedIn = generation;
    let reported = false;
    return {
      done(outcome) {
        if (reported || admittedIn !== generation) return;
        reported = true;
        if (probe) onProbeOutcome(outcome);
        else onClosedOutcome(outcome);
      },
    };
  }

  function acquire(): BreakerPermit | undefined {
    if (state === 'open' && now() - openedAt >= options.openMs) moveTo('half-open');
    if (state === 'closed') return permit(false);
    if (state === 'open' || probesInFlight >= options.halfOpenProbes) return undefined;
    probesInFlight += 1;
    return permit(true);
  }

  function retryAfterSeconds(): number {
    if (state !== 'open') return 1;
    return Math.max(1, Math.ceil((openedAt + options.openMs - now()) / 1000));
  }

  function snapshot(): BreakerSnapshot {
    const { first, second } = window.totals();
    const shot: BreakerSnapshot = { state, consecutiveFailures: consecutive, windowRequests: first, windowFailures: second, opens };
    if (state === 'open') shot.retryAfterSeconds = retryAfterSeconds();
    return shot;
  }

  return { acquire, retryAfterSeconds, snapshot };
}
