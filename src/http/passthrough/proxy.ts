import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RouteConfig } from '../../config/routes.js';
import { UpstreamResponseError } from '../../errors.js';
import type { Upstream, UpstreamResponse } from '../../upstream/index.js';
import { requestBody } from './body-limit.js';
import type { ForwardedResolver } from './forwarded.js';
import { clientHeaders, compileHeaderPlan, upstreamHeaders } from './headers.js';
import { createLocationRewriter } from './location.js';

/** Forwards one matched request: `upstreamPath` is the rewritten path, `search` the raw query. */
export type Proxy = (req: IncomingMessage, res: ServerResponse, requestId: string, upstreamPath: string, search: string) => Promise<void>;

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

  return async function proxy(req, res, requestId, upstreamPath, search) {
    const body = requestBody(req, maxBodyBytes);
    const headers = upstreamHeaders(req.headers, requestPlan, forwarded.headers(req));
    headers['x-request-id'] = requestId;
    const controller = new AbortController();
    const abort = (): void => {
      if (!res.writableFinished) controller.abort();
    };
    res.once('close', abort);
    const method = req.method ?? 'GET';
    let response: UpstreamResponse;
    try {
      response = await upstream.request({
        method,
        path: upstreamPath + search,
        headers,
        body,
        signal: controller.signal,
        idempotent: body === null && IDEMPOTENT.has(method),
      });
    } catch (error) {
      if (controller.signal.aborted) return;
      throw error;
    }
    if (response.statusCode >= 500 && !route.passUpstreamErrors) {
      response.body.dump().catch(() => undefined);
      throw new UpstreamResponseError(upstream.name, response.statusCode);
    }
    respond(req, res, response, method);
  };

  function respond(req: IncomingMessage, res: ServerResponse, response: UpstreamResponse, method: string): void {
    const out = clientHeaders(response.headers, responsePlan);
    if (rewriteLocation !== undefined && typeof out['location'] === 'string') out['location'] = rewriteLocation(out['location'], req);
    res.writeHead(response.statusCode, out);
    if (method === 'HEAD' || NO_BODY_STATUS.has(response.statusCode)) {
      response.body.dump().catch(() => undefined);
      res.end();
      return;
    }
    relay(response.body, res);
  }
}

/**
 * Streams the upstream body to the client with back-pressure (`pipe`). An upstream error
 * mid-body destroys the client socket; a client gone early destroys the upstream body. Cheaper
 * than `stream.pipeline`, which makes an AbortController (and a DOMException) per call.
 */
function relay(body: UpstreamResponse['body'], res: ServerResponse): void {
  body.once('error', () => res.destroy());
  res.once('close', () => {
    if (!body.readableEnded) body.destroy();
  });
  body.pipe(res);
}
