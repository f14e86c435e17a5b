import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';

export const WRK_SCRIPT = fileURLToPath(new URL('../wrk/bench.lua', import.meta.url));

/** One HTTP request shape the load generator repeats. */
export interface RequestSpec {
  method: 'GET' | 'POST';
  path: string;
  /** File holding the request body (POST). */
  bodyFile?: string;
  contentType?: string;
  /** Substring every correct response body contains. */
  marker: string;
  /** Status every correct response has. Default 200. */
  status?: number;
  /** Bearer tokens, one a line, sent in turn as `authorization` (instead of a unique header). */
  tokensFile?: string;
  /** Where the next token's position is kept between runs (so they continue through the list). */
  tokensStateFile?: string;
}

/** In a body, replaced by a unique string per request (wrk) or by `probe` (the ready check). */
export const UNIQUE_PLACEHOLDER = '@@UNIQUE@@';

export interface WrkResult {
  requests: number;
  durationUs: number;
  bytes: number;
  checked: number;
  badStatus: number;
  badBody: number;
  socketErrors: number;
  timeouts: number;
  p50Us: number;
  p90Us: number;
  p99Us: number;
  meanUs: number;
  firstBad: string;
}

export interface WrkOptions {
  url: string;
  spec: RequestSpec;
  connections: number;
  durationS: number;
  /** Core wrk is pinned to. */
  core: number;
  timeoutS?: number;
}

/** Runs `wrk -t1` pinned to one core with the bench Lua script; resolves with its checked summary. */
export function runWrk(options: WrkOptions): Promise<WrkResult> {
  const { spec } = options;
  const args = [
    '-c', String(options.core), 'wrk', '-t1', `-c${options.connections}`, `-d${options.durationS}s`,
    `--timeout`, `${options.timeoutS ?? 5}s`, '-s', WRK_SCRIPT, options.url,
  ];
  const env = {
    ...process.env,
    BENCH_METHOD: spec.method,
    BENCH_PATH: spec.path,
    BENCH_MARKER: spec.marker,
    BENCH_BODY_FILE: spec.bodyFile ?? '',
    BENCH_RUN_ID: randomBytes(6).toString('hex'),
    BENCH_STATUS: String(spec.status ?? 200),
    BENCH_TOKENS_FILE: spec.tokensFile ?? '',
    BENCH_TOKENS_STATE: spec.tokensStateFile ?? '',
    ...(spec.contentType ? { BENCH_CONTENT_TYPE: spec.contentType } : {}),
  };
  return new Promise((resolve, reject) => {
    const child = spawn('taskset', args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const line = out.split('\n').find((l) => l.startsWith('BENCH_JSON '));
      if (code !== 0 || !line) {
        reject(new Error(`wrk failed (exit ${code}): ${(err || out).trim().slice(0, 500)}`));
        return;
      }
      resolve(JSON.parse(line.slice('BENCH_JSON '.length)) as WrkResult);
    });
  });
}
