import { Agent, request } from 'undici';
import { KeySourceError } from './errors.js';

export interface AuthHttpRequest {
  method: 'GET' | 'POST';
  url: string;
  headers: Record<string, string>;
  body?: string;
  /** Whole call, connect to last byte. */
  timeoutMs: number;
  /** Largest body read; past it the call fails. */
  maxBytes: number;
}

/** A key-source call (JWKS, introspection): JSON answer or a KeySourceError, always bounded in time and size. */
export type AuthHttp = (request: AuthHttpRequest) => Promise<{ status: number; json: unknown }>;

export interface AuthHttpClient {
  request: AuthHttp;
  close(): Promise<void>;
}

/**
 * The auth module's own HTTP client: a dedicated undici Agent (key sources are not upstreams),
 * no redirects followed, every call under a deadline and a body cap.
 */
export function createAuthHttp(): AuthHttpClient {
  const dispatcher = new Agent({ connect: { timeout: 2_000 }, keepAliveTimeout: 10_000, connections: 8 });
  async function authRequest(input: AuthHttpRequest): Promise<{ status: number; json: unknown }> {
    const signal = AbortSignal.timeout(input.timeoutMs);
    try {
      const response = await request(input.url, {
        dispatcher, method: input.method, headers: input.headers, body: input.body, signal,
      });
      const text = await readCapped(response.body, input.maxBytes);
      return { status: response.statusCode, json: text === '' ? undefined : JSON.parse(text) };
    } catch (error) {
      if (error instanceof KeySourceError) throw error;
      throw new KeySourceError(signal.aborted ? `no answer within ${input.timeoutMs} ms` : 'request failed', { cause: error });
    }
  }
  return { request: authRequest, close: () => dispatcher.close() };
}

async function readCapped(body: AsyncIterable<Buffer> & { destroy(): unknown }, maxBytes: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.length;
    if (size > maxBytes) {
      body.destroy();
      throw new KeySourceError(`response larger than ${maxBytes} bytes`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}
