import type { IncomingHttpHeaders, IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { RouteConfig } from '../../config/routes.js';
import { JunctionError, UpstreamResponseError } from '../../errors.js';
import type { Logger } from '../../logger.js';
import type { Upstream, UpstreamCall, UpstreamSink } from '../../upstream/index.js';
import { sendFailure } from '../respond.js';
import { requestBody } from './body-limit.js';
import type { ForwardedResolver } from './forwarded.js';
import { clientHeaders, compileHeaderPlan, upstreamHeaders, type HeaderPlan } from './headers.js';
import { createLocationRewriter } from './location.js';

/** The upstream's response head, given to an after-proxy step before it is written to the client. */
export interface ProxiedResponse {
  status: number;
  upstreamHeaders: IncomingHttpHeaders;
  /** The headers about to be sent; the step may add to them. */
  headers: OutgoingHttpHeaders;
}

/** A copy of the body an after-proxy step asked for: teed while it streams, dropped past `maxBytes`. */
export interface ResponseTap {
  maxBytes: number;
  /** The whole body once the upstream finished it; never called when it failed, was cut or the client left. */
  onBody(body: Buffer): Promise<void>;
}

/** A policy step run with the upstream's response head (e.g. the cache deciding whether to store it). */
export type AfterProxy = (response: ProxiedResponse) => ResponseTap | undefined;

/** A request's policy steps around its upstream call. */
export interface ProxySteps {
  afterProxy?: AfterProxy | undefined;
  /**
   * The upstream failed before anything reached the client (unreachable, timed out, breaker open,
   * or a 5xx answered as 502); true when the step answered the client itself (a stale copy).
   * Tried before the route's static fallback.
   */
  onUpstreamFailure?: (() => boolean) | undefined;
}

/**
 * Forwards one matched request: `upstreamPath` is the rewritten path, `search` the raw query. The
 * exchange answers every outcome itself (errors in the REST shape), so no promise is made per request.
 */
export type Proxy = (req: IncomingMessage, res: ServerResponse, requestId: string, upstreamPath: string, search: string, steps?: ProxySteps) => void;

export interface ProxyOptions {
  route: RouteConfig;
  upstream: Upstream;
  /** Body limit when the route sets none (`server.maxBodyBytes`). */
  defaultMaxBodyBytes: number;
  logger: Logger;
}

const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS']);
const NO_BODY_STATUS = new Set([204, 304]);

/**
 * The reverse proxy of one passthrough route, compiled once. Bodies stream both ways with
 * back-pressure and are never buffered; a client that goes away aborts the upstream request;
 * an upstream that stops mid-body ends the client response (its socket is destroyed, so the
 * client sees a truncated message, never a complete-looking one). Redirects are passed on, never
 * followed. Upstream 5xx become 502 unless `passUpstreamErrors`. The answer is streamed through
 * `Upstream.stream`: the upstream's chunks go straight into the client response.
 */
export function createProxy(options: ProxyOptions, forwarded: ForwardedResolver): Proxy {
  const { route, upstream } = options;
  const maxBodyBytes = route.maxBodyBytes ?? options.defaultMaxBodyBytes;
  const requestPlan = compileHeaderPlan(route.requestHeaders, true);
  const hostOverride = route.rewrite.host;
  const compiled: CompiledResponse = {
    upstream: upstream.name,
    passUpstreamErrors: route.passUpstreamErrors === true,
    plan: compileHeaderPlan(route.responseHeaders, false),
    logger: options.logger,
    rewriteLocation: createLocationRewriter(route, upstream, forwarded),
    fallback: route.fallback === undefined ? undefined : createFallback(route.fallback),
  };

  return function proxy(req, res, requestId, upstreamPath, search, steps) {
    // The client left while a policy decided: nothing to forward.
    if (res.destroyed) return;
    const body = requestBody(req, maxBodyBytes);
    const headers = upstreamHeaders(req.headers, requestPlan, forwarded.headers(req));
    headers['x-request-id'] = requestId;
    if (hostOverride !== undefined) headers['host'] = hostOverride;
    const method = req.method ?? 'GET';
    const exchange = new ProxyExchange(compiled, req, res, requestId, method, steps);
    // The client leaving aborts the call: before the head, or mid-body.
    res.on('close', exchange.onClientClose);
    exchange.call = upstream.stream(
      { method, path: upstreamPath + search, headers, body, idempotent: body === null && IDEMPOTENT.has(method) },
      exchange,
    );
  };
}

/** What every exchange of one route shares. */
interface CompiledResponse {
  upstream: string;
  passUpstreamErrors: boolean;
  plan: HeaderPlan;
  logger: Logger;
  rewriteLocation: ((location: string, req: IncomingMessage) => string) | undefined;
  fallback: ((res: ServerResponse) => void) | undefined;
}

/**
 * One proxied request: the sink of its upstream call. Writes the response head (or the error
 * answer), then relays the body chunks with back-pressure, teeing a copy when an after-proxy step
 * asked for one.
 */
class ProxyExchange implements UpstreamSink {
  call: UpstreamCall | undefined;
  private clientGone = false;
  private tap: ResponseTap | undefined;
  private copy: Buffer[] | undefined;
  private copied = 0;

  constructor(
    private readonly route: CompiledResponse,
    private readonly req: IncomingMessage,
    private readonly res: ServerResponse,
    private readonly requestId: string,
    private readonly method: string,
    private readonly steps: ProxySteps | undefined,
  ) {}

  /** The response's `close` listener (bound: one function per exchange, no `once` wrapper). */
  readonly onClientClose = (): void => {
    if (this.res.writableFinished) return;
    this.clientGone = true;
    this.call?.abort(new Error('The client closed the connection'));
  };

  onHead(statusCode: number, upstreamHeaders: IncomingHttpHeaders): boolean {
    const { route, res } = this;
    if (statusCode >= 500 && !route.passUpstreamErrors) {
      this.answerFailure(new UpstreamResponseError(route.upstream, statusCode));
      return false;
    }
    const out = clientHeaders(upstreamHeaders, route.plan);
    // Here rather than by GatewayResponse: `out` is this request's own object, no copy needed.
    out['x-request-id'] ??= this.requestId;
    if (route.rewriteLocation !== undefined && typeof out['location'] === 'string') out['location'] = route.rewriteLocation(out['location'], this.req);
    const tap = this.steps?.afterProxy?.({ status: statusCode, upstreamHeaders, headers: out });
    res.writeHead(statusCode, out);
    if (this.method === 'HEAD' || NO_BODY_STATUS.has(statusCode)) {
      res.end();
      return false;
    }
    if (tap !== undefined) {
      this.tap = tap;
      this.copy = [];
    }
    return true;
  }

  onData(chunk: Buffer): boolean {
    if (this.copy !== undefined) this.keepCopy(chunk);
    if (this.res.write(chunk)) return true;
    this.res.once('drain', () => this.call?.resume());
    return false;
  }

  onEnd(): void {
    if (this.copy !== undefined) this.tap!.onBody(Buffer.concat(this.copy, this.copied)).catch(() => undefined);
    this.res.end();
  }

  onError(error: unknown): void {
    const { res } = this;
    if (res.headersSent) {
      // Mid-body: the client must see a truncated message, never a complete-looking one.
      res.destroy();
      return;
    }
    if (this.clientGone) return;
    if (isUpstreamFailure(error)) this.answerFailure(error);
    else this.fail(error);
  }

  /** The upstream failed before the client got anything: a policy's stale copy, else the route's static fallback, else the error. */
  private answerFailure(error: unknown): void {
    if (this.steps?.onUpstreamFailure?.() === true) return;
    if (this.route.fallback !== undefined) this.route.fallback(this.res);
    else this.fail(error);
  }

  private fail(error: unknown): void {
    sendFailure(this.res, this.requestId, error, this.route.logger);
  }

  /** The copy for the tap, dropped past its `maxBytes` (a large body then costs nothing more). */
  private keepCopy(chunk: Buffer): void {
    this.copied += chunk.length;
    if (this.copied > this.tap!.maxBytes) {
      this.copy = undefined;
      this.tap = undefined;
      return;
    }
    this.copy!.push(chunk);
  }
}

const UPSTREAM_FAILURES = new Set(['UPSTREAM_UNAVAILABLE', 'UPSTREAM_ERROR', 'GATEWAY_TIMEOUT', 'UPSTREAM_CIRCUIT_OPEN']);

function isUpstreamFailure(error: unknown): boolean {
  return error instanceof JunctionError && UPSTREAM_FAILURES.has(error.code);
}

/** The route's static answer for a failed upstream, serialised once. */
function createFallback(config: NonNullable<RouteConfig['fallback']>): (res: ServerResponse) => void {
  const body = Buffer.from(JSON.stringify(config.body ?? null));
  const headers = {
    ...config.headers,
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(body.length),
    'cache-control': 'no-store',
    'x-junction-fallback': 'static',
  };
  return function sendFallback(res) {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    res.writeHead(config.status, headers);
    res.end(body);
  };
}
