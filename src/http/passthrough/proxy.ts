import type { IncomingHttpHeaders, IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { RouteConfig } from '../../config/routes.js';
import { JunctionError, UpstreamResponseError } from '../../errors.js';
import type { Upstream, UpstreamResponse } from '../../upstream/index.js';
import { requestBody } from './body-limit.js';
import type { ForwardedResolver } from './forwarded.js';
import { clientHeaders, compileHeaderPlan, upstreamHeaders } from './headers.js';
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

/** Forwards one matched request: `upstreamPath` is the rewritten path, `search` the raw query. */
export type Proxy = (req: IncomingMessage, res: ServerResponse, requestId: string, upstreamPath: string, search: string, afterProxy?: AfterProxy) => Promise<void>;

export interface ProxyOptions {
  route: RouteConfig;
  upstream: Upstream;
  /** Body limit when the route sets none (`server.maxBodyBytes`). */
  defaultMaxBodyBytes: number;
}

const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS']);
const NO_BODY_STATUS = new Set([204, 304]);

/**
 * The reverse proxy of one passthrough route, compiled once. Bodies stream both ways with
 * back-pressure and are never buffered; a client that goes away aborts the upstream request;
 * an upstream that stops mid-body ends the client response (its socket is destroyed, so the
 * client sees a truncated message, never a complete-looking one). Redirects are passed on, never
 * followed. Upstream 5xx become 502 unless `passUpstreamErrors`.
 */
export function createProxy(options: ProxyOptions, forwarded: ForwardedResolver): Proxy {
  const { route, upstream } = options;
  const maxBodyBytes = route.maxBodyBytes ?? options.defaultMaxBodyBytes;
  const requestPlan = compileHeaderPlan(route.requestHeaders, true);
  const responsePlan = compileHeaderPlan(route.responseHeaders, false);
  const rewriteLocation = createLocationRewriter(route, upstream, forwarded);
  const hostOverride = route.rewrite.host;
  const fallback = route.fallback === undefined ? undefined : createFallback(route.fallback);

  return async function proxy(req, res, requestId, upstreamPath, search, afterProxy) {
    const body = requestBody(req, maxBodyBytes);
    const headers = upstreamHeaders(req.headers, requestPlan, forwarded.headers(req));
    headers['x-request-id'] = requestId;
    if (hostOverride !== undefined) headers['host'] = hostOverride;
    // One controller for the whole call: the client leaving aborts it here (before the head, or
    // mid-body: undici then destroys the body it streams), the deadline layer aborts it on time.
    const controller = new AbortController();
    let clientGone = false;
    res.once('close', () => {
      if (res.writableFinished) return;
      clientGone = true;
      controller.abort();
    });
    const method = req.method ?? 'GET';
    let response: UpstreamResponse;
    try {
      response = await upstream.request({
        method,
        path: upstreamPath + search,
        headers,
        body,
        signal: controller.signal,
        controller,
        idempotent: body === null && IDEMPOTENT.has(method),
        // The deadline bounds the wait for the head; a streamed body is bounded by the idle timeout.
        deadline: 'headers',
      });
    } catch (error) {
      if (clientGone) return;
      if (fallback !== undefined && isUpstreamFailure(error)) return fallback(res);
      throw error;
    }
    if (clientGone) {
      response.body.destroy();
      return;
    }
    if (response.statusCode >= 500 && !route.passUpstreamErrors) {
      response.body.dump().catch(() => undefined);
      if (fallback !== undefined) return fallback(res);
      throw new UpstreamResponseError(upstream.name, response.statusCode);
    }
    respond(req, res, response, method, afterProxy);
  };

  function respond(req: IncomingMessage, res: ServerResponse, response: UpstreamResponse, method: string, afterProxy: AfterProxy | undefined): void {
    const out = clientHeaders(response.headers, responsePlan);
    if (rewriteLocation !== undefined && typeof out['location'] === 'string') out['location'] = rewriteLocation(out['location'], req);
    const tap = afterProxy?.({ status: response.statusCode, upstreamHeaders: response.headers, headers: out });
    res.writeHead(response.statusCode, out);
    if (method === 'HEAD' || NO_BODY_STATUS.has(response.statusCode)) {
      response.body.dump().catch(() => undefined);
      res.end();
      return;
    }
    if (tap !== undefined) teeBody(response.body, tap);
    relay(response.body, res);
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

/**
 * Keeps a copy of the body as it flows to the client (the same chunks, no extra read, no delay)
 * and hands it to the tap once the upstream ended it. Past `maxBytes` the copy is dropped and
 * the listener removed, so a large body costs nothing more.
 */
function teeBody(body: UpstreamResponse['body'], tap: ResponseTap): void {
  let chunks: Buffer[] = [];
  let size = 0;
  const onData = (chunk: Buffer): void => {
    size += chunk.length;
    if (size > tap.maxBytes) {
      chunks = [];
      body.off('data', onData);
      body.off('end', onEnd);
      return;
    }
    chunks.push(chunk);
  };
  const onEnd = (): void => {
    tap.onBody(Buffer.concat(chunks, size)).catch(() => undefined);
  };
  body.on('data', onData);
  body.once('end', onEnd);
}

/**
 * Streams the upstream body to the client with back-pressure (`pipe`). An upstream error
 * mid-body destroys the client socket; a client gone early aborts the call's controller (see
 * `proxy`), which destroys the upstream body. Cheaper than `stream.pipeline`, which makes an
 * AbortController (and a DOMException) per call.
 */
function relay(body: UpstreamResponse['body'], res: ServerResponse): void {
  body.once('error', () => res.destroy());
  body.pipe(res);
}
