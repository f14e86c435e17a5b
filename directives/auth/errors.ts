import { JunctionError } from '../../src/errors.js';

/**
 * The auth errors, in the shape both surfaces map once: GraphQL reads `code` and `headers`
 * (`extensions.http`), REST sends the JSON body with the same headers. Messages are generic: why a
 * token failed is logged, never told to the caller.
 */

/** Credentials were sent but are not valid (bad signature, expired, wrong audience, unknown key...). */
export function invalidCredentials(realm: string, cause?: unknown): JunctionError {
  return new JunctionError('UNAUTHENTICATED', 'Invalid credentials', {
    cause,
    headers: { 'www-authenticate': `Bearer realm="${realm}", error="invalid_token"` },
  });
}

/** Nothing was sent but the field or route needs a caller (RFC 6750 §3.1: no error code then). */
export function missingCredentials(realm: string, what: string): JunctionError {
  return new JunctionError('UNAUTHENTICATED', `${what} requires authentication`, {
    headers: { 'www-authenticate': `Bearer realm="${realm}"` },
  });
}

export function forbidden(realm: string, what: string): JunctionError {
  return new JunctionError('FORBIDDEN', `Not allowed to access ${what}`, {
    headers: { 'www-authenticate': `Bearer realm="${realm}", error="insufficient_scope"` },
  });
}

/** The key source (JWKS, introspection endpoint) cannot be reached: never accept blind. */
export function authUnavailable(what: string, cause?: unknown): JunctionError {
  return new JunctionError('AUTH_UNAVAILABLE', 'Authentication is temporarily unavailable', {
    cause,
    extensions: { source: what },
    headers: { 'retry-after': '5' },
  });
}

/** Marks failures of the key source itself, as opposed to a bad token. */
export class KeySourceError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'KeySourceError';
  }
}
