import { EventEmitter, once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { buildSchema, graphqlSync } from 'graphql';

/** What the fault upstream does with the next request; switchable at run time. */
export type FaultMode =
  | { kind: 'ok' }
  | { kind: 'refuse' }
  | { kind: 'hang' }
  | { kind: 'slow'; ms: number }
  | { kind: 'status'; status: number; retryAfter?: string }
  | { kind: 'reset' }
  | { kind: 'malformed' }
  | { kind: 'huge'; bytes: number };

/** Computes the JSON answer of an `ok` request (body already parsed when it is JSON). */
export type FaultAnswer = (request: { method: string; url: string; body: unknown }) => unknown;

export interface FaultUpstream {
  readonly url: string;
  readonly port: number;
  /** TCP connections accepted and requests received since start (or the last `resetCounts`). */
  readonly connections: number;
  readonly requests: number;
  /** Bytes written by `huge` answers. */
  readonly bytesSent: number;
  /** Emits `request` and `aborted` (a request whose socket closed before its answer ended). */
  readonly events: EventEmitter;
  set(mode: FaultMode): Promise<void>;
  resetCounts(): void;
  /** Resolves on the next `event`, rejects after `timeoutMs`. */
  waitFor(event: 'request' | 'aborted', timeoutMs: number): Promise<void>;
  close(): Promise<void>;
}

const HUGE_CHUNK = Buffer.alloc(64 * 1024, 'a');

/**
 * A node:http server on port 0 for fault injection: ok, refuse (listener closed, so connects are
 * refused), hang, slow, any status (503 with Retry-After), reset mid-body, malformed JSON and a
 * bounded huge body streamed with backpressure. Counts connections and requests.
 */
export async function startFaultUpstream(options: { answer?: FaultAnswer; mode?: FaultMode } = {}): Promise<FaultUpstream> {
  const answer: FaultAnswer = options.answer ?? (() => ({ data: {} }));
  const events = new EventEmitter();
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  let mode: FaultMode = options.mode ?? { kind: 'ok' };
  let connections = 0;
  let requests = 0;
  let bytesSent = 0;
  let listening = false;

  const server: Server = createServer((req, res) => void handle(req, res));
  server.on('connection', (socket) => {
    connections += 1;
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await listen(0);
  const port = (server.address() as AddressInfo).port;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    requests += 1;
    res.once('close', () => {
      if (!res.writableFinished) events.emit('aborted');
    });
    const raw = await readAll(req).catch(() => undefined);
    events.emit('request');
    if (raw === undefined) return;
    const current = mode;
    if (current.kind === 'hang' || current.kind === 'refuse') return;
    if (current.kind === 'slow') {
      const timer = setTimeout(() => {
        timers.delete(timer);
        sendOk(req, res, raw);
      }, current.ms);
      timers.add(timer);
      return;
    }
    if (current.kind === 'status') {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (current.retryAfter !== undefined) headers['retry-after'] = current.retryAfter;
      res.writeHead(current.status, headers).end(JSON.stringify({ error: `status ${current.status}`, secret: 'upstream-internal-detail' }));
      return;
    }
    if (current.kind === 'reset') {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
      res.write('{"data":{"us', () => req.socket.destroy());
      return;
    }
    if (current.kind === 'malformed') {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"data": {"users": [ oops');
      return;
    }
    if (current.kind === 'huge') return streamHuge(res, current.bytes);
    sendOk(req, res, raw);
  }

  function sendOk(req: IncomingMessage, res: ServerResponse, raw: string): void {
    let body: unknown = raw;
    try {
      body = raw === '' ? undefined : JSON.parse(raw);
    } catch {
      // Not JSON: handed over as text.
    }
    const value = answer({ method: req.method ?? 'GET', url: req.url ?? '/', body });
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(value));
  }

  function streamHuge(res: ServerResponse, bytes: number): void {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.write('{"data":{"x":"');
    const pump = (): void => {
      while (bytesSent < bytes && !res.destroyed) {
        bytesSent += HUGE_CHUNK.length;
        if (!res.write(HUGE_CHUNK)) return void res.once('drain', pump);
      }
      if (!res.destroyed) res.end('"}}');
    };
    pump();
  }

  function listen(at: number): Promise<void> {
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(at, '127.0.0.1', () => {
        server.off('error', reject);
        listening = true;
        resolve();
      });
    });
  }

  async function stopListening(): Promise<void> {
    if (!listening) return;
    listening = false;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const socket of sockets) socket.destroy();
    await closed;
  }

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    get connections() {
      return connections;
    },
    get requests() {
      return requests;
    },
    get bytesSent() {
      return bytesSent;
    },
    events,
    async set(next) {
      mode = next;
      if (next.kind === 'refuse') await stopListening();
      else if (!listening) await listen(port);
    },
    resetCounts() {
      connections = 0;
      requests = 0;
      bytesSent = 0;
    },
    async waitFor(event, timeoutMs) {
      await once(events, event, { signal: AbortSignal.timeout(timeoutMs) });
    },
    async close() {
      for (const timer of timers) clearTimeout(timer);
      await stopListening();
    },
  };
}

function readAll(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.once('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.once('error', reject);
  });
}

/** An `ok` answer that executes each GraphQL request against an SDL with the given root values. */
export function graphqlAnswer(sdl: string, rootValue: Record<string, unknown>): FaultAnswer {
  const schema = buildSchema(sdl);
  return ({ body }) => {
    const { query, variables, operationName } = (body ?? {}) as { query?: string; variables?: Record<string, unknown>; operationName?: string };
    if (typeof query !== 'string') return { errors: [{ message: 'no query' }] };
    return graphqlSync({ schema, source: query, rootValue, variableValues: variables, operationName });
  };
}
