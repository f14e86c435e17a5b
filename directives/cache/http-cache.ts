import type { IncomingHttpHeaders } from 'node:http';
import { ageSeconds, deltaSeconds, parseCacheControl, type CacheControlDirectives } from '../../src/stores/cache-hints.js';
import { hashKey } from './entry.js';
import type { CacheHint } from './sdl.js';

/**
 * HTTP caching of REST GET routes as a shared cache (RFC 9111), kept deliberately small: only
 * responses with explicit freshness are stored (no heuristic freshness, no revalidation), so
 * `no-cache` is treated like `no-store`. A stored response may answer past its freshness only
 * when the upstream fails (RFC 5861 `stale-if-error`).
 */

/** Statuses cacheable by default (RFC 9110 §15.1) that a gateway is likely to see. */
const CACHEABLE_STATUS = new Set([200, 203, 204, 300, 301, 404, 410]);

export type HttpCacheDecision =
  | { store: true; ttlSeconds: number; vary: string[]; private: boolean; staleIfErrorSeconds: number }
  | { store: false; reason: string };

type Headers = IncomingHttpHeaders | Readonly<Record<string, string | string[] | undefined>>;

/** Whether a stored response may answer this request. */
export function requestAllowsLookup(method: string, headers: Headers): boolean {
  if (method !== 'GET' && method !== 'HEAD') return false;
  const directives = parseCacheControl(headers['cache-control']);
  if (directives.has('no-cache') || directives.has('no-store') || deltaSeconds(directives, 'max-age') === 0) return false;
  return !(directives.size === 0 && /\bno-cache\b/i.test(String(headers['pragma'] ?? '')));
}

/**
 * Whether (and for how long, for whom, varying on what) an upstream response to this request is
 * stored. The route's `maxAge` is the freshness when the upstream states none and a cap when it
 * does; upstream `no-store`, `no-cache`, `private`, `Set-Cookie` and `Vary: *` always win.
 */
export function responseCacheability(
  /** `identified`: the upstream was sent the caller's identity headers (an authenticated caller). */
  request: { method: string; headers: Headers; identified?: boolean },
  response: { status: number; headers: Headers },
  args: CacheHint,
  principalKey: string | undefined,
  /** The longest a response may answer past its freshness when the upstream fails (`cache.staleIfErrorSeconds`; 0: never). */
  maxStaleIfErrorSeconds: number,
): HttpCacheDecision {
  if (request.method !== 'GET') return { store: false, reason: 'method' };
  if (parseCacheControl(request.headers['cache-control']).has('no-store')) return { store: false, reason: 'request no-store' };
  if (!CACHEABLE_STATUS.has(response.status)) return { store: false, reason: 'status' };
  if (response.headers['set-cookie'] !== undefined) return { store: false, reason: 'set-cookie' };
  const directives = parseCacheControl(response.headers['cache-control']);
  if (directives.has('no-store') || directives.has('no-cache')) return { store: false, reason: 'no-store' };
  const vary = varyOf(response.headers['vary']);
  if (vary.includes('*')) return { store: false, reason: 'vary *' };
  const explicitlyShared = directives.has('public') || directives.has('s-maxage');
  const personal = request.headers['authorization'] !== undefined || request.identified === true;
  const isPrivate = directives.has('private') || args.scope === 'PRIVATE' || (personal && !explicitlyShared);
  if (isPrivate && principalKey === undefined) return { store: false, reason: 'private without principal' };
  const stated = (isPrivate ? undefined : deltaSeconds(directives, 's-maxage')) ?? deltaSeconds(directives, 'max-age');
  const age = ageSeconds(response.headers['age']);
  const upstream = stated === undefined ? undefined : stated - age;
  const ttlSeconds = upstream === undefined ? args.maxAge : args.maxAge === undefined ? upstream : Math.min(upstream, args.maxAge);
  if (ttlSeconds === undefined || ttlSeconds <= 0) return { store: false, reason: 'no freshness' };
  // A route maxAge under the upstream's own freshness leaves the rest of it usable when the upstream fails.
  const stillFresh = upstream === undefined ? 0 : Math.max(0, upstream - ttlSeconds);
  const staleIfErrorSeconds = Math.min(maxStaleIfErrorSeconds, stillFresh + staleWindow(directives, maxStaleIfErrorSeconds));
  return { store: true, ttlSeconds, vary, private: isPrivate, staleIfErrorSeconds };
}

/**
 * How long past its freshness a response may answer when the upstream fails: the upstream's own
 * `stale-if-error=N` (RFC 5861, which puts it above `must-revalidate`), else none when it asks to
 * be revalidated (`must-revalidate`, `proxy-revalidate`, or `s-maxage`, which implies it, RFC 9111
 * §5.2.2.10), else the most the gateway allows. The caller caps the result at that most.
 */
function staleWindow(directives: CacheControlDirectives, maxSeconds: number): number {
  const stated = deltaSeconds(directives, 'stale-if-error');
  if (stated !== undefined) return stated;
  if (directives.has('must-revalidate') || directives.has('proxy-revalidate') || directives.has('s-maxage')) return 0;
  return maxSeconds;
}

/** Lower-case header names of a `Vary` header. */
export function varyOf(header: string | string[] | undefined): string[] {
  if (header === undefined) return [];
  const text = typeof header === 'string' ? header : header.join(',');
  return [...new Set(text.split(',').map((name) => name.trim().toLowerCase()).filter((name) => name !== ''))].sort();
}

/** Key of a route's response to a URL (HEAD is answered from GET entries). */
export function primaryKey(routeName: string, url: string): string {
  return hashKey(['rest', routeName, url]);
}

/** Key of one variant: the request's values of the `Vary` headers, and the principal when private. */
export function variantKey(primary: string, vary: readonly string[], headers: Headers, principalKey: string | undefined): string {
  const parts = [primary, principalKey === undefined ? 'public' : `p:${principalKey}`];
  for (const name of vary) {
    const value = headers[name];
    parts.push(`${name}:${value === undefined ? '' : Array.isArray(value) ? value.join(',') : value}`);
  }
  return hashKey(parts);
}
