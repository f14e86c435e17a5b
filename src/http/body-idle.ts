import type { IncomingMessage, ServerResponse } from 'node:http';
import { JunctionError } from '../errors.js';
import { sendError } from './respond.js';

export interface BodyIdleWatch {
  /** Watches a request whose body is still arriving, until `forget` (its response closed). */
  watch(req: IncomingMessage, res: WatchedResponse, requestId: string): void;
  forget(res: WatchedResponse): void;
  close(): void;
}

/** The response of a watched request keeps its entry (a field of GatewayResponse: no lookup table). */
export interface WatchedResponse extends ServerResponse {
  bodyWatch: object | undefined;
}

interface Watched {
  /** Its slot in the watch list (removal swaps the last entry in). */
  slot: number;
  req: IncomingMessage;
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
 * watched request, rather than a timer per request; the hot path only appends to and removes
 * from a list (the response holds its entry).
 * A request whose response has started is left alone (the upstream is answering it), and so is
 * one the gateway itself stopped reading (its buffer is full).
 */
export function createBodyIdleWatch(idleMs: number): BodyIdleWatch {
  const now = (): number => performance.now();
  const watched: Watched[] = [];
  let sweeper: NodeJS.Timeout | undefined;

  function remove(entry: Watched): void {
    const last = watched.pop()!;
    if (last !== entry) {
      watched[entry.slot] = last;
      last.slot = entry.slot;
    }
  }

  function sweep(): void {
    const at = now();
    // Backwards: a removal moves the last entry, already visited, into the current slot.
    for (let slot = watched.length - 1; slot >= 0; slot--) {
      const entry = watched[slot]!;
      const { req } = entry;
      if (req.complete || entry.res.headersSent) {
        remove(entry);
        continue;
      }
      const bytesRead = req.socket.bytesRead;
      // A full buffer means the gateway stopped reading (back-pressure from the upstream, or a
      // policy still deciding): the wait is ours, not the client's.
      if (bytesRead !== entry.bytesRead || req.readableLength >= req.readableHighWaterMark) {
        entry.bytesRead = bytesRead;
        entry.movedAt = at;
      } else if (at - entry.movedAt >= idleMs) {
        remove(entry);
        sendError(entry.res, entry.requestId, new JunctionError('REQUEST_TIMEOUT', `No part of the request body arrived for ${idleMs} ms`, { headers: { connection: 'close' } }));
      }
    }
    if (watched.length === 0) stop();
  }

  function stop(): void {
    clearInterval(sweeper);
    sweeper = undefined;
  }

  return {
    watch(req, res, requestId) {
      const entry: Watched = { slot: watched.length, req, res, requestId, bytesRead: req.socket.bytesRead, movedAt: now() };
      watched.push(entry);
      res.bodyWatch = entry;
      if (sweeper === undefined) {
        sweeper = setInterval(sweep, Math.min(1_000, Math.max(10, idleMs / 4)));
        sweeper.unref();
      }
    },
    forget(res) {
      const entry = res.bodyWatch as Watched | undefined;
      if (entry === undefined) return;
      res.bodyWatch = undefined;
      // The sweep may have removed it already (complete, answered or timed out).
      if (watched[entry.slot] === entry) remove(entry);
    },
    close: stop,
  };
}

/** Whether the request announced a body (a length over 0, or chunked). */
export function expectsBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  return length !== undefined ? length !== '0' : req.headers['transfer-encoding'] !== undefined;
}
