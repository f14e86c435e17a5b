import type { AuthConfig } from '../../src/config/auth.js';
import type { HeaderLookup, Principal } from '../policy.js';
import { bearerOf, sameCookieName } from './bearer.js';

/**
 * Whether a principal accounts for every credential the request carries that an upstream may
 * tailor its answer to (`Authorization`, `Cookie`): only then may a private answer be kept under
 * that principal. An API-key consumer accounts for its key's header alone (an `Authorization` or
 * cookie beside it was never verified: it may belong to anyone). A bearer-token principal accounts
 * for the `Authorization: Bearer` it was verified from, or, without one, for a `Cookie` header
 * holding the configured auth cookie and nothing else. Follows where `authenticate` takes the
 * credential from (authenticator.ts, bearer.ts). `otherForwarded`: further headers some source
 * receives (`forwardHeaders`, say an `x-user-token`); the principal accounts for none of them but
 * an API-key consumer's own key header, so a request carrying one is not kept under the principal.
 */
export type CredentialCheck = (principal: Principal, headers: HeaderLookup, otherForwarded?: readonly string[]) => boolean;

export function createCredentialCheck(config: Pick<AuthConfig, 'apiKeys' | 'jwt'>): CredentialCheck {
  const apiKeyHeader = config.apiKeys?.header;
  const authCookie = config.jwt?.cookie;
  return function accountsForCredentials(principal, headers, otherForwarded = []) {
    for (const name of otherForwarded) {
      if (headers.get(name) !== null && !(principal.method === 'api-key' && name === apiKeyHeader)) return false;
    }
    const authorization = headers.get('authorization');
    const cookie = headers.get('cookie');
    if (principal.method === 'api-key') {
      return (authorization === null || apiKeyHeader === 'authorization') && (cookie === null || apiKeyHeader === 'cookie');
    }
    if (authorization !== null) return bearerOf(authorization) !== undefined && cookie === null;
    return cookie === null || (authCookie !== undefined && onlyCookie(cookie, authCookie));
  };
}

/** Whether a `Cookie` header carries the named cookie, once, and no other. */
function onlyCookie(header: string, name: string): boolean {
  let found = false;
  for (const part of header.split(';')) {
    if (part.trim() === '') continue;
    const eq = part.indexOf('=');
    if (found || eq === -1 || !sameCookieName(part.slice(0, eq).trim(), name)) return false;
    found = true;
  }
  return found;
}
