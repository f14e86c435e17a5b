import type { IncomingHttpHeaders } from 'node:http';
import { UpstreamResponseError } from '../errors.js';
import type { ClientSignal } from '../context.js';
import type { StreamRequest, Upstream, UpstreamCall, UpstreamSink } from './types.js';

/** A whole upstream answer, read into memory. */
export interface BufferedResponse {
  statusCode: number;
  headers: IncomingHttpHeaders;
  /** Empty when the status's body was not wanted (it was read and dropped). */
  body: Buffer;
}

export interface BufferedOptions {
  /** The request's signal (the client went away): aborts the call, which rejects with its reason. */
  signal?: ClientSignal | undefined;
  /** A larger body is abandoned (the call aborted) and the call fails with UPSTREAM_ERROR. */
  maxBytes: number;
  /** Whether the body of this status is wanted; default every status. */
  wantsBody?: (statusCode: number) => boolean;
}

const EMPTY = Buffer.alloc(0);

/**
 * One call whose body the gateway needs whole (GraphQL and OpenAPI sources), made through
 * `Upstream.stream` with `deadline: 'body'`: the deadline, retries, breaker and balancing of
 * `request`, without its promise chain, AbortSignal per call or body stream. Only the
 * request's own signal is listened to, and only while the call is in flight.
 */
export function callBuffered(upstream: Pick<Upstream, 'name' | 'stream'>, request: StreamRequest, options: BufferedOptions): Promise<BufferedResponse> {
  const { signal } = options;
  if (signal?.aborted === true) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    const sink = new BufferingSink(upstream.name, options, resolve, reject);
    sink.call = upstream.stream({ ...request, deadline: 'body' }, sink);
    sink.listen(signal);
  });
}

class BufferingSink implements UpstreamSink {
  call: UpstreamCall | undefined;
  private statusCode = 0;
  private headers: IncomingHttpHeaders = {};
  private chunks: Buffer[] = [];
  private size = 0;
  private settled = false;
  private signal: ClientSignal | undefined;

  constructor(
    private readonly upstream: string,
    private readonly options: BufferedOptions,
    private readonly resolve: (response: BufferedResponse) => void,
    private readonly reject: (error: unknown) => void,
  ) {}

  listen(signal: ClientSignal | undefined): void {
    if (signal === undefined || this.settled) return;
    this.signal = signal;
    signal.onAbort(this.onAbort);
  }

  onHead(statusCode: number, headers: IncomingHttpHeaders): boolean {
    if (this.options.wantsBody !== undefined && !this.options.wantsBody(statusCode)) {
      this.succeed({ statusCode, headers, body: EMPTY });
      return false;
    }
    const declared = Number(headers['content-length']);
    if (Number.isFinite(declared) && declared > this.options.maxBytes) {
      this.fail(new UpstreamResponseError(this.upstream, undefined, new Error(`body of ${declared} bytes over ${this.options.maxBytes}`)));
      return false;
    }
    this.statusCode = statusCode;
    this.headers = headers;
    return true;
  }

  onData(chunk: Buffer): boolean {
    this.size += chunk.length;
    if (this.size > this.options.maxBytes) {
      const error = new UpstreamResponseError(this.upstream, undefined, new Error(`body over ${this.options.maxBytes} bytes`));
      this.call?.abort(error);
      this.fail(error);
      return false;
    }
    this.chunks.push(chunk);
    return true;
  }

  onEnd(): void {
    const { chunks } = this;
    this.succeed({ statusCode: this.statusCode, headers: this.headers, body: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, this.size) });
  }

  onError(error: unknown): void {
    this.fail(error);
  }

  /** Bound once per call: the signal's listener. */
  private readonly onAbort = (): void => {
    const reason: unknown = this.signal?.reason;
    this.call?.abort(reason instanceof Error ? reason : new Error('The request was aborted'));
    this.fail(reason);
  };

  private succeed(response: BufferedResponse): void {
    if (this.settle()) this.resolve(response);
  }

  private fail(error: unknown): void {
    if (this.settle()) this.reject(error);
  }

  private settle(): boolean {
    if (this.settled) return false;
    this.settled = true;
    this.signal?.offAbort(this.onAbort);
    this.chunks = [];
    return true;
  }
}
