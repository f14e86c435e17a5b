import { request as httpRequest, STATUS_CODES, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Duplex } from 'node:stream';
import type { RouteConfig } from '../../config/routes.js';
import { JunctionError, UpstreamTimeoutError, UpstreamUnavailableError } from '../../errors.js';
import type { Upstream } from '../../upstream/index.js';
import { CLIENT_CLOSED_STATUS } from '../request-stats.js';
import type { ForwardedResolver } from './forwarded.js';
import { compileHeaderPlan, isHopByHop, upstreamHeaders } from './headers.js';

/** Opens the tunnel of one matched upgrade request; `answered` is told the status the client got (101 when the tunnel opened). */
export type WebSocketProxy = (req: IncomingMessage, socket: Duplex, head: Buffer, requestId: string, upstreamPath: string, search: string, answered: (status: number) => void) => void;

/** Open tunnels, so a shutdown can end them. */
export interface TunnelSet {
  add(socket: Duplex): void;
  closeAll(): void;
}

/**
 * WebSocket passthrough for routes with `websocket: true`. The handshake goes to the route's
 * upstream (its configured URL, or its first target) on a connection of its own, since a pooled
 * keep-alive connection cannot be handed over to a tunnel; the same header rules, forwarding
 * headers and static upstream headers apply. A 101 answer joins the two sockets byte for byte;
 * any other answer is relayed and the connection closed. Either side closing closes the other.
 */
export function createWebSocketProxy(route: RouteConfig, upstream: Upstream, forwarded: ForwardedResolver, tunnels: TunnelSet): WebSocketProxy {
  const plan = compileHeaderPlan(route.requestHeaders, true);
  const config = upstream.config as { url?: string; targets?: readonly { url: string }[]; headers: Record<string, string>; timeoutMs: number };
  const base = new URL(config.url ?? config.targets?.[0]?.url ?? 'http://invalid');
  const basePath = base.pathname.replace(/\/+$/, '');
  const send = base.protocol === 'https:' ? httpsRequest : httpRequest;

  return function proxyWebSocket(req, socket, head, requestId, upstreamPath, search, answered) {
    // Reset while the route's policies ran: its 'close' has passed, nothing would end the tunnel.
    if (socket.destroyed) {
      answered(CLIENT_CLOSED_STATUS);
      return;
    }
    const headers: Record<string, string | string[]> = { ...upstreamHeaders(req.headers, plan, forwarded.headers(req)), ...config.headers };
    headers['connection'] = 'Upgrade';
    headers['upgrade'] = req.headers.upgrade ?? 'websocket';
    headers['x-request-id'] = requestId;
    if (route.rewrite.host !== undefined) headers['host'] = route.rewrite.host;
    const outgoing = send({
      protocol: base.protocol, hostname: base.hostname, port: base.port, method: 'GET',
      path: basePath + upstreamPath + search, headers, agent: false, timeout: config.timeoutMs,
    });
    const abandon = (): void => {
      outgoing.destroy();
    };
    socket.once('close', abandon);
    const waiting = awaitHandshake(socket, head);
    outgoing.once('timeout', () => outgoing.destroy(new UpstreamTimeoutError(upstream.name, config.timeoutMs)));
    outgoing.once('error', (error) => {
      waiting.refused();
      answered(rejectUpgrade(socket, requestId, error instanceof JunctionError ? error : new UpstreamUnavailableError(upstream.name, error)));
    });
    outgoing.once('response', (response) => {
      waiting.refused();
      answered(relayRefusal(socket, response, requestId));
    });
    outgoing.once('upgrade', (response, upstreamSocket, upstreamHead) => {
      socket.off('close', abandon);
      outgoing.setTimeout(0);
      upstreamSocket.setTimeout(0);
      join(socket, waiting.stop(), upstreamSocket, upstreamHead, response, requestId);
      answered(socket.destroyed ? CLIENT_CLOSED_STATUS : 101);
      tunnels.add(socket);
      tunnels.add(upstreamSocket);
    });
    outgoing.end();
  };
}

/** Most bytes a client may send before its handshake is answered (it should send none). */
const MAX_EARLY_BYTES = 64 * 1024;

