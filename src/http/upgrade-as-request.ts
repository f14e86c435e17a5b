import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { JunctionError } from '../errors.js';
import { expectsBody } from './body-idle.js';
import { GatewayResponse } from './gateway-response.js';
import { requestIdOf } from './request-id.js';
import { sendError } from './respond.js';

/**
 * Node hands every request that carries `Upgrade` to the server's `upgrade` listener once there is
 * one, with the HTTP parser already detached from the socket. A request the listener does not
 * take (its path is no `websocket: true` route) is served here as a plain HTTP request: a
 * response is bound to the raw socket and the request goes to the server's own `request`
 * handler (exact routes, then the passthrough), so the client's `Upgrade` is simply not honoured
 * (RFC 9110 §7.8 lets a server ignore it). The connection closes after the response, since no
 * parser is left to read a next request; the response's `close` comes with the socket's. A
 * request with a body is refused with 400: its bytes are no longer parsed, so it cannot be forwarded.
 */
export function serveUpgradeAsRequest(req: IncomingMessage, socket: Duplex): void {
  const res = new GatewayResponse(req);
  res.shouldKeepAlive = false;
  res.assignSocket(socket as Socket);
  socket.on('error', () => socket.destroy());
  res.once('finish', () => {
    res.detachSocket(socket as Socket);
    socket.end();
  });
  // Node emits a response's `close` from a socket listener that `detachSocket` removes; the
  // server's in-flight count and the metrics wait for it. Once only: before the detach, Node's own fires.
  let closed = false;
  res.once('close', () => (closed = true));
  socket.once('close', () => {
    if (!closed) res.emit('close');
  });
  const server = (socket as Socket & { server?: { emit(event: 'request', req: IncomingMessage, res: ServerResponse): boolean } }).server;
  if (expectsBody(req) || server === undefined) {
    const requestId = requestIdOf(req);
    res.requestId = requestId;
    sendError(res, requestId, new JunctionError('BAD_REQUEST', 'A protocol upgrade is only accepted without a body, on WebSocket routes'));
    return;
  }
  server.emit('request', req, res);
}
