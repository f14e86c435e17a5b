import type { ExecutionResult } from 'graphql';
import type { CacheScope } from '../../src/config/cache.js';
import { etagMatches, type Entry } from './entry.js';

/** What the cache decided for one response; turned into headers when the response leaves. */
export interface Outcome {
  cacheControl: string;
  etag?: string;
  /** Seconds since the entry was produced (hits and stale answers). */
  age?: number;
  stale?: boolean;
}

export const NO_STORE: Outcome = Object.freeze({ cacheControl: 'no-store' });

/**
 * A fresh answer keeps the entry's own max age. One served from the cache says how old it is in
 * `Age`: a downstream cache subtracts `Age` itself (RFC 9111 §4.2.3), so a max age already reduced
 * would count the age twice. Delta-seconds are whole numbers in HTTP: the age is rounded up. An
 * answer just produced for this request (`age` undefined) has no `Age`: the header says a
 * response came from a cache (RFC 9111 §5.1).
 */
export function freshOutcome(scope: CacheScope, maxAge: number, etag: string, age: number | undefined): Outcome {
  const cacheControl = `${scope === 'PRIVATE' ? 'private' : 'public'}, max-age=${Math.floor(maxAge)}`;
  return age === undefined ? { cacheControl, etag } : { cacheControl, etag, age: Math.ceil(age) };
}

/** A stale answer is marked and never kept downstream. */
export function staleOutcome(age: number): Outcome {
  return { cacheControl: 'no-store', age, stale: true };
}

/** A result whose serialised form is known: Yoga's result processor uses `stringify` as long as the object is unchanged. */
export function resultWithBody(result: ExecutionResult, body: string): ExecutionResult {
  Object.defineProperty(result, 'stringify', {
    enumerable: false,
    value: (given: ExecutionResult) => (given === result && result.extensions === undefined && result.errors === undefined ? body : JSON.stringify(given)),
  });
  return result;
}

export function hitResult(entry: Entry): ExecutionResult {
  return resultWithBody(JSON.parse(entry.body) as ExecutionResult, entry.body);
}

export function staleResult(entry: Entry, age: number): ExecutionResult {
  const result = JSON.parse(entry.body) as ExecutionResult;
  return { ...result, extensions: { ...result.extensions, cache: { stale: true, age } } };
}

interface FetchLike {
  Response: typeof Response;
}

/**
 * The outcome as response headers: `Cache-Control` always, `ETag` for fresh answers, `Age` for
 * stored ones, `Warning: 110` for stale ones.
 */
export function outcomeHeaders(outcome: Outcome): Record<string, string> {
  const headers: Record<string, string> = { 'cache-control': outcome.cacheControl };
  if (outcome.age !== undefined) headers['age'] = String(Math.max(0, Math.floor(outcome.age)));
  if (outcome.stale) headers['warning'] = '110 - "Response is Stale"';
  if (outcome.etag !== undefined) headers['etag'] = outcome.etag;
  return headers;
}

/** Whether a 200 with this outcome becomes a bodiless 304 for a request with this `If-None-Match`. */
export function notModified(outcome: Outcome, ifNoneMatch: string | null | undefined): boolean {
  return outcome.etag !== undefined && etagMatches(ifNoneMatch, outcome.etag);
}

/**
 * The headers a 304 drops: those describing the body it does not have (RFC 9110 §15.4.5). Every
 * other header of the 200 stays, as on the fast path: `RateLimit-*` and whatever else policies
 * asked for, the request id, and the outcome's own.
 */
const BODY_HEADERS = ['content-type', 'content-length', 'content-encoding', 'content-language', 'transfer-encoding'] as const;

/** Writes the outcome's headers on the response; a matching `If-None-Match` turns a 200 into a bodiless 304. */
export function applyOutcome(outcome: Outcome, request: Request, response: Response, fetchAPI: FetchLike): Response | undefined {
  for (const [name, value] of Object.entries(outcomeHeaders(outcome))) response.headers.set(name, value);
  if (response.status !== 200 || !notModified(outcome, request.headers.get('if-none-match'))) return undefined;
  return notModifiedResponse(response, fetchAPI);
}

function notModifiedResponse(response: Response, fetchAPI: FetchLike): Response {
  const replacement = new fetchAPI.Response(null, { status: 304, headers: response.headers });
  for (const name of BODY_HEADERS) replacement.headers.delete(name);
  return replacement;
}
