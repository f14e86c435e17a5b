import type { IncomingHttpHeaders } from 'node:http';
import type { Dispatcher } from 'undici';
import type { BreakerPermit } from './circuit-breaker.js';
import { classifyTransportError } from './classify-error.js';
import type { Clock } from './clock.js';
import type { Target } from './targets.js';
import type { StreamRequest, UpstreamSink } from './types.js';

/** Bytes of an unwanted body (a retried or refused answer) read to keep its connection, as undici's `dump()`; past that it is cut. */
const DUMP_LIMIT = 128 * 1024;

export type AttemptPhase = 'head' | 'body' | 'dump' | 'closed';

/** The call an attempt reports to (streamed-call.ts). */
export interface AttemptOwner {
  readonly options: { name: string; attemptTimeoutMs: number };
  readonly deps: { clock: Clock };
  readonly request: StreamRequest;
  readonly sink: UpstreamSink;
  onAttemptHead(attempt: AttemptHandler, statusCode: number, headers: IncomingHttpHeaders): void;
  onAttemptError(attempt: AttemptHandler, error: unknown, aborted: boolean): void;
  onDumped(attempt: AttemptHandler): void;
  onBodyEnd(): void;
  onBodyError(error: unknown): void;
}

/** One attempt: the undici handler of one dispatched request. */
export class AttemptHandler implements Dispatcher.DispatchHandler {
  controller: Dispatcher.DispatchController | undefined;
  phase: AttemptPhase = 'head';
  timer: unknown;
  retryDelay: number | undefined;
  private abortReason: Error | undefined;
  private dumped = 0;

  constructor(
    private readonly call: AttemptOwner,
    readonly target: Target,
    readonly permit: BreakerPermit | undefined,
  ) {}

  abort(reason: Error): void {
    if (this.phase === 'closed') return;
    this.abortReason ??= reason;
    this.controller?.abort(reason);
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    if (this.abortReason !== undefined) controller.abort(this.abortReason);
  }

  onResponseStart(_controller: Dispatcher.DispatchController, statusCode: number, headers: IncomingHttpHeaders): void {
    if (statusCode < 200 || this.phase !== 'head') return;
    this.stopTimer();
    this.phase = 'body';
    this.call.onAttemptHead(this, statusCode, headers);
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.phase === 'body') {
      if (!this.call.sink.onData(chunk)) controller.pause();
    } else if (this.phase === 'dump') {
      this.dumped += chunk.length;
      if (this.dumped > DUMP_LIMIT) controller.abort(new Error('unwanted body over the dump limit'));
    }
  }

  onResponseEnd(): void {
    const phase = this.close();
    if (phase === 'body') this.call.onBodyEnd();
    else if (phase === 'dump') this.call.onDumped(this);
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    this.stopTimer();
    destroyStreamBody(this.call.request.body, error);
    const phase = this.close();
    const { options } = this.call;
    if (phase === 'head') {
      const aborted = this.abortReason !== undefined;
      this.call.onAttemptError(this, aborted ? this.abortReason : classifyTransportError(error, options.name, options.attemptTimeoutMs, undefined), aborted);
    } else if (phase === 'body') {
      this.call.onBodyError(this.abortReason ?? classifyTransportError(error, options.name, options.attemptTimeoutMs, undefined));
    } else if (phase === 'dump') {
      this.call.onDumped(this);
    }
  }

  /** Ends the attempt once: its target has one request less in flight. */
  private close(): AttemptPhase {
    const phase = this.phase;
    if (phase !== 'closed') {
      this.phase = 'closed';
      this.target.outstanding -= 1;
    }
    return phase;
  }

  private stopTimer(): void {
    if (this.timer === undefined) return;
    this.call.deps.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }
}

/** As undici's `request` does: a failed call destroys the stream it was sending. */
function destroyStreamBody(body: StreamRequest['body'], error: Error): void {
  if (body === null || body === undefined || typeof body === 'string' || Buffer.isBuffer(body)) return;
  body.on('error', noop);
  body.destroy(error);
}

function noop(): void {}
