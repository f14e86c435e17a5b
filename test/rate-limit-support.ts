import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { PassThrough, type Readable } from 'node:stream';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { createGateway, type Gateway } from '../src/gateway.js';
import { silentLogger, type Logger } from '../src/logger.js';
import { startAll, type RunningServices } from '../subgraphs/index.js';
import { demoConfig, postGraphql, type GraphqlAnswer } from './helpers/demo-gateway.js';

/** The demo gateway with extra YAML appended and an injected clock, over fresh example upstreams. */
export interface LimitedGateway {
  gateway: Gateway;
  services: RunningServices;
  url: string;
  query(query: string, headers?: Record<string, string>): Promise<GraphqlAnswer>;
  close(): Promise<void>;
}

export async function startLimitedGateway(extraYaml: string, deps: { now?: () => number; logger?: Logger } = {}): Promise<LimitedGateway> {
  const services = await startAll();
  try {
    const config = await demoConfig(services, { editYaml: (text) => mergeYaml(text, extraYaml) });
    const gateway = await createGateway(config, { logger: deps.logger ?? silentLogger(), now: deps.now });
    const { port } = await gateway.listen();
    const url = `http://127.0.0.1:${port}`;
    return {
      gateway,
      services,
      url,
      query: (query, headers) => postGraphql(`${url}/graphql`, query, undefined, headers),
      async close() {
        await gateway.close();
        await services.close();
      },
    };
  } catch (error) {
    await services.close();
    throw error;
  }
}

/** The demo YAML with the extra top-level keys set (lists such as `routes` are appended to). */
export function mergeYaml(base: string, extra: string): string {
  const merged = (parseYaml(base) ?? {}) as Record<string, unknown>;
  for (const [key, value] of Object.entries((parseYaml(extra) ?? {}) as Record<string, unknown>)) {
    const current = merged[key];
    merged[key] = Array.isArray(current) && Array.isArray(value) ? [...current, ...value] : value;
  }
  return stringifyYaml(merged);
}

export const sha256Hex = (text: string): string => createHash('sha256').update(text).digest('hex');

/** A redis-server of the test's own on a free loopback port: safe to kill, pause and restart. */
export interface OwnRedis {
  port: number;
  url: string;
  /** Starts (again) on the same port. */
  start(): Promise<void>;
  /** `SHUTDOWN NOSAVE` and waits for the process to exit. */
  kill(): Promise<void>;
  /** Runs a command on a short-lived connection (e.g. `CLIENT PAUSE 5000`). */
  command(...args: string[]): Promise<unknown>;
  close(): Promise<void>;
}

export async function startOwnRedis(onPort?: number): Promise<OwnRedis> {
  const port = onPort ?? (await freePort());
  let child: ChildProcess | undefined;
  const own: OwnRedis = {
    port,
    url: `redis://127.0.0.1:${port}`,
    async start() {
      const proc = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: ['ignore', 'pipe', 'inherit'] });
      child = proc;
      await waitFor(proc.stdout!, /Ready to accept connections/, 5_000);
      proc.stdout!.resume();
    },
    async kill() {
      const proc = child;
      if (proc === undefined || proc.exitCode !== null) return;
      const exited = once(proc, 'exit');
      await own.command('SHUTDOWN', 'NOSAVE').catch(() => undefined);
      await withTimeout(exited, 5_000, 'redis-server did not exit');
      child = undefined;
    },
    async command(...args) {
      const client = new Redis(own.url, { maxRetriesPerRequest: 0, retryStrategy: () => null, lazyConnect: true, enableReadyCheck: false });
      client.on('error', () => undefined);
      try {
        await client.connect();
        return await client.call(args[0]!, ...args.slice(1));
      } finally {
        client.disconnect();
      }
    },
    async close() {
      if (child !== undefined && child.exitCode === null) {
        const exited = once(child, 'exit');
        child.kill('SIGKILL');
        await exited;
      }
    },
  };
  await own.start();
  return own;
}

export async function freePort(): Promise<number> {
  const server = createNetServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Resolves when `pattern` shows up in the stream; rejects after `ms`. */
export function waitFor(stream: Readable, pattern: RegExp, ms: number): Promise<string> {
  let seen = '';
  return withTimeout(
    new Promise<string>((resolve) => {
      const onData = (chunk: Buffer): void => {
        seen += chunk.toString();
        const match = pattern.exec(seen);
        if (match) {
          stream.off('data', onData);
          resolve(match[0]);
        }
      };
      stream.on('data', onData);
    }),
    ms,
    `timed out waiting for ${pattern}; seen: ${seen.slice(-500)}`,
  );
}

export function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(message)), ms);
    }),
  ]);
}

/** A logger writing JSON lines into a PassThrough, so a test can wait for a log event; `records` keeps each line parsed. */
export function captureLogger(): { logger: Logger; lines: PassThrough; messages: string[]; records: Record<string, unknown>[] } {
  const lines = new PassThrough();
  const messages: string[] = [];
  const records: Record<string, unknown>[] = [];
  lines.on('data', (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n')) {
      if (line.trim() === '') continue;
      const record = JSON.parse(line) as Record<string, unknown> & { msg: string };
      records.push(record);
      messages.push(record.msg);
    }
  });
  return { logger: pino({ level: 'info' }, lines), lines, messages, records };
}
