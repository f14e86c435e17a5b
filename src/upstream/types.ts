import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import type { Dispatcher } from 'undici';
import type { UpstreamConfig } from '../config/index.js';
import type { BreakerSnapshot } from './circuit-breaker.js';

export type { BreakerSnapshot, BreakerState } from './circuit-breaker.js';

/** One request to a named backend. `path` is relative to the upstream's base URL. */
export interface UpstreamRequest {
  method: string;
  /** Path and query, starting with `/`; the base URL's own path prefix is prepended. */
  path: string;
  headers: Record<string, string | string[]>;
  body?: string | Buffer | Readable | null;
  /** Aborts the upstream request: the client went away, or the request deadline passed. */
  signal?: AbortSignal;
  /**
   * The controller `signal` belongs to, when the caller made it for this call alone: the deadline
   * layer then aborts it on timeout instead of making a second controller and linking the two
   * (one AbortSignal and no extra listeners per call). The caller must tell its own aborts apart
   * from the deadline's (the reason is a GATEWAY_TIMEOUT error on a deadline).
   */
  controller?: AbortController;
  /** Safe to repeat (queries, GET/HEAD, or configured so). Only idempotent calls are ever retried. */
  idempotent?: boolean;
  /** Epoch ms by which the whole call must be done; set by the deadline layer for inner layers. */
  deadlineAt?: number;
  /**
   * What the deadline (`deadlineMs`) bounds. `'body'`: the whole call, until the response body is
   * closed (GraphQL and OpenAPI sources, which read the body). `'headers'`: the call until the
   * response head arrives; the streamed body is then bounded only by the pool's idle timeout
   * (`timeoutMs` without a byte), so a long download is never cut while it moves (REST
   * passthrough). Default `'body'`.
   */
  deadline?: 'headers' | 'body';
}

export interface UpstreamResponse {
  statusCode: number;
  headers: IncomingHttpHeaders;
  /** Streamed body; callers must consume or dump it. */
  body: Dispatcher.ResponseData['body'];
}

export type UpstreamFetch = (request: UpstreamRequest) => Promise<UpstreamResponse>;

/**
 * A call whose answer is streamed to a sink (the REST passthrough, `callBuffered`): no signal,
 * no controller, no promise. `deadline` defaults to `'headers'` here.
 */
export type StreamRequest = Pick<UpstreamRequest, 'method' | 'path' | 'headers' | 'body' | 'idempotent' | 'deadline'>;

/**
 * Receives one streamed call. Exactly one of `onHead` and `onError` is called first, once the
 * retries, the breaker and the deadline have decided; after an accepted head come `onData` and
 * then `onEnd` or `onError`. Nothing is called after the caller aborted.
 */
export interface UpstreamSink {
  /** The final response head. Return `false` to have the body read and dropped instead of streamed. */
  onHead(statusCode: number, headers: IncomingHttpHeaders): boolean;
  /** One body chunk; return `false` to pause until `UpstreamCall.resume()`. */
  onData(chunk: Buffer): boolean;
  onEnd(): void;
  /** The call failed (the typed error `request` rejects with), or the body broke off after the head. */
  onError(error: unknown): void;
}

/** A streamed call in flight. */
export interface UpstreamCall {
  /** The caller went away: the upstream request is aborted and the sink is called no more. */
  abort(reason: Error): void;
  /** Resumes a body paused by `onData` returning false. */
  resume(): void;
}

/** A layer around the upstream call (timeout, retry, breaker, metrics), as undici interceptors are. */
export type UpstreamWrapper = (next: UpstreamFetch) => UpstreamFetch;

/** What readiness reports about a backend. */
export interface UpstreamHealth {
  /** `undefined` until the first request or probe has finished. */
  reachable: boolean | undefined;
  /** Epoch ms of the last outcome. */
  checkedAt: number | undefined;
  /** Client-safe reason of the last failure (an error code, never a host). */
  lastError: string | undefined;
}

/** Counters of one upstream since start, served as `junction_upstream_*` metrics (src/metrics/upstream-metrics.ts). */
export interface UpstreamStats {
  /** Calls made through `request`. */
  requests: number;
  /** Attempts that reached a target (first tries and retries). */
  attempts: number;
  /** Retries made. */
  retries: number;
  /** Retries wanted but refused by the retry budget. */
  retriesDenied: number;
  /** Attempts that failed: connect error, reset, timeout or 5xx. */
  failures: number;
  /** Calls failed fast by an open circuit, with no network call. */
  shortCircuited: number;
  /** Times the circuit opened. */
  breakerOpens: number;
}

/** One target of an upstream as readiness shows it (no URL or host: it may reach a client). */
export interface TargetSnapshot {
  index: number;
  weight: number;
  outstanding: number;
  /** Passing active health checks (always true without them). */
  healthy: boolean;
  /** Out of balancing after consecutive failures, until its cool-down ends. */
  ejected: boolean;
}

/**
 * One object per named backend. GraphQL executors, OpenAPI resolvers and REST passthrough
 * routes all call it, so they share its pool, timeouts, breaker and health.
 */
export interface Upstream {
  readonly name: string;
  readonly config: UpstreamConfig;
  request: UpstreamFetch;
  /**
   * The same call as `request`, with the same deadline (to the response head, as `deadline:
   * 'headers'`), retries, breaker, balancing and counters, its answer streamed to `sink` instead
   * of returned as a stream: no promise, AbortSignal or body stream per call.
   */
  stream(request: StreamRequest, sink: UpstreamSink): UpstreamCall;
  health(): UpstreamHealth;
  /** Asks the backend for anything at all (any HTTP answer counts as reachable). */
  probe(timeoutMs: number): Promise<UpstreamHealth>;
  /** The circuit breaker's state; always `closed` when the breaker is disabled. */
  breaker(): BreakerSnapshot;
  /** Balancing and health of each target. */
  targets(): TargetSnapshot[];
  stats(): UpstreamStats;
  /** Closes the pools and stops active health checks. */
  close(): Promise<void>;
}
