import type { IncomingHttpHeaders } from 'node:http';
import type { Dispatcher } from 'undici';
import { CircuitOpenError, UpstreamTimeoutError } from '../errors.js';
import type { BreakerPermit, CircuitBreaker } from './circuit-breaker.js';
import { classifyTransportError } from './classify-error.js';
import type { Clock } from './clock.js';
import { outcomeOfError, outcomeOfStatus, type Outcome } from './outcome.js';
import type { RetryBudget } from './retry-budget.js';
import type { RetryPolicy } from './retry-policy.js';
import { AttemptHandler } from './stream-attempt.js';
import type { Target, TargetSet } from './targets.js';
import type { StreamRequest, UpstreamCall, UpstreamSink, UpstreamStats } from './types.js';

export interface StreamedCallOptions {
  name: string;
  /** Bounds the whole call up to the final response head (with `deadline: 'body'`, to the body's end), across attempts and backoffs. */
  deadlineMs: number;
  /** Bounds one attempt to its head, when shorter than what is left of the deadline. */
  attemptTimeoutMs: number;
}

export interface StreamedCallDeps {
  clock: Clock;
  budget: RetryBudget;
  policy: RetryPolicy;
  stats: UpstreamStats;
  targets: TargetSet;
  breaker: CircuitBreaker | undefined;
  markReachable(): void;
  markFailed(error: unknown): void;
}

type CallState = 'calling' | 'streaming' | 'done';

/**
 * `Upstream.stream`: the layers of `request` (deadline to the head, retries with budget and
 * backoff, breaker per attempt, balancing, passive health, counters) as one state machine over
 * undici dispatch handlers, deciding retries at the response head. An answer is judged (breaker,
 * passive health) at its head, except a good one whose whole body the deadline bounds
 * (`deadline: 'body'`, the sources' calls): that one when its body ends, so a body the upstream
 * cuts off or that passes the deadline counts as a failure. A stream without that bound (a REST
 * route: events, downloads to slow clients) may last long, and must not hold a half-open
 * breaker's probe for its whole life. Per call: this object and one handler per attempt; no
 * promise, AbortSignal, timer beyond the deadline, or body stream.
 */
export function createStreamedCalls(options: StreamedCallOptions, deps: StreamedCallDeps): (request: StreamRequest, sink: UpstreamSink) => UpstreamCall {
  return function stream(request, sink) {
    const call = new StreamedCall(options, deps, request, sink);
    call.start();
    return call;
  };
}

class StreamedCall implements UpstreamCall {
  state: CallState = 'calling';
  attempt: AttemptHandler | undefined;
  private retryNo = 1;
  private previousError: unknown;
  private deadlinePassed = false;
  private readonly deadlineAt: number;
  private deadlineTimer: unknown;
  private waitTimer: unknown;
  private readonly canRetry: boolean;
  /** The attempt whose bounded body is streaming to the sink, judged when it ends. */
  private unjudgedBody: AttemptHandler | undefined;

  constructor(
    readonly options: StreamedCallOptions,
    readonly deps: StreamedCallDeps,
    readonly request: StreamRequest,
    readonly sink: UpstreamSink,
  ) {
    this.deadlineAt = deps.clock.now() + options.deadlineMs;
    this.canRetry = deps.policy.allows(request);
  }

  start(): void {
    this.deps.stats.requests += 1;
    this.deadlineTimer = this.deps.clock.setTimeout(() => this.onDeadline(), this.options.deadlineMs);
    this.deps.budget.recordRequest();
    this.sendAttempt();
  }

  abort(reason: Error): void {
    if (this.state === 'done') return;
    this.state = 'done';
    this.stopTimers();
    // The caller left: the body says nothing about the upstream.
    this.judgeBody('neutral');
    this.attempt?.abort(reason);
  }

  resume(): void {
    this.attempt?.controller?.resume();
  }

  private sendAttempt(): void {
    const { deps, options } = this;
    let permit: BreakerPermit | undefined;
    if (deps.breaker !== undefined) {
      permit = deps.breaker.acquire();
      if (permit === undefined) {
        deps.stats.shortCircuited += 1;
        this.retryOrFail(new CircuitOpenError(options.name, deps.breaker.retryAfterSeconds()));
        return;
      }
    }
    deps.stats.attempts += 1;
    const target = deps.targets.pick();
    target.outstanding += 1;
    const attempt = new AttemptHandler(this, target, permit);
    this.attempt = attempt;
    if (options.attemptTimeoutMs < this.deadlineAt - deps.clock.now()) {
      attempt.timer = deps.clock.setTimeout(() => attempt.abort(new UpstreamTimeoutError(options.name, options.attemptTimeoutMs)), options.attemptTimeoutMs);
    }
    target.pool.dispatch(this.request, attempt);
  }

