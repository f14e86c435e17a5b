import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';
import type { CacheStore } from '../../src/stores/cache-store.js';
import type { RouteGuard, RouteRequest } from '../policy.js';
import { etagMatches } from './entry.js';
import { primaryKey, requestAllowsLookup, responseCacheability, variantKey } from './http-cache.js';
import { principalOf } from './principal.js';
import type { CacheHint } from './sdl.js';

export interface CacheRouteDeps {
  store: CacheStore;
  now: () => number;
  maxEntryBytes: number;
}

/** A stored REST response, or a marker saying the response varies (on headers or principal). */
type StoredMeta =
  | { kind: 'response'; status: number; headers: Record<string, string | string[]>; storedAt: number; ttl: number }
  | { kind: 'vary'; vary: string[]; private: boolean };

/** Upstream headers never stored or replayed. */
const UNSTORED = new Set(['connection', 'keep-alive', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'proxy-authenticate', 'proxy-authorization', 'set-cookie', 'age', 'content-length']);

export interface CacheRoute {
  /** Runs before the upstream call: answers a fresh stored response itself (returns true). */
  guard: RouteGuard;
  /** Runs after the upstream answered with a buffered body: stores it when HTTP caching allows. */
  record(request: RouteRequest, status: number, headers: IncomingHttpHeaders, body: Buffer): Promise<boolean>;
}

/** A REST route's `policies.cache`: the HTTP cache over the same store as GraphQL. */
export function createCacheRoute(args: CacheHint, deps: CacheRouteDeps): CacheRoute {
  const { store, now } = deps;

  async function find(request: RouteRequest): Promise<{ meta: StoredMeta & { kind: 'response' }; body: Buffer } | undefined> {
    const primary = primaryKey(request.routeName, urlOf(request));
    let found = decode(await store.get(primary));
    if (found?.meta.kind === 'vary') {
      const principalId = principalOf(request)?.id;
      if (found.meta.private && principalId === undefined) return undefined;
      found = decode(await store.get(variantKey(primary, found.meta.vary, request.req.headers, found.meta.private ? principalId : undefined)));
    }
    if (found?.meta.kind !== 'response' || now() >= found.meta.storedAt + found.meta.ttl * 1000) return undefined;
    return found as { meta: StoredMeta & { kind: 'response' }; body: Buffer };
  }

  const guard: RouteGuard = async function cacheGuard(request) {
    const method = request.req.method ?? 'GET';
    if (!requestAllowsLookup(method, request.req.headers)) return false;
    const hit = await find(request);
    if (hit === undefined) return false;
    const age = Math.floor((now() - hit.meta.storedAt) / 1000);
    const headers: OutgoingHttpHeaders = { ...hit.meta.headers, age: String(age), 'x-cache': 'HIT' };
    const etag = hit.meta.headers['etag'];
    if (typeof etag === 'string' && etagMatches(request.req.headers['if-none-match'], etag)) {
      request.res.writeHead(304, headers).end();
      return true;
    }
    headers['content-length'] = hit.body.length;
    request.res.writeHead(hit.meta.status, headers);
    request.res.end(method === 'HEAD' ? undefined : hit.body);
    return true;
  };

  async function record(request: RouteRequest, status: number, headers: IncomingHttpHeaders, body: Buffer): Promise<boolean> {
    const principalId = principalOf(request)?.id;
    const decision = responseCacheability({ method: request.req.method ?? 'GET', headers: request.req.headers }, { status, headers }, args, principalId);
    if (!decision.store || body.length > deps.maxEntryBytes) return false;
    const ttlMs = decision.ttlSeconds * 1000;
    const meta: StoredMeta = { kind: 'response', status, headers: storable(headers), storedAt: now(), ttl: decision.ttlSeconds };
    const primary = primaryKey(request.routeName, urlOf(request));
    if (decision.vary.length === 0 && !decision.private) {
      await store.set(primary, encode(meta, body), ttlMs);
      return true;
    }
    await store.set(primary, encode({ kind: 'vary', vary: decision.vary, private: decision.private }, Buffer.alloc(0)), ttlMs);
    await store.set(variantKey(primary, decision.vary, request.req.headers, decision.private ? principalId : undefined), encode(meta, body), ttlMs);
    return true;
  }

  return { guard, record };
}

/** The route request's path and query (the query is part of the resource). */
function urlOf(request: RouteRequest): string {
  const url = request.req.url ?? '';
  const query = url.indexOf('?');
  return query === -1 ? request.path : request.path + url.slice(query);
}

function storable(headers: IncomingHttpHeaders): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) if (value !== undefined && !UNSTORED.has(name)) out[name] = value;
  return out;
}

function encode(meta: StoredMeta, body: Buffer): string {
  return `${JSON.stringify(meta)}\n${body.toString('base64')}`;
}

function decode(text: string | undefined): { meta: StoredMeta; body: Buffer } | undefined {
  if (text === undefined) return undefined;
  const newline = text.indexOf('\n');
  if (newline === -1) return undefined;
  try {
    return { meta: JSON.parse(text.slice(0, newline)) as StoredMeta, body: Buffer.from(text.slice(newline + 1), 'base64') };
  } catch {
    return undefined;
  }
}
