import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { configSchema, type JunctionConfigInput } from '../../src/config/index.js';
import { createGateway, type Gateway } from '../../src/gateway.js';
import { silentLogger } from '../../src/logger.js';

/** Things to close after each test, in reverse order of start. */
export interface Closer {
  close(): Promise<void>;
}

export interface TestUpstream extends Closer {
  url: string;
  port: number;
  server: Server;
  /** Requests received. */
  readonly requests: IncomingMessage[];
}

/** A node:http upstream on 127.0.0.1:0; `close` also drops keep-alive sockets. */
export async function startUpstream(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<TestUpstream> {
  const requests: IncomingMessage[] = [];
  const server = createServer((req, res) => {
    requests.push(req);
    handler(req, res);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    server,
    requests,
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

/** An upstream that answers every request with its method, url and headers as JSON. */
export function startEchoUpstream(): Promise<TestUpstream> {
  return startUpstream((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ method: req.method, url: req.url, headers: req.headers }));
    });
  });
}

export interface TestGateway extends Closer {
  gateway: Gateway;
  url: string;
  port: number;
}

/** A gateway on 127.0.0.1:0 from a config object (validated like gateway.yaml). */
export async function startGateway(input: JunctionConfigInput): Promise<TestGateway> {
  const config = configSchema.parse({ ...input, server: { port: 0, host: '127.0.0.1', ...input.server } });
  const gateway = await createGateway(config, { logger: silentLogger() });
  const { port } = await gateway.listen();
  return { gateway, port, url: `http://127.0.0.1:${port}`, close: () => gateway.close() };
}

export interface RawResponse {
  status: number;
  head: string;
  body: string;
}

/** Writes `text` on a fresh TCP connection and reads until the server closes it or `timeoutMs` passes. */
export async function rawRequest(port: number, text: string | Buffer, timeoutMs = 5_000): Promise<RawResponse> {
  const socket = connect(port, '127.0.0.1');
  await once(socket, 'connect');
  return readRaw(socket, text, timeoutMs);
}

function readRaw(socket: Socket, text: string | Buffer, timeoutMs: number): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no complete answer within ${timeoutMs} ms: ${Buffer.concat(chunks).toString('latin1').slice(0, 200)}`));
    }, timeoutMs);
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      const all = Buffer.concat(chunks).toString('latin1');
      const split = all.indexOf('\r\n\r\n');
      const head = split === -1 ? all : all.slice(0, split);
      const body = split === -1 ? '' : all.slice(split + 4);
      const chunked = /\r\ntransfer-encoding: chunked/i.test(head);
      resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0), head, body: chunked ? dechunk(body) : body });
    });
    socket.write(text);
  });
}

/** The payload of a chunked body (as far as it goes). */
function dechunk(body: string): string {
  let out = '';
  let at = 0;
  for (;;) {
    const line = body.indexOf('\r\n', at);
    if (line === -1) return out;
    const size = parseInt(body.slice(at, line), 16);
    if (!(size > 0)) return out;
    out += body.slice(line + 2, line + 2 + size);
    at = line + 2 + size + 2;
  }
}

/** Resolves as `promise` does, or rejects after `timeoutMs`. */
export async function within<T>(promise: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: not within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
