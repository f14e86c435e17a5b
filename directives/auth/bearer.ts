import type { HeaderReader } from './authenticator.js';

/**
 * The bearer token of a request: from `Authorization: Bearer <token>` (scheme case-insensitive),
 * or from the named cookie; other `Authorization` schemes are not ours. Throws when the request
 * carries different tokens (the header and the cookie, or the cookie twice), as Kong refuses
 * "multiple tokens": the gateway would verify one while an upstream may act on the other. A
 * cookie whose name differs from the configured one only in case or percent-encoding counts as
 * it, since some servers read it so.
 */
export function bearerToken(headers: HeaderReader, cookie: string | undefined): string | undefined {
  const authorization = headers.get('authorization');
  const fromHeader = authorization === null ? undefined : bearerOf(authorization);
  if (cookie === undefined) return fromHeader;
  const fromCookie = cookieValue(headers.get('cookie'), cookie);
  if (fromHeader !== undefined && fromCookie !== undefined && fromHeader !== fromCookie) {
    throw new Error(`different tokens in Authorization and the ${cookie} cookie`);
  }
  return fromHeader ?? fromCookie;
}

const SCHEME = 'bearer';

/**
 * The token of a `Bearer` credential: `''` for the bare scheme, undefined for any other scheme.
 * Looks at the scheme and the whitespace after it only: a regular expression would scan the whole
 * token (hundreds of characters) on every request.
 */
export function bearerOf(authorization: string): string | undefined {
  const value = authorization.trim();
  if (value.length < SCHEME.length || !startsWithScheme(value)) return undefined;
  if (value.length === SCHEME.length) return '';
  const rest = value.slice(SCHEME.length);
  const token = rest.trimStart();
  // `Bearerxyz` is another scheme: the token must be set off by whitespace.
  return token.length < rest.length ? token : undefined;
}

/** `bearer` in any case, without a lower-cased copy: letters differ from their capitals in bit 0x20 only. */
function startsWithScheme(value: string): boolean {
  for (let index = 0; index < SCHEME.length; index++) {
    if ((value.charCodeAt(index) | 0x20) !== SCHEME.charCodeAt(index)) return false;
  }
  return true;
}

function cookieValue(header: string | null, name: string): string | undefined {
  if (header === null) return undefined;
  let found: string | undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq === -1 || !sameCookieName(part.slice(0, eq).trim(), name)) continue;
    const value = part.slice(eq + 1).trim();
    if (found !== undefined && found !== value) throw new Error(`the ${name} cookie is sent more than once, with different values`);
    found = value;
  }
  return found;
}

/** `name` itself, or a spelling of it that differs in case or percent-encoding only. */
export function sameCookieName(candidate: string, name: string): boolean {
  if (candidate === name) return true;
  const decoded = candidate.includes('%') ? percentDecoded(candidate) : candidate;
  return decoded.length === name.length && decoded.toLowerCase() === name.toLowerCase();
}

function percentDecoded(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text; // not percent-encoding: compared as it is
  }
}
