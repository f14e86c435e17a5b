import { UpstreamResponseError } from '../errors.js';

/** A JSON body already read: `undefined` when empty; malformed JSON is an upstream error, never a crash. */
export function parseJsonBody(upstream: string, statusCode: number, body: Buffer): unknown {
  if (body.length === 0) return undefined;
  try {
    return JSON.parse(body.toString('utf8'));
  } catch (error) {
    throw new UpstreamResponseError(upstream, statusCode, error);
  }
}
