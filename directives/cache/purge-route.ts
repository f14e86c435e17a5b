import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { JunctionError } from '../../src/errors.js';
import type { Logger } from '../../src/logger.js';
import { purgeTags, type CacheStore } from '../../src/stores/cache-store.js';

export const PURGE_PATH = '/admin/cache/purge';
const MAX_BODY_BYTES = 4 * 1024;

export interface PurgeRouteDeps {
  store: CacheStore;
  adminToken: string;
  /** Also called on a purge, failed ones too (e.g. to forget in-process state). */
  onPurge?: () => void;
  logger?: Logger;
}

type PurgeRequest = { all: true } | { type: string; id?: string };

/**
 * `POST /admin/cache/purge` for operators: `{ "type": "Product", "id": "p1" }` purges every
 * entry holding that entity, `{ "type": "Product" }` every entry holding any Product,
 * `{ "all": true }` everything. Needs `Authorization: Bearer <cache.adminToken>`. When the store
 * fails (Redis down or slow), 503 `SERVICE_UNAVAILABLE`: the purge may not have happened.
 */
export function createPurgeRoute(deps: PurgeRouteDeps) {
  const expected = digest(deps.adminToken);
  return async function purgeRoute(req: IncomingMessage, res: ServerResponse, requestId: string): Promise<void> {
    if (req.method !== 'POST') {
      sendError(res, requestId, new JunctionError('METHOD_NOT_ALLOWED', 'Use POST', { headers: { allow: 'POST' } }));
      return;
    }
    if (!authorised(req.headers.authorization, expected)) {
      sendError(res, requestId, new JunctionError('UNAUTHENTICATED', 'A valid admin token is required', { headers: { 'www-authenticate': 'Bearer' } }));
      return;
    }
    const body = parsePurge(await readSmallBody(req));
    if (body === undefined) {
      sendError(res, requestId, new JunctionError('BAD_REQUEST', 'Expected { "type": string, "id"?: string } or { "all": true }'));
      return;
    }
    let purged: number | 'all';
    try {
      purged = 'all' in body ? await purgeAll(deps.store) : await deps.store.invalidate(purgeTags(body.type, body.id));
    } catch (error) {
      // Never `purged: 0`: the operator must know the entries may still be there, and retry.
      deps.logger?.warn({ requestId, err: (error as Error).message, purge: body }, 'cache purge failed: the cache store did not answer');
      sendError(res, requestId, new JunctionError('SERVICE_UNAVAILABLE', 'The cache store is unavailable; the purge may not have happened, retry it', { cause: error }));
      return;
    } finally {
      deps.onPurge?.();
    }
    sendJson(res, 200, { purged });
  };
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const payload = JSON.stringify(body);
  res.writeHead(status, { ...headers, 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(payload) });
  res.end(payload);
}

function sendError(res: ServerResponse, requestId: string, error: JunctionError): void {
  sendJson(res, error.status, error.toRestBody(requestId), error.headers);
}

async function purgeAll(store: CacheStore): Promise<'all'> {
  await store.clear();
  return 'all';
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

function authorised(header: string | undefined, expected: Buffer): boolean {
  const match = /^Bearer\s+(\S+)$/i.exec(header ?? '');
  return match !== null && timingSafeEqual(digest(match[1]!), expected);
}

function parsePurge(text: string | undefined): PurgeRequest | undefined {
  if (text === undefined) return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return undefined;
  const { all, type, id, ...rest } = raw as Record<string, unknown>;
  if (Object.keys(rest).length > 0) return undefined;
  if (all === true && type === undefined && id === undefined) return { all: true };
  if (all !== undefined || typeof type !== 'string' || !/^[A-Za-z_]\w*$/.test(type)) return undefined;
  if (id === undefined) return { type };
  return typeof id === 'string' || typeof id === 'number' ? { type, id: String(id) } : undefined;
}

/** Reads at most 4 KiB; more is refused (undefined). */
function readSmallBody(req: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        resolve(undefined);
        req.resume();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', () => resolve(undefined));
  });
}
