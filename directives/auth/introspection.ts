import { tokenKey } from './token-key.js';
import { LRUCache } from 'lru-cache';
import type { IntrospectionConfig } from '../../src/config/auth.js';
import type { Logger } from '../../src/logger.js';
import type { Principal } from '../policy.js';
import { authUnavailable, invalidCredentials, KeySourceError } from './errors.js';
import type { AuthHttp } from './http-client.js';
import { scopesOf } from './scopes.js';

export interface IntrospectionDeps {
  http: AuthHttp;
  now: () => number;
  logger: Logger;
  realm: string;
}

export interface Introspector {
  /** The caller behind an opaque token; UNAUTHENTICATED when inactive, AUTH_UNAVAILABLE when the endpoint fails. */
  verify(token: string): Promise<Principal>;
  /** Calls made to the endpoint (for tests and metrics). */
  callCount(): number;
}

interface Entry {
  principal: Principal | undefined;
  expiresAt: number;
}

/**
 * OAuth2 token introspection (RFC 7662) with client credentials. Results (active or not) are
 * cached by the token's hash, never past the token's `exp` nor `cacheMaxAgeMs`, in a bounded LRU;
 * concurrent checks of one token share one call. An unreachable endpoint never lets a token in.
 */
export function createIntrospector(config: IntrospectionConfig, deps: IntrospectionDeps): Introspector {
  const cache = new LRUCache<string, Entry>({ max: config.cacheSize });
  const inFlight = new Map<string, Promise<Entry>>();
  const authorization = `Basic ${Buffer.from(`${formEncode(config.clientId)}:${formEncode(config.clientSecret)}`).toString('base64')}`;
  const audiences = config.audience === undefined ? undefined : [config.audience].flat();
  let calls = 0;

  async function verify(token: string): Promise<Principal> {
    const key = tokenKey(token);
    let entry = cache.get(key);
    if (entry !== undefined && entry.expiresAt <= deps.now()) entry = undefined;
    if (entry === undefined) entry = await shared(key, token);
    if (entry.principal === undefined) throw invalidCredentials(deps.realm, new Error('token not active'));
    return entry.principal;
  }

  function shared(key: string, token: string): Promise<Entry> {
    let pending = inFlight.get(key);
    if (pending === undefined) {
      pending = introspect(key, token).finally(() => inFlight.delete(key));
      inFlight.set(key, pending);
    }
    return pending;
  }

  async function introspect(key: string, token: string): Promise<Entry> {
    calls++;
    let json: unknown;
    try {
      const response = await deps.http({
        method: 'POST', url: config.endpoint, timeoutMs: config.timeoutMs, maxBytes: 64 * 1024,
        headers: { authorization, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: new URLSearchParams({ token, token_type_hint: 'access_token' }).toString(),
      });
      if (response.status !== 200) throw new KeySourceError(`introspection answered HTTP ${response.status}`);
      json = response.json;
    } catch (error) {
      deps.logger.warn({ err: (error as Error).message }, 'introspection failed');
      throw authUnavailable('introspection', error);
    }
    const now = deps.now();
    const principal = activePrincipal(json, now);
    const exp = principal === undefined ? undefined : (principal.claims['exp'] as number | undefined);
    const expiresAt = Math.min(now + config.cacheMaxAgeMs, exp === undefined ? Infinity : exp * 1000);
    const entry = { principal, expiresAt };
    if (expiresAt > now) cache.set(key, entry);
    return entry;
  }

  function activePrincipal(json: unknown, now: number): Principal | undefined {
    if (json === null || typeof json !== 'object') return undefined;
    const claims = json as Record<string, unknown>;
    if (claims['active'] !== true) return undefined;
    const exp = claims['exp'];
    if (exp !== undefined && (typeof exp !== 'number' || exp * 1000 <= now)) return undefined;
    if (config.issuer !== undefined && claims['iss'] !== config.issuer) return undefined;
    if (audiences !== undefined && !audiences.some((aud) => [claims['aud']].flat().includes(aud))) return undefined;
    const subject = typeof claims['sub'] === 'string' ? claims['sub'] : claims['client_id'];
    if (typeof subject !== 'string' || subject === '') return undefined;
    return { id: subject, scopes: scopesOf(claims, undefined), claims, method: 'introspection' };
  }

  return { verify, callCount: () => calls };
}

/** RFC 6749 §2.3.1: client id and secret are form-encoded before Basic encoding. */
function formEncode(value: string): string {
  return encodeURIComponent(value).replace(/%20/g, '+');
}
