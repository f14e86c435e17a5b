import { Pool, type Dispatcher } from 'undici';
import type { UpstreamConfig } from '../config/index.js';
import { classifyTransportError } from './classify-error.js';
import type { StreamRequest, UpstreamFetch } from './types.js';

export interface PoolFetch {
  fetch: UpstreamFetch;
  /** Sends one request with an undici dispatch handler (a streamed call's attempt); transport errors reach the handler raw. */
  dispatch(request: StreamRequest, handler: Dispatcher.DispatchHandler): void;
  close(): Promise<void>;
}

/**
 * The innermost layer: one keep-alive undici Pool for one target of a backend. Never follows
 * redirects (undici's `request` does not), and maps transport failures to typed errors.
 */
export function createPoolFetch(name: string, url: string, config: UpstreamConfig): PoolFetch {
  const base = new URL(url);
  const basePath = base.pathname.replace(/\/+$/, '');
  const pool = new Pool(base.origin, {
    connections: config.connections,
    pipelining: config.pipelining,
    keepAliveTimeout: config.keepAliveTimeoutMs,
    headersTimeout: config.timeoutMs,
    bodyTimeout: config.timeoutMs,
    connect: { timeout: config.connectTimeoutMs },
  });
  const staticHeaders = Object.entries(config.headers);

  const fetch: UpstreamFetch = async function poolFetch(request) {
    const headers = staticHeaders.length === 0 ? request.headers : withStatic(request.headers, staticHeaders);
    try {
      return await pool.request({
        method: request.method as 'GET',
        path: basePath + request.path,
        headers,
        body: request.body ?? null,
        signal: request.signal,
      });
    } catch (error) {
      throw classifyTransportError(error, name, config.timeoutMs, request.signal);
    }
  };

  function dispatch(request: StreamRequest, handler: Dispatcher.DispatchHandler): void {
    const headers = staticHeaders.length === 0 ? request.headers : withStatic(request.headers, staticHeaders);
    pool.dispatch({ method: request.method as 'GET', path: basePath + request.path, headers, body: request.body ?? null }, handler);
  }

  return { fetch, dispatch, close: () => pool.close() };
}

function withStatic(
  headers: Record<string, string | string[]>,
  staticHeaders: [string, string][],
): Record<string, string | string[]> {
  const merged = { ...headers };
  for (const [key, value] of staticHeaders) merged[key] = value;
  return merged;
}
