import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

const SAFE_ID = /^[A-Za-z0-9._-]{1,64}$/;

/**
 * A process-wide random prefix and a counter (as Kong's `uuid#counter`): unique across processes
 * and restarts with overwhelming probability, and far cheaper per request than a random UUID.
 * Request ids are correlation handles, not secrets.
 */
const PREFIX = randomBytes(12).toString('hex');
let counter = 0;

/** The caller's `x-request-id` when it is a plain token, a new id (`<24 hex>-<base36 counter>`) otherwise. */
export function requestIdOf(req: IncomingMessage): string {
  const given = req.headers['x-request-id'];
  return typeof given === 'string' && SAFE_ID.test(given) ? given : `${PREFIX}-${(counter++).toString(36)}`;
}
