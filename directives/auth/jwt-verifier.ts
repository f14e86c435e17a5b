import { createPublicKey, hash, X509Certificate, type KeyObject } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import { createLocalJWKSet, decodeJwt, jwtVerify, type JWK, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { ASYMMETRIC_ALGORITHMS, type JwtConfig, type JwtIssuerConfig } from '../../src/config/auth.js';
import type { Logger } from '../../src/logger.js';
import type { Principal } from '../policy.js';
import { authUnavailable, invalidCredentials, KeySourceError } from './errors.js';
import type { AuthHttp } from './http-client.js';
import { createJwksCache, type JwksCache } from './jwks-cache.js';
import { scopesOf } from './scopes.js';

export interface JwtVerifierDeps {
  http: AuthHttp;
  now: () => number;
  logger: Logger;
  realm: string;
}

export interface JwtVerifier {
  /** Whether a token names one of the configured issuers (unverified; only to pick the verifier). */
  knowsIssuerOf(token: string): boolean;
  /** Verifies signature and claims; throws UNAUTHENTICATED, or AUTH_UNAVAILABLE when keys cannot be had. */
  verify(token: string): Promise<Principal>;
  /** JWKS caches by issuer, for tests and metrics. */
  readonly jwks: ReadonlyMap<string, JwksCache>;
}

interface IssuerVerifier {
  config: JwtIssuerConfig;
  key: JWTVerifyGetKey | Uint8Array;
  algorithms: string[];
}

/**
 * JWT verification with jose, one entry per issuer: the token's `iss` picks the entry, whose
 * keys, algorithms and audience alone decide. `exp` and `sub` are required; HS* is accepted
 * only for an issuer configured with a secret, so an RSA public key can never serve as an HMAC key.
 */
export function createJwtVerifier(config: JwtConfig, deps: JwtVerifierDeps): JwtVerifier {
  const jwks = new Map<string, JwksCache>();
  const issuers = new Map<string, IssuerVerifier>();
  for (const issuer of config.issuers) {
    issuers.set(issuer.issuer, issuerVerifier(issuer, config, deps, jwks));
  }

  const only = issuers.size === 1 ? [...issuers.values()][0] : undefined;
  const verified = config.verifiedCacheSize > 0 && config.verifiedCacheMaxAgeMs > 0
    ? new LRUCache<string, { principal: Principal; until: number }>({ max: config.verifiedCacheSize })
    : undefined;

  function issuerOf(token: string): IssuerVerifier | undefined {
    if (only !== undefined) return only;
    try {
      const iss = decodeJwt(token).iss;
      return typeof iss === 'string' ? issuers.get(iss) : undefined;
    } catch {
      return undefined;
    }
  }

  async function verify(token: string): Promise<Principal> {
    if (verified === undefined) return verifyToken(token);
    const key = hash('sha256', token, 'base64url');
    const hit = verified.get(key);
    if (hit !== undefined && hit.until > deps.now()) return hit.principal;
    const principal = await verifyToken(token);
    const exp = (principal.claims['exp'] as number) * 1000;
    verified.set(key, { principal, until: Math.min(exp, deps.now() + config.verifiedCacheMaxAgeMs) });
    return principal;
  }

  async function verifyToken(token: string): Promise<Principal> {
    const issuer = issuerOf(token);
    if (issuer === undefined) throw invalidCredentials(deps.realm, new Error('unknown or missing issuer'));
    let payload: JWTPayload;
    try {
      payload = (await verifyWith(issuer, token)).payload;
    } catch (error) {
      if (error instanceof KeySourceError) throw authUnavailable('jwks', error);
      deps.logger.debug({ reason: (error as { code?: string }).code ?? (error as Error).message }, 'JWT rejected');
      throw invalidCredentials(deps.realm, error);
    }
    return principalOf(payload, config.scopeClaim);
  }

  function verifyWith(issuer: IssuerVerifier, token: string): ReturnType<typeof jwtVerify> {
    const options = {
      issuer: issuer.config.issuer,
      audience: issuer.config.audience,
      algorithms: issuer.algorithms,
      clockTolerance: config.clockToleranceSeconds,
      requiredClaims: ['exp', 'sub'],
      currentDate: new Date(deps.now()),
    };
    return typeof issuer.key === 'function' ? jwtVerify(token, issuer.key, options) : jwtVerify(token, issuer.key, options);
  }

  function knowsIssuerOf(token: string): boolean {
    try {
      const iss = decodeJwt(token).iss;
      return typeof iss === 'string' && issuers.has(iss);
    } catch {
      return false;
    }
  }

  return { knowsIssuerOf, verify, jwks };
}

function issuerVerifier(issuer: JwtIssuerConfig, config: JwtConfig, deps: JwtVerifierDeps, jwks: Map<string, JwksCache>): IssuerVerifier {
  if (issuer.secret !== undefined) {
    return { config: issuer, key: new TextEncoder().encode(issuer.secret), algorithms: issuer.algorithms ?? ['HS256'] };
  }
  const algorithms = issuer.algorithms ?? [...ASYMMETRIC_ALGORITHMS];
  if (issuer.jwksUrl !== undefined) {
    const cache = createJwksCache({ url: issuer.jwksUrl, ...config.jwks }, deps);
    jwks.set(issuer.issuer, cache);
    return { config: issuer, key: cache.getKey, algorithms };
  }
  const keys = (issuer.keys ?? []).map(localJwk);
  return { config: issuer, key: createLocalJWKSet({ keys }), algorithms };
}

/** A configured PEM (key or certificate) or JWK, as a public JWK with its `kid`. */
function localJwk(entry: NonNullable<JwtIssuerConfig['keys']>[number]): JWK {
  const object: KeyObject = 'pem' in entry
    ? (entry.pem.includes('CERTIFICATE') ? new X509Certificate(entry.pem).publicKey : createPublicKey(entry.pem))
    : createPublicKey({ key: entry.jwk as never, format: 'jwk' });
  if (object.asymmetricKeyType === undefined) throw new Error('auth.jwt keys must be public keys');
  const jwk = object.export({ format: 'jwk' }) as JWK;
  const kid = entry.kid ?? ('jwk' in entry && typeof entry.jwk['kid'] === 'string' ? entry.jwk['kid'] : undefined);
  return kid === undefined ? jwk : { ...jwk, kid };
}

function principalOf(payload: JWTPayload, scopeClaim: string | undefined): Principal {
  return {
    id: `${payload.iss}#${payload.sub}`,
    scopes: scopesOf(payload as Record<string, unknown>, scopeClaim),
    claims: payload as Record<string, unknown>,
    method: 'jwt',
  };
}
