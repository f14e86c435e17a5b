import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type { ServerConfig } from '../config/index.js';
import type { Logger } from '../logger.js';
import { createBodyIdleWatch, expectsBody } from './body-idle.js';
import { GatewayResponse } from './gateway-response.js';
import { requestIdOf } from './request-id.js';
import { CLIENT_CLOSED_STATUS, UNMATCHED_ROUTE, type RequestStats } from './request-stats.js';
import { sendErrorCode, sendFailure } from './respond.js';

export type RouteHandler = (req: IncomingMessage, res: ServerResponse, requestId: string) => void | Promise<void>;

export interface HttpServerOptions {
  config: ServerConfig;
  logger: Logger;
  /** Exact-path routes (health, GraphQL endpoint, admin). */
  routes: ReadonlyMap<string, RouteHandler>;
  /** Tried when no exact route matches (the REST passthrough, which enforces its own body limits); default answers 404. */
  fallback?: RouteHandler;
  /** Listener of the server's `upgrade` event (WebSocket passthrough). Default none: upgrades are plain requests. */
  onUpgrade?: (req: IncomingMessage, socket: Duplex, head: Buffer) => void;
  /** Where each response is counted (by route, status and duration) when metrics are on. Default none. */
  requestStats?: RequestStats;
}

export interface HttpServer {
  server: Server;
  listen(): Promise<AddressInfo>;
  /** Stops accepting, lets in-flight requests finish, closes what is left after `graceMs`. */
  drain(graceMs: number): Promise<void>;
}

/** The route table and connection handling shared by every surface. */
export function createHttpServer(options: HttpServerOptions): HttpServer {
  const { config, logger, routes, requestStats } = options;
  let inFlight = 0;
  let draining = false;
  let drained: (() => void) | undefined;
  const bodyIdle = createBodyIdleWatch(config.bodyIdleTimeoutMs);

  const server = createServer<typeof IncomingMessage, typeof GatewayResponse>(
    { maxHeaderSize: config.maxHeaderBytes, keepAliveTimeout: config.keepAliveTimeoutMs, requestTimeout: 0, ServerResponse: GatewayResponse },
    handle,
  );
  if (options.onUpgrade) server.on('upgrade', options.onUpgrade);

  function handle(req: IncomingMessage, res: GatewayResponse): void {
    const requestId = requestIdOf(req);
    res.requestId = requestId;
    if (draining) res.setHeader('connection', 'close');
    inFlight++;
    if (expectsBody(req)) bodyIdle.watch(req, res, requestId);
    res.on('close', finished); // emitted once: `on` spares the wrapper `once` allocates
    if (res.socket === null) req.once('close', () => pipelinedClosed(req, res));
    const path = pathOf(req.url);
    const exact = routes.get(path);
    if (requestStats !== undefined) {
      res.startedAt = performance.now();
      // A REST route names itself once matched (src/http/passthrough).
      res.route = exact === undefined ? UNMATCHED_ROUTE : path;
    }
    const route = exact ?? options.fallback ?? notFound;
    let outcome: void | Promise<void>;
    try {
      outcome = exact !== undefined && tooLarge(req) ? sendErrorCode(res, requestId, 'PAYLOAD_TOO_LARGE', 'Request body is too large') : route(req, res, requestId);
    } catch (error) {
      fail(error, res, requestId);
      return;
    }
    if (outcome instanceof Promise) outcome.catch((error: unknown) => fail(error, res, requestId));
  }

  function tooLarge(req: IncomingMessage): boolean {
    const length = Number(req.headers['content-length']);
    return Number.isFinite(length) && length > config.maxBodyBytes;
  }

  /**
   * A pipelined request's response waits for the ones before it to get the socket. When the
   * connection closes first, Node destroys the request but never closes that response: it is
   * finished here instead, or the in-flight count would never come down.
   */
  function pipelinedClosed(req: IncomingMessage, res: GatewayResponse): void {
    if (req.socket.destroyed && res.socket === null && !res.writableFinished) ended(res, CLIENT_CLOSED_STATUS);
  }

  /** The `close` listener of every response (`this`). */
  function finished(this: GatewayResponse): void {
    ended(this, this.headersSent ? this.statusCode : CLIENT_CLOSED_STATUS);
  }

  /** Once per response: it leaves the in-flight count and, with metrics on, is counted. */
  function ended(res: GatewayResponse, status: number): void {
    if (res.finishedOnce) return;
    res.finishedOnce = true;
    bodyIdle.forget(res);
    inFlight--;
    requestStats?.record(res.route ?? UNMATCHED_ROUTE, status, (performance.now() - res.startedAt) / 1000);
    if (draining && inFlight === 0) drained?.();
  }

  function fail(error: unknown, res: ServerResponse, requestId: string): void {
    sendFailure(res, requestId, error, logger);
  }

  return {
    // Its responses are GatewayResponse objects; to everything outside, a plain node:http server.
    server: server as unknown as Server,
    listen: () => new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(config.port, config.host, () => {
        server.off('error', reject);
        resolve(server.address() as AddressInfo);
      });
    }),
    drain: (graceMs) => new Promise((resolve) => {
      draining = true;
      server.close(() => resolve());
      server.closeIdleConnections();
      const force = setTimeout(() => server.closeAllConnections(), graceMs);
      force.unref();
      drained = () => {
        clearTimeout(force);
        server.closeAllConnections();
      };
      if (inFlight === 0) drained();
    }),
  };
}

function notFound(_req: IncomingMessage, res: ServerResponse, requestId: string): void {
  sendErrorCode(res, requestId, 'ROUTE_NOT_FOUND', 'No route matches this request');
}

function pathOf(url: string | undefined): string {
  if (url === undefined) return '/';
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}