/**
 * Reads the client's socket while the upstream answers the handshake, so that a client leaving
 * (or half-closing, which it never does in a handshake) is noticed at once: the socket closes and
 * the upstream request is dropped, instead of both waiting for the upstream's answer or timeout.
 * Bytes the client sent early are kept, up to a bound, and go upstream once the tunnel opens.
 */
function awaitHandshake(socket: Duplex, head: Buffer): { stop(): Buffer; refused(): void } {
  let early = head;
  const collect = (chunk: Buffer): void => {
    early = early.length === 0 ? chunk : Buffer.concat([early, chunk]);
    if (early.length > MAX_EARLY_BYTES) socket.destroy();
  };
  const leave = (): void => {
    socket.destroy();
  };
  socket.on('data', collect);
  socket.once('end', leave);
  // The HTTP server handed the socket over paused.
  socket.resume();
  const stop = (): Buffer => {
    // Paused first: with its listener gone, a flowing socket would drop what arrives before the pipe.
    socket.pause();
    socket.off('data', collect);
    socket.off('end', leave);
    return early;
  };
  return {
    stop,
    /** The handshake is being refused: what the client sends now is dropped, and the refusal is written whole. */
    refused() {
      stop();
      early = Buffer.alloc(0);
      socket.resume();
    },
  };
}

function join(client: Duplex, clientHead: Buffer, upstream: Duplex, upstreamHead: Buffer, response: IncomingMessage, requestId: string): void {
  let head = 'HTTP/1.1 101 Switching Protocols\r\n';
  const raw = response.rawHeaders;
  for (let index = 0; index < raw.length; index += 2) {
    const name = raw[index]!.toLowerCase();
    if (isHopByHop(name) && name !== 'upgrade') continue;
    head += `${raw[index]}: ${raw[index + 1]}\r\n`;
  }
  client.write(`${head}Connection: Upgrade\r\nx-request-id: ${requestId}\r\n\r\n`);
  if (upstreamHead.length > 0) client.write(upstreamHead);
  if (clientHead.length > 0) upstream.write(clientHead);
  const closeBoth = (): void => {
    client.destroy();
    upstream.destroy();
  };
  client.on('error', closeBoth).on('close', closeBoth);
  upstream.on('error', closeBoth).on('close', closeBoth);
  upstream.pipe(client);
  client.pipe(upstream);
}

/** The upstream declined the upgrade: its status goes to the client, then the connection closes. Returns the status sent. */
function relayRefusal(client: Duplex, response: IncomingMessage, requestId: string): number {
  const status = response.statusCode ?? 502;
  if (status >= 500) {
    response.resume();
    return rejectUpgrade(client, requestId, new JunctionError('UPSTREAM_ERROR', 'Upstream refused the WebSocket upgrade'));
  }
  let head = `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\n`;
  const raw = response.rawHeaders;
  for (let index = 0; index < raw.length; index += 2) {
    if (!isHopByHop(raw[index]!.toLowerCase())) head += `${raw[index]}: ${raw[index + 1]}\r\n`;
  }
  client.write(`${head}Connection: close\r\nx-request-id: ${requestId}\r\n\r\n`);
  response.pipe(client);
  return status;
}

/** Answers an upgrade request with the REST error shape on the raw socket, then closes it. Returns the status sent (499 when the client had left). */
export function rejectUpgrade(socket: Duplex, requestId: string, error: JunctionError): number {
  if (!socket.writable) {
    socket.destroy();
    return CLIENT_CLOSED_STATUS;
  }
  const body = JSON.stringify(error.toRestBody(requestId));
  let head = `HTTP/1.1 ${error.status} ${STATUS_CODES[error.status] ?? ''}\r\ncontent-type: application/json; charset=utf-8\r\n`;
  head += `content-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\nx-request-id: ${requestId}\r\n`;
  for (const [name, value] of Object.entries(error.headers)) if (name !== 'connection') head += `${name}: ${value}\r\n`;
  socket.end(`${head}\r\n${body}`);
  return error.status;
}

/** The set of open tunnel sockets, forgotten as they close. */
export function createTunnelSet(): TunnelSet {
  const open = new Set<Duplex>();
  return {
    add(socket) {
      open.add(socket);
      socket.once('close', () => open.delete(socket));
    },
    closeAll() {
      for (const socket of open) socket.destroy();
    },
  };
}
