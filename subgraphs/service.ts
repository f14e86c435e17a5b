import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A started example upstream. */
export interface RunningService {
  name: string;
  /** Base URL without trailing slash, e.g. `http://127.0.0.1:34567`. */
  url: string;
  /** The port actually bound (useful when started on port 0). */
  port: number;
  /**
   * Calls received since start (or the last `resetCalls()`).
   * `byRoute` is keyed by route template (`'GET /products/{id}'`, `'POST /graphql'`) and,
   * for GraphQL services, also by root field name (`'usersByIds'`).
   */
  calls: CallCounts;
  resetCalls(): void;
  /** Stops listening and destroys every open (keep-alive) connection. */
  close(): Promise<void>;
}

export interface CallCounts {
  total: number;
  byRoute: Record<string, number>;
}

export interface ServiceOptions {
  /** Port to bind; 0 (default) picks a free one. */
  port?: number;
  /** Interface to bind; default `127.0.0.1`. */
  host?: string;
  /** Delay every answer by this many milliseconds (benchmarks use 5). */
  latencyMs?: number;
}

/** Mutable call counter; `counts` is the live object exposed as `RunningService.calls`. */
export class CallCounter {
  readonly counts: CallCounts = { total: 0, byRoute: {} };

  /** Counts one incoming request. */
  request(): void {
    this.counts.total++;
  }

  /** Counts one hit of a route template or GraphQL root field (does not touch `total`). */
  hit(key: string): void {
    this.counts.byRoute[key] = (this.counts.byRoute[key] ?? 0) + 1;
  }

  reset(): void {
    this.counts.total = 0;
    // Keep the same object so references held by callers stay live.
    for (const key of Object.keys(this.counts.byRoute)) delete this.counts.byRoute[key];
  }
}

export type Handler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

/** Largest request body the example services accept. */
export const MAX_BODY_BYTES = 1024 * 1024;

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** Reads the whole request body as a UTF-8 string (rejects with 413 above MAX_BODY_BYTES). */
export function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on('data', (chunk: Buffer) => {
      if (failed) return;
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        failed = true;
        reject(new HttpError(413, 'Request body too large'));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (!failed) resolve(chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8'));
    });
    req.on('error', (err) => {
      if (!failed) {
        failed = true;
        reject(err);
      }
    });
  });
}

/** Sends a body that is already serialised JSON. */
export function sendRaw(
  res: ServerResponse,
  status: number,
  body: string,
  headers: Record<string, string> = {},
  contentType = 'application/json; charset=utf-8',
): void {
  res.writeHead(status, {
    'content-type': contentType,
    'content-length': Buffer.byteLength(body),
    ...headers,
  });
  res.end(body);
}

export function sendJson(res: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}): void {
  sendRaw(res, status, JSON.stringify(value), headers);
}

/** `{ "error": { "code", "message" } }` — the shape every REST example service uses for failures. */
export function sendError(
  res: ServerResponse,
  status: number,
  code: string,
  message: string,
  headers: Record<string, string> = {},
): void {
  sendJson(res, status, { error: { code, message } }, headers);
}

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Starts a node:http server running `handler`, with the optional artificial latency applied
 * before the handler answers, and wires up the RunningService plumbing.
 */
export async function startService(
  name: string,
  counter: CallCounter,
  handler: Handler,
  options: ServiceOptions = {},
): Promise<RunningService> {
  const latency = Math.max(0, options.latencyMs ?? 0);
  const host = options.host ?? '127.0.0.1';

  const run = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    try {
      if (latency > 0) await delay(latency);
      await handler(req, res);
    } catch (err) {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      if (err instanceof HttpError) {
        sendError(res, err.status, err.status === 413 ? 'PAYLOAD_TOO_LARGE' : 'BAD_REQUEST', err.message);
      } else {
        sendError(res, 500, 'INTERNAL_SERVER_ERROR', 'Internal server error');
      }
    }
  };

  const server: Server = createServer((req, res) => {
    counter.request();
    void run(req, res);
  });
  server.keepAliveTimeout = 30_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });

  const address = server.address() as AddressInfo;
  // A wildcard bind is reachable on loopback; print that rather than 0.0.0.0 / ::.
  const ip = address.address === '0.0.0.0' ? '127.0.0.1' : address.address === '::' ? '::1' : address.address;
  const urlHost = ip.includes(':') ? `[${ip}]` : ip;
  let closing: Promise<void> | undefined;

  return {
    name,
    url: `http://${urlHost}:${address.port}`,
    port: address.port,
    calls: counter.counts,
    resetCalls: () => counter.reset(),
    close: () =>
      (closing ??= new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      })),
  };
}

/** Splits `/a/b?x=1` into its path and parsed query without allocating a full URL object. */
export function splitUrl(rawUrl: string | undefined): { path: string; query: URLSearchParams } {
  const url = rawUrl ?? '/';
  const q = url.indexOf('?');
  if (q === -1) return { path: url, query: new URLSearchParams() };
  return { path: url.slice(0, q), query: new URLSearchParams(url.slice(q + 1)) };
}
