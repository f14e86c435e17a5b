import type { IncomingMessage, ServerResponse } from 'node:http';
import { JunctionError } from '../errors.js';
import { sendError } from './respond.js';

export interface BodyIdleWatch {
  /** Watches a request whose body is still arriving; `forget` it once its response is closed. */
  watch(req: IncomingMessage, res: ServerResponse, requestId: string): void;
  forget(req: IncomingMessage): void;
  close(): void;
}

interface Watched {
  res: ServerResponse;
  requestId: string;
  bytesRead: number;
  /** When `bytesRead` last moved (ms, monotonic). */
  movedAt: number;
}

/**
 * nginx's `client_body_timeout`: a request whose body stops arriving for `idleMs` (no byte read on
 * its connection) is answered 408 `REQUEST_TIMEOUT` and its connection closed, so a client
 * trickling a body cannot hold a request open forever. Checked by one sweep timer for every
 * watched request, rather than a timer per request: the hot path only adds to and deletes from a map.
 * A request whose response has started is left alone (the upstream is answering it), and so is
 * one the gateway itself stopped reading (its buffer is full).
 */
export function createBodyIdleWatch(idleMs: number, now: () => number = performance.now.bind(performance)): BodyIdleWatch {
  const watched = new Map<IncomingMessage, Watched>();
  let sweeper: NodeJS.Timeout | undefined;

  function sweep(): void {
    const at = now();
    for (const [req, entry] of watched) {
      if (req.complete || entry.res.headersSent) {
        watched.delete(req);
        continue;
      }
      const bytesRead = req.socket.bytesRead;
      // A full buffer means the gateway stopped reading (back-pressure from the upstream, or a
      // policy still deciding): the wait is ours, not the client's.
      if (bytesRead !== entry.bytesRead || req.readableLength >= req.readableHighWaterMark) {
        entry.bytesRead = bytesRead;
        entry.movedAt = at;
      } else if (at - entry.movedAt >= idleMs) {
        watched.delete(req);
        sendError(entry.res, entry.requestId, new JunctionError('REQUEST_TIMEOUT', `No part of the request body arrived for ${idleMs} ms`, { headers: { connection: 'close' } }));
      }
    }
    if (watched.size === 0) stop();
  }

  function stop(): void {
    clearInterval(sweeper);
    sweeper = undefined;
  }

  return {
    watch(req, res, requestId) {
      watched.set(req, { res, requestId, bytesRead: req.socket.bytesRead, movedAt: now() });
      if (sweeper === undefined) {
        sweeper = setInterval(sweep, Math.min(1_000, Math.max(10, idleMs / 4)));
        sweeper.unref();
      }
    },
    forget(req) {
      watched.delete(req);
    },
    close: stop,
  };
}

/** Whether the request announced a body (a length over 0, or chunked). */
export function expectsBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  return length !== undefined ? length !== '0' : req.headers['transfer-encoding'] !== undefined;
}
