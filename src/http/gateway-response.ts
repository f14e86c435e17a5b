import { ServerResponse, type IncomingMessage, type OutgoingHttpHeader, type OutgoingHttpHeaders } from 'node:http';
import type { WatchedResponse } from './body-idle.js';

type HeadersArgument = OutgoingHttpHeaders | OutgoingHttpHeader[] | undefined;

/**
 * The server's response class: every response carries the request's `x-request-id`. It is added
 * as the head is written rather than set beforehand: one header set with `setHeader` sends every
 * header of a later `writeHead` through `setHeader` too (Node's slow path), and most handlers
 * write their whole head at once. A handler's own `x-request-id` (an upstream's echo) is kept
 * (header objects here use lower-case names, as Node's and Yoga's do).
 */
export class GatewayResponse extends ServerResponse<IncomingMessage> implements WatchedResponse {
  requestId: string | undefined;
  /** The body-idle watch's entry of this request (src/http/body-idle.ts). */
  bodyWatch: object | undefined = undefined;
  /** The route this request is counted under, and when it arrived (`performance.now()`); set only when metrics are on. */
  route: string | undefined = undefined;
  startedAt = 0;
  /** Whether the server has counted this response as ended (src/http/server.ts). */
  finishedOnce = false;

  override writeHead(statusCode: number, reasonOrHeaders?: string | HeadersArgument, maybeHeaders?: HeadersArgument): this {
    const reason = typeof reasonOrHeaders === 'string' ? reasonOrHeaders : undefined;
    const headers = typeof reasonOrHeaders === 'string' ? maybeHeaders : reasonOrHeaders;
    const id = this.requestId;
    if (id === undefined || this.headersSent) return super.writeHead(statusCode, reason, headers);
    if (headers !== undefined && !Array.isArray(headers)) {
      const own = headers['x-request-id'] !== undefined || this.hasHeader('x-request-id');
      const withId = own ? headers : { ...headers, 'x-request-id': id };
      return super.writeHead(statusCode, reason, withId);
    }
    if (!this.hasHeader('x-request-id')) this.setHeader('x-request-id', id);
    return super.writeHead(statusCode, reason, headers);
  }
}

/** Names the route a response is counted under in the metrics (a REST route once matched). */
export function countUnderRoute(res: ServerResponse, route: string): void {
  if (res instanceof GatewayResponse) res.route = route;
}
