/**
 * Path safety. The route is chosen on, and the upstream receives, the same path: the client's
 * path as sent, with escapes of unreserved characters decoded (`%61` → `a`), other escapes
 * upper-cased and runs of `/` collapsed to one. Anything that an
 * upstream or a later decoder could read as a different path is refused with 400 instead:
 * dot segments (`.`, `..`, `%2e%2e`), encoded slashes and backslashes (`%2F`, `%5C`), raw
 * backslashes, encoded NUL, and semicolons (`;`, `%3B`): Java servlet containers cut a segment's
 * `;params` off, so `/admin;x/users` would dodge an `/admin` route and still be served as
 * `/admin/users` (Spring Security's firewall refuses them for the same reason). So
 * `/public/%2e%2e/admin` never reaches `/admin`, and `//evil.example/x` is the path
 * `/evil.example/x` on the configured upstream.
 */

const UNSAFE = /%2f|%5c|%00|%3b|;|\\|(?:^|\/)(?:\.|%2e){1,2}(?:\/|$)/i;
const REPEATED_SLASHES = /\/{2,}/g;
const PERCENT = /%([0-9a-fA-F]{2})/g;
const UNRESERVED = /[A-Za-z0-9\-._~]/;

/**
 * RFC 3986 6.2.2 normalisation: percent-encoded unreserved characters are decoded and the other
 * escapes upper-cased, so `/%61dmin` is matched (and forwarded) as `/admin`, the path every
 * upstream decodes it to.
 */
function normaliseEscapes(path: string): string {
  return path.replace(PERCENT, (escape, hex: string) => {
    const char = String.fromCharCode(Number.parseInt(hex, 16));
    return UNRESERVED.test(char) ? char : escape.toUpperCase();
  });
}

export interface RequestTarget {
  /** Normalised path, still percent-encoded; what routes match and what is forwarded. */
  path: string;
  /** The raw query with its leading `?`, or `''`. Forwarded unchanged. */
  search: string;
}

/** Splits and checks `req.url`; `undefined` means the target is refused (400). */
export function parseRequestTarget(url: string | undefined): RequestTarget | undefined {
  if (url === undefined || url.charCodeAt(0) !== 47 /* '/' */) return undefined;
  const mark = url.indexOf('?');
  let path = mark === -1 ? url : url.slice(0, mark);
  const search = mark === -1 ? '' : url.slice(mark);
  if (search.includes('#')) return undefined;
  if (UNSAFE.test(path)) return undefined;
  if (path.includes('%')) path = normaliseEscapes(path);
  if (path.includes('//')) path = path.replace(REPEATED_SLASHES, '/');
  return { path, search };
}
