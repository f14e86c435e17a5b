import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { request } from 'undici';
import { UNIQUE_PLACEHOLDER, type RequestSpec } from './wrk.js';
import { closeSync, openSync, readFileSync, readSync } from 'node:fs';

/** A process under test, pinned to its core. */
export interface Started {
  pid: number;
  /** Base URL the load goes to (no trailing slash). */
  url: string;
  /** Output so far (for failure messages). */
  output(): string;
  exited(): boolean;
  stop(): Promise<void>;
}

export interface SpawnOptions {
  command: string;
  args: string[];
  cwd: string;
  env?: Record<string, string>;
  core: number;
  url: string;
}

/** A free loopback port (bound then released). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Starts `command` with `taskset -c core`; taskset execs it, so the pid is the command's. */
export function spawnPinned(options: SpawnOptions): Started {
  const child: ChildProcess = spawn('taskset', ['-c', String(options.core), options.command, ...options.args], {
    cwd: options.cwd,
    env: { ...process.env, NODE_ENV: 'production', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const keep = (chunk: Buffer): void => {
    out = (out + chunk.toString()).slice(-8000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let exited = false;
  const exit = new Promise<void>((resolve) => child.once('exit', () => ((exited = true), resolve())));
  return {
    pid: child.pid!,
    url: options.url,
    output: () => out,
    exited: () => exited,
    async stop() {
      if (exited) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exit;
      clearTimeout(timer);
    },
  };
}

export interface Probe {
  status: number;
  body: string;
}

/** Sends the scenario's request once (the same shape wrk sends). */
export async function probe(url: string, spec: RequestSpec): Promise<Probe> {
  const token = spec.tokensFile ? firstLine(spec.tokensFile) : 'bench-probe';
  const headers: Record<string, string> = { authorization: `Bearer ${token}` };
  if (spec.contentType) headers['content-type'] = spec.contentType;
  const response = await request(url + spec.path, {
    method: spec.method,
    headers,
    body: spec.bodyFile ? readFileSync(spec.bodyFile, 'utf8').replace(UNIQUE_PLACEHOLDER, 'probe') : undefined,
    headersTimeout: 5000,
    bodyTimeout: 5000,
  });
  return { status: response.statusCode, body: await response.body.text() };
}

function firstLine(file: string): string {
  const fd = openSync(file, 'r');
  try {
    const buffer = Buffer.alloc(8192);
    return buffer.toString('utf8', 0, readSync(fd, buffer, 0, buffer.length, 0)).split('\n')[0]!;
  } finally {
    closeSync(fd);
  }
}

/**
 * Waits until the process answers the scenario's request (any status), or it exits, or the
 * time runs out. Resolves with the first answer; rejects with the process output otherwise.
 */
export async function waitReady(started: Started, spec: RequestSpec, timeoutMs: number): Promise<Probe> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    if (started.exited()) throw new Error(`exited during start: ${tail(started.output())}`);
    try {
      const answer = await probe(started.url, spec);
      // Some gateways answer 503 while their schema is still loading.
      if (answer.status !== 503) return answer;
      last = `503 ${answer.body.slice(0, 200)}`;
    } catch (err) {
      last = (err as Error).message;
    }
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
  throw new Error(`not ready after ${timeoutMs} ms (${last}): ${tail(started.output())}`);
}

export function tail(text: string, chars = 600): string {
  const trimmed = text.trim().replace(/\s+/g, ' ');
  return trimmed.length > chars ? `…${trimmed.slice(-chars)}` : trimmed;
}
