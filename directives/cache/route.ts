import type { IncomingHttpHeaders, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { hash } from 'node:crypto';
import type { CacheStore } from '../../src/stores/cache-store.js';
import type { Logger } from '../../src/logger.js';
import type { AfterProxy, OnUpstreamFailure, RouteGuard, RouteRequest } from '../policy.js';
import { etagMatches } from './entry.js';
import { outcomeHeaders, staleOutcome } from './outcome.js';
import { primaryKey, requestAllowsLookup, responseCacheability, variantKey, type HttpCacheDecision } from './http-cache.js';
import type { CredentialCheck } from '../auth/credentials.js';
import { nodeHeaders } from '../auth/route.js';
import { privateKeyOf, sendsIdentity } from './principal.js';
import type { CacheHint } from './sdl.js';

export interface CacheRouteDeps {
  store: CacheStore;
  now: () => number;
  maxEntryBytes: number;
  /** The longest a stored response may answer past its freshness when the upstream fails (`cache.staleIfErrorSeconds`; 0: never). */
  staleIfErrorSeconds: number;
  /** Told when storing fails (the store is down); the response was already served. */
  logger?: Logger;
  /**
   * Whether the principal accounts for the credentials the request carries: every header reaches
   * the upstream, so a private entry is kept under the principal only when it does.
   */
  accountsFor: CredentialCheck;
}

/** A stored REST response, or a marker saying the response varies (on headers or principal). */
type StoredMeta =
  | { kind: 'response'; status: number; headers: Record<string, string | string[]>; storedAt: number; ttl: number; staleIfError?: number }
  | { kind: 'vary'; vary: string[]; private: boolean };

/** Upstream headers never stored or replayed. */
const UNSTORED = new Set(['connection', 'keep-alive', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'proxy-authenticate', 'proxy-authorization', 'set-cookie', 'age', 'content-length', 'x-cache', 'x-request-id']);

type Stored = { kind: 'response' } & StoredMeta;
type Found = { meta: Stored; body: Buffer };

export interface CacheRoute {
  /** Runs before the upstream call: answers a fresh stored response itself (returns true); keeps an expired one still in its window for `onUpstreamFailure`. */
  guard: RouteGuard;
  /**
   * Runs when the upstream answered: for a GET the guard let through, when HTTP caching allows
   * storing the response, marks it `X-Cache: MISS` and asks for a copy of its body (up to
   * `maxEntryBytes`), which it stores once complete; a successful unsafe request drops what is
   * stored for its URL.
   */
  afterProxy: AfterProxy;
  /** The upstream failed: answers with the stored response the guard found expired, while within its stale-if-error window. */
  onUpstreamFailure: OnUpstreamFailure;
  /**
   * Stores a response with its whole body when HTTP caching allows, deciding on the upstream's
   * `headers` and replaying `sentHeaders` (what the client got; default `headers`) on hits.
   */
  record(request: RouteRequest, status: number, headers: IncomingHttpHeaders, body: Buffer, sentHeaders?: OutgoingHttpHeaders): Promise<boolean>;
}

/** A REST route's `policies.cache`: the HTTP cache over the same store as GraphQL. */
export function createCacheRoute(args: CacheHint, deps: CacheRouteDeps): CacheRoute {
  const { store, now } = deps;

  /** Expired entries a guard found, kept for the request's `onUpstreamFailure`. */
  const staleFor = new WeakMap<RouteRequest, Found>();
  const freshUntil = (meta: Stored): number => meta.storedAt + meta.ttl * 1000;
  const staleUntil = (meta: Stored): number => freshUntil(meta) + (meta.staleIfError ?? 0) * 1000;
  const principalOf = (request: RouteRequest): string | undefined => privateKeyOf(request, nodeHeaders(request.req), deps.accountsFor);

  /** The stored response for this request, fresh or not. */
  async function find(request: RouteRequest): Promise<Found | undefined> {
    const primary = primaryKey(request.routeName, urlOf(request));
    let found = decode(await store.get(primary));
    if (found?.meta.kind === 'vary') {
      const principal = principalOf(request);
      if (found.meta.private && principal === undefined) return undefined;
      found = decode(await store.get(variantKey(primary, found.meta.vary, request.req.headers, found.meta.private ? principal : undefined)));
    }
    return found?.meta.kind === 'response' ? (found as Found) : undefined;
  }

  /** The cache's own answer: with the headers earlier policies asked for (RateLimit-*), as a proxied answer has them. */
  function writeHead(request: RouteRequest, status: number, headers: OutgoingHttpHeaders): ServerResponse {
    return request.res.writeHead(status, { ...headers, ...request.state.responseHeaders });
  }

  function send(request: RouteRequest, found: Found, headers: OutgoingHttpHeaders): void {
    headers['content-length'] = found.body.length;
    writeHead(request, found.meta.status, headers);
    request.res.end(request.req.method === 'HEAD' ? undefined : found.body);
  }

  const ageOf = (meta: Stored): string => String(Math.floor((now() - meta.storedAt) / 1000));

  const guard: RouteGuard = async function cacheGuard(request) {
    const method = request.req.method ?? 'GET';
    if (!requestAllowsLookup(method, request.req.headers)) return false;
    const found = await find(request);
    if (found === undefined) return false;
    if (now() >= freshUntil(found.meta)) {
      if (now() < staleUntil(found.meta)) staleFor.set(request, found);
      return false;
    }
    const headers: OutgoingHttpHeaders = { ...found.meta.headers, age: ageOf(found.meta), 'x-cache': 'HIT' };
    const etag = found.meta.headers['etag'];
    if (typeof etag === 'string' && etagMatches(request.req.headers['if-none-match'], etag)) {
      writeHead(request, 304, headers).end();
      return true;
    }
    send(request, found, headers);
    return true;
  };

  /** Marked stale and never kept downstream, as the GraphQL cache's stale answers. */
  const onUpstreamFailure: OnUpstreamFailure = function serveStale(request) {
    const stale = staleFor.get(request);
    if (stale === undefined || now() >= staleUntil(stale.meta) || request.res.headersSent) return false;
    staleFor.delete(request);
    const { etag: _etag, ...kept } = stale.meta.headers;
    send(request, stale, { ...kept, ...outcomeHeaders(staleOutcome((now() - stale.meta.storedAt) / 1000)), 'x-cache': 'STALE' });
    return true;
  };

  function decide(request: RouteRequest, status: number, headers: IncomingHttpHeaders): HttpCacheDecision {
    const method = request.req.method ?? 'GET';
    const identified = sendsIdentity(request);
    return responseCacheability({ method, headers: request.req.headers, identified }, { status, headers }, args, principalOf(request), deps.staleIfErrorSeconds);
  }

  async function save(request: RouteRequest, decision: HttpCacheDecision & { store: true }, status: number, sent: OutgoingHttpHeaders, body: Buffer): Promise<void> {
    // Kept through the stale window too: the guard tells fresh from stale.
    const ttlMs = (decision.ttlSeconds + decision.staleIfErrorSeconds) * 1000;
    const meta: Stored = { kind: 'response', status, headers: storable(sent, body), storedAt: now(), ttl: decision.ttlSeconds, staleIfError: decision.staleIfErrorSeconds };
    const primary = primaryKey(request.routeName, urlOf(request));
    if (decision.vary.length === 0 && !decision.private) {
      await store.set(primary, encode(meta, body), ttlMs);
      return;
    }
    const principal = decision.private ? principalOf(request) : undefined;
    // Past this variant's stale window by as much as any window can be: a variant of the same
    // freshness stored later does not cut an earlier one's window off.
    const markerTtlMs = (decision.ttlSeconds + deps.staleIfErrorSeconds) * 1000;
    await store.set(primary, encode({ kind: 'vary', vary: decision.vary, private: decision.private }, Buffer.alloc(0)), markerTtlMs);
    // Tagged with its URL, so an unsafe request drops every variant, not only the marker.
    await store.set(variantKey(primary, decision.vary, request.req.headers, principal), encode(meta, body), ttlMs, [urlTag(primary)]);
  }

  async function record(request: RouteRequest, status: number, headers: IncomingHttpHeaders, body: Buffer, sentHeaders: OutgoingHttpHeaders = headers): Promise<boolean> {
    const decision = decide(request, status, headers);
    if (!decision.store || body.length > deps.maxEntryBytes) return false;
    await save(request, decision, status, sentHeaders, body);
    return true;
  }

  const afterProxy: AfterProxy = function cacheAfterProxy(request, response) {
    // The upstream answered: an expired copy kept for its failure is not needed.
    staleFor.delete(request);
    const method = request.req.method ?? 'GET';
    if (!SAFE_METHODS.has(method) && response.status < 400) invalidate(request);
    if (method !== 'GET') return undefined;
    const decision = decide(request, response.status, response.upstreamHeaders);
    if (!decision.store || Number(response.upstreamHeaders['content-length']) > deps.maxEntryBytes) return undefined;
    response.headers['x-cache'] = 'MISS';
    return {
      maxBytes: deps.maxEntryBytes,
      onBody: (body) => save(request, decision, response.status, response.headers, body).catch((error: unknown) => {
        deps.logger?.warn({ requestId: request.requestId, reason: (error as Error).message }, 'REST response not stored in the cache');
      }),
    };
  };

  /** RFC 9111 §4.4: a successful unsafe request makes the stored response of its URL (all its variants) go. */
  function invalidate(request: RouteRequest): void {
    const primary = primaryKey(request.routeName, urlOf(request));
    Promise.all([store.delete(primary), store.invalidate([urlTag(primary)])]).catch((error: unknown) => {
      deps.logger?.warn({ requestId: request.requestId, reason: (error as Error).message }, 'REST cache entry not invalidated');
    });
  }

  return { guard, afterProxy, onUpstreamFailure, record };
}

/** Methods that change nothing (RFC 9110 §9.2.1): they never invalidate. */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE']);

/** The tag of every variant stored for one URL (its primary key). */
function urlTag(primary: string): string {
  return `R:${primary}`;
}

/** The route request's path and query (the query is part of the resource). */
function urlOf(request: RouteRequest): string {
  const url = request.req.url ?? '';
  const query = url.indexOf('?');
  return query === -1 ? request.path : request.path + url.slice(query);
}

/** Headers replayed on hits; a body without an `ETag` gets a strong one, so hits can answer 304. */
function storable(headers: OutgoingHttpHeaders, body: Buffer): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined && !UNSTORED.has(name)) out[name] = typeof value === 'number' ? String(value) : value;
  }
  out['etag'] ??= `"${hash('sha1', body, 'base64url')}"`;
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
