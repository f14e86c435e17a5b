/**
 * Cache hints gathered while one GraphQL request executes. The cache plugin puts a collector on
 * the request context when the response may be stored; REST sources record their upstream's
 * `Cache-Control` into it, so the response never outlives what a backend allowed.
 */
export interface CacheHintCollector {
  /** Least freshness (seconds) any upstream had left: its max age less its `Age`; undefined: no upstream said. */
  maxAge: number | undefined;
  /** An upstream marked its response `private`. */
  private: boolean;
  /** An upstream said `no-store` or `no-cache` (revalidation is not done, so both mean no reuse). */
  noStore: boolean;
  /** Whether upstreams' freshness (`max-age`, `s-maxage`, less `Age`) caps the answer's (`cache.restHints`). */
  readonly followsFreshness: boolean;
}

/** The property of the request context holding the collector. */
export const CACHE_HINTS_KEY = 'cacheHints';

export function createCacheHintCollector(options: { restHints?: boolean } = {}): CacheHintCollector {
  return { maxAge: undefined, private: false, noStore: false, followsFreshness: options.restHints ?? true };
}

/** Parsed `Cache-Control` directives (lower-case names; `true` for those without a value). */
export type CacheControlDirectives = Map<string, string | true>;

export function parseCacheControl(header: string | readonly string[] | undefined): CacheControlDirectives {
  const directives: CacheControlDirectives = new Map();
  if (header === undefined) return directives;
  const text = typeof header === 'string' ? header : header.join(',');
  for (const part of text.split(',')) {
    const eq = part.indexOf('=');
    const name = (eq === -1 ? part : part.slice(0, eq)).trim().toLowerCase();
    if (name === '') continue;
    const value = eq === -1 ? true : part.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1');
    if (!directives.has(name)) directives.set(name, value);
  }
  return directives;
}

/** Seconds of a delta-seconds directive, or undefined when absent or malformed. */
export function deltaSeconds(directives: CacheControlDirectives, name: string): number | undefined {
  const value = directives.get(name);
  if (typeof value !== 'string' || !/^\d+$/.test(value)) return undefined;
  return Math.min(Number(value), 2 ** 31 - 1);
}

/** The collector on a request context, when the request collects hints. */
function collectorOf(context: unknown): CacheHintCollector | undefined {
  return (context as Record<string, unknown> | null | undefined)?.[CACHE_HINTS_KEY] as CacheHintCollector | undefined;
}

/** The response of this request must not be stored (e.g. a fallback stood in for a failed upstream). */
export function forbidStoring(context: unknown): void {
  const collector = collectorOf(context);
  if (collector !== undefined) collector.noStore = true;
}

/**
 * Records an upstream response's `Cache-Control` as a hint, when the request collects hints. A
 * response setting a cookie is per-caller: the GraphQL response built from it is not stored.
 * `private`, `no-store` and `no-cache` always count (a backend's word that an answer is not for
 * sharing); its freshness only while the collector follows it (`cache.restHints`).
 */
export function recordCacheHeaders(context: unknown, headers: Readonly<Record<string, string | string[] | undefined>>): void {
  const collector = collectorOf(context);
  if (collector === undefined) return;
  if (headers['set-cookie'] !== undefined) collector.noStore = true;
  const header = headers['cache-control'];
  if (header === undefined) return;
  const directives = parseCacheControl(header);
  if (directives.has('no-store') || directives.has('no-cache')) collector.noStore = true;
  if (directives.has('private')) collector.private = true;
  const maxAge = deltaSeconds(directives, 's-maxage') ?? deltaSeconds(directives, 'max-age');
  if (maxAge === undefined || !collector.followsFreshness) return;
  // Fresh only for what the upstream's own caches left of it (RFC 9111 §4.2.3); 0 is not stored.
  const freshFor = Math.max(0, maxAge - ageSeconds(headers['age']));
  if (collector.maxAge === undefined || freshFor < collector.maxAge) collector.maxAge = freshFor;
}

/**
 * An `Age` header's seconds: its first member when it is a list, 0 when absent or not a
 * non-negative integer (RFC 9111 §5.1: an invalid `Age` is ignored).
 */
export function ageSeconds(header: string | readonly string[] | undefined): number {
  const text = typeof header === 'string' ? header : header?.[0];
  const first = text?.split(',')[0]?.trim();
  return first !== undefined && /^\d+$/.test(first) ? Math.min(Number(first), 2 ** 31 - 1) : 0;
}
