import { JunctionError, UpstreamResponseError, UpstreamUnavailableError } from '../errors.js';
import type { UpstreamResponse } from './types.js';

/**
 * Reads a whole upstream body with a size cap; a larger body is abandoned (the connection is
 * destroyed) rather than buffered, so one huge answer cannot exhaust the gateway's memory.
 */
export async function readBody(upstream: string, response: UpstreamResponse, maxBytes: number): Promise<Buffer> {
  const declared = Number(response.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) {
    response.body.destroy();
    throw new UpstreamResponseError(upstream, undefined, new Error(`body of ${declared} bytes over ${maxBytes}`));
  }
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of response.body as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > maxBytes) {
        response.body.destroy();
        throw new UpstreamResponseError(upstream, undefined, new Error(`body over ${maxBytes} bytes`));
      }
      chunks.push(chunk);
    }
  } catch (error) {
    throw bodyError(upstream, error);
  }
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size);
}

/**
 * A body that breaks off: our own errors (size cap, the deadline's GATEWAY_TIMEOUT) pass as they
 * are; a reset or a closed socket mid-body is UPSTREAM_UNAVAILABLE; a client abort passes as is.
 */
function bodyError(upstream: string, error: unknown): unknown {
  if (error instanceof JunctionError) return error;
  if ((error as { name?: unknown } | null)?.name === 'AbortError') return error;
  return new UpstreamUnavailableError(upstream, error);
}

/** Reads and parses a JSON body; malformed JSON is an upstream error, never a crash. */
export async function readJson(upstream: string, response: UpstreamResponse, maxBytes: number): Promise<unknown> {
  return parseJsonBody(upstream, response.statusCode, await readBody(upstream, response, maxBytes));
}

/** A JSON body already read: `undefined` when empty; malformed JSON is an upstream error, never a crash. */
export function parseJsonBody(upstream: string, statusCode: number, body: Buffer): unknown {
  if (body.length === 0) return undefined;
  try {
    return JSON.parse(body.toString('utf8'));
  } catch (error) {
    throw new UpstreamResponseError(upstream, statusCode, error);
  }
}
