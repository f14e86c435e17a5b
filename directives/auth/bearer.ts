import type { HeaderReader } from './authenticator.js';

/**
 * `Authorization: Bearer <token>` (scheme case-insensitive), else the named cookie. Other schemes
 * are not ours. Throws when the cookie is sent more than once with different values: the gateway
 * would verify one while an upstream reading the cookies may act on the other.
 */
export function bearerToken(headers: HeaderReader, cookie: string | undefined): string | undefined {
  const authorization = headers.get('authorization');
  if (authorization !== null) {
    const token = bearerOf(authorization);
    if (token !== undefined) return token;
  }
  return cookie === undefined ? undefined : cookieValue(headers.get('cookie'), cookie);
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
    if (eq === -1 || part.slice(0, eq).trim() !== name) continue;
    const value = part.slice(eq + 1).trim();
    if (found !== undefined && found !== value) throw new Error(`the ${name} cookie is sent more than once, with different values`);
    found = value;
  }
  return found;
}
