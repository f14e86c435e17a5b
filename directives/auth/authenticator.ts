import type { AuthConfig } from '../../src/config/auth.js';
import type { Logger } from '../../src/logger.js';
import type { Principal } from '../policy.js';
import { createApiKeyVerifier, type ApiKeyVerifier } from './api-keys.js';
import { bearerToken } from './bearer.js';
import { invalidCredentials } from './errors.js';
import type { AuthHttp } from './http-client.js';
import { createIntrospector, type Introspector } from './introspection.js';
import { createJwtVerifier, type JwtVerifier } from './jwt-verifier.js';

/** Request headers as both surfaces can offer them (Fetch `Headers`, or a wrapper over Node's). */
export interface HeaderReader {
  get(name: string): string | null;
}

export interface AuthenticatorDeps {
  http: AuthHttp;
  now: () => number;
  logger: Logger;
}

export interface Authenticator {
  /** Whether any credential kind is configured at all. */
  readonly enabled: boolean;
  /**
   * The caller, or undefined when no credential we handle was sent. Credentials that are sent but
   * not valid throw UNAUTHENTICATED (never treated as anonymous); a key source that cannot answer
   * throws AUTH_UNAVAILABLE. Answered at once (no promise) when nothing needs waiting for: no
   * credential, an API key, a JWT verified recently; it may then also throw at once.
   */
  authenticate(headers: HeaderReader): Principal | undefined | Promise<Principal | undefined>;
  /**
   * The consumer of the API key sent, or undefined when none was sent (or API keys are not
   * configured); an unknown key throws UNAUTHENTICATED. Bearer tokens are not looked at: where
   * only the API key matters, they are the upstream's business.
   */
  authenticateApiKey(headers: HeaderReader): Principal | undefined;
  /** Whether API keys are configured. */
  readonly apiKeysEnabled: boolean;
  readonly jwt: JwtVerifier | undefined;
  readonly introspection: Introspector | undefined;
}

/**
 * Picks the credential and the verifier: an API key from its header; a bearer token from
 * `Authorization` (or the configured cookie) goes to the JWT verifier when it is a JWT from a
 * configured issuer, otherwise to introspection. Sending an API key and a bearer token together
 * is refused as ambiguous.
 */
export function createAuthenticator(config: AuthConfig, deps: AuthenticatorDeps): Authenticator {
  const realm = config.realm;
  const jwt = config.jwt === undefined ? undefined : createJwtVerifier(config.jwt, { ...deps, realm });
  const introspection = config.introspection === undefined ? undefined : createIntrospector(config.introspection, { ...deps, realm });
  const apiKeys: ApiKeyVerifier | undefined = config.apiKeys === undefined ? undefined : createApiKeyVerifier(config.apiKeys);
  const apiKeyHeader = config.apiKeys?.header;
  const bearerEnabled = jwt !== undefined || introspection !== undefined;
  const cookie = config.jwt?.cookie;

  function authenticate(headers: HeaderReader): Principal | undefined | Promise<Principal | undefined> {
    const apiKey = apiKeyHeader === undefined ? null : headers.get(apiKeyHeader);
    const token = bearerEnabled ? bearerTokenOf(headers) : undefined;
    if (apiKey !== null && token !== undefined) throw invalidCredentials(realm, new Error('both an API key and a bearer token'));
    if (apiKey !== null) return verifyApiKey(apiKey);
    if (token === undefined) return undefined;
    if (token === '') throw invalidCredentials(realm, new Error('empty bearer token'));
    if (jwt !== undefined && (introspection === undefined || jwt.knowsIssuerOf(token))) return jwt.verify(token);
    return introspection!.verify(token);
  }

  function bearerTokenOf(headers: HeaderReader): string | undefined {
    try {
      return bearerToken(headers, cookie);
    } catch (error) {
      throw invalidCredentials(realm, error);
    }
  }

  function verifyApiKey(key: string): Principal {
    const principal = apiKeys?.verify(key);
    if (principal === undefined) throw invalidCredentials(realm, new Error('unknown API key'));
    return principal;
  }

  function authenticateApiKey(headers: HeaderReader): Principal | undefined {
    const apiKey = apiKeyHeader === undefined ? null : headers.get(apiKeyHeader);
    return apiKey === null ? undefined : verifyApiKey(apiKey);
  }

  return { enabled: apiKeys !== undefined || bearerEnabled, apiKeysEnabled: apiKeys !== undefined, authenticate, authenticateApiKey, jwt, introspection };
}