  /** The head of an attempt: judged as `request` judges it, then retried (its body dumped) or handed to the sink. */
  onAttemptHead(attempt: AttemptHandler, statusCode: number, headers: IncomingHttpHeaders): void {
    const outcome = outcomeOfStatus(statusCode);
    this.deps.markReachable();
    if (this.state !== 'calling' || attempt !== this.attempt) {
      this.judge(attempt, outcome);
      attempt.phase = 'dump';
      return;
    }
    this.previousError = undefined;
    const delay = this.canRetry && !this.deadlinePassed ? this.deps.policy.delayBefore(this.retryNo, { response: { statusCode, headers } }, this.deadlineAt) : undefined;
    if (delay !== undefined) {
      this.judge(attempt, outcome);
      attempt.phase = 'dump';
      attempt.retryDelay = delay;
      return;
    }
    this.state = 'streaming';
    if (this.request.deadline === 'body') this.stopWaitTimer();
    else this.stopTimers();
    if (outcome === 'success' && this.request.deadline === 'body') this.unjudgedBody = attempt;
    else this.judge(attempt, outcome);
    const wanted = this.sink.onHead(statusCode, headers);
    if (wanted) return;
    // The sink is done with this call: the body is read and dropped, and no deadline is left running.
    this.state = 'done';
    this.stopTimers();
    this.judgeBody('success');
    // The sink may have aborted the call meanwhile (the attempt is then closed).
    if (attempt.phase === 'body') attempt.phase = 'dump';
  }

  /** A transport failure, timeout or abort before the head. */
  onAttemptError(attempt: AttemptHandler, error: unknown, aborted: boolean): void {
    const outcome = outcomeOfError(error);
    this.judge(attempt, outcome);
    if (!aborted || outcome === 'failure') this.deps.markFailed(error);
    if (this.state === 'calling' && attempt === this.attempt) this.retryOrFail(error);
  }

  /** A dumped body is over: the retry it made way for waits its backoff. */
  onDumped(attempt: AttemptHandler): void {
    if (this.state !== 'calling' || attempt !== this.attempt || attempt.retryDelay === undefined) return;
    this.waitAndRetry(attempt.retryDelay);
  }

  onBodyEnd(): void {
    if (this.state !== 'streaming') return;
    this.state = 'done';
    this.stopTimers();
    this.judgeBody('success');
    this.sink.onEnd();
  }

  /** The body was cut: by the upstream or the network (a failure), the deadline (a failure), or the sink (says nothing). */
  onBodyError(error: unknown): void {
    if (this.state !== 'streaming') return;
    this.state = 'done';
    this.stopTimers();
    this.judgeBody(outcomeOfError(error));
    this.sink.onError(error);
  }

  private judgeBody(outcome: Outcome): void {
    const attempt = this.unjudgedBody;
    if (attempt === undefined) return;
    this.unjudgedBody = undefined;
    this.judge(attempt, outcome);
  }

  private judge(attempt: AttemptHandler, outcome: Outcome): void {
    this.deps.targets.record(attempt.target, outcome);
    if (outcome === 'failure') this.deps.stats.failures += 1;
    attempt.permit?.done(outcome);
  }

  private retryOrFail(error: unknown): void {
    // A retry stopped by the breaker it just tripped reports the failure the caller saw.
    if (error instanceof CircuitOpenError && this.previousError !== undefined) return this.fail(this.previousError);
    this.previousError = error;
    const delay = this.canRetry && !this.deadlinePassed ? this.deps.policy.delayBefore(this.retryNo, { error }, this.deadlineAt) : undefined;
    if (delay === undefined) this.fail(error);
    else this.waitAndRetry(delay);
  }

  private waitAndRetry(delay: number): void {
    const retry = (): void => {
      this.waitTimer = undefined;
      if (this.state !== 'calling') return;
      this.deps.stats.retries += 1;
      this.retryNo += 1;
      this.sendAttempt();
    };
    if (delay <= 0) queueMicrotask(retry);
    else this.waitTimer = this.deps.clock.setTimeout(retry, delay);
  }

  /**
   * The deadline passed before the final head: an attempt waiting for its head fails with it (a
   * failure, as in `request`); a backoff or a dump ends at once. With `deadline: 'body'` it also
   * cuts a body still streaming, which then ends in the sink's `onError` with the timeout.
   */
  private onDeadline(): void {
    this.deadlineTimer = undefined;
    if (this.state === 'done') return;
    this.deadlinePassed = true;
    const error = new UpstreamTimeoutError(this.options.name, this.options.deadlineMs);
    const attempt = this.attempt;
    if (this.state === 'streaming') {
      attempt?.abort(error);
      return;
    }
    if (attempt !== undefined && attempt.phase === 'head') {
      attempt.abort(error);
      return;
    }
    this.fail(error);
    attempt?.abort(error);
  }

  private fail(error: unknown): void {
    this.state = 'done';
    this.stopTimers();
    this.sink.onError(error);
  }

  private stopTimers(): void {
    if (this.deadlineTimer !== undefined) this.deps.clock.clearTimeout(this.deadlineTimer);
    this.deadlineTimer = undefined;
    this.stopWaitTimer();
  }

  private stopWaitTimer(): void {
    if (this.waitTimer !== undefined) this.deps.clock.clearTimeout(this.waitTimer);
    this.waitTimer = undefined;
  }
}
