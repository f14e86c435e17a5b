import { createPublicKey, X509Certificate, type JsonWebKey, type KeyObject } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import { ASYMMETRIC_ALGORITHMS, type JwtConfig, type JwtIssuerConfig } from '../../src/config/auth.js';
import type { Logger } from '../../src/logger.js';
import type { Principal } from '../policy.js';
import { authUnavailable, invalidCredentials, KeySourceError } from './errors.js';
import type { AuthHttp } from './http-client.js';
import { createJwksCache, type JwksCache, type PublishedKey } from './jwks-cache.js';
import { candidates, publicKeyOfJwk, secretKey, verificationKey, type ClaimRules, type JwsHeader, type KeyLabels, type VerificationKey } from './jwt-keys.js';
import { scopesOf } from './scopes.js';
import { tokenKey } from './token-key.js';

export interface JwtVerifierDeps {
  http: AuthHttp;
  now: () => number;
  logger: Logger;
  realm: string;
}

export interface JwtVerifier {
  /** Whether a token names one of the configured issuers (unverified; only to pick the verifier). */
  knowsIssuerOf(token: string): boolean;
  /**
   * Verifies signature and claims; rejects with UNAUTHENTICATED, or AUTH_UNAVAILABLE when keys
   * cannot be had. A valid token is answered at once, without a promise, when it was verified
   * recently or its issuer's keys are at hand.
   */
  verify(token: string): Principal | Promise<Principal>;
  /** JWKS caches by issuer, for tests and metrics. */
  readonly jwks: ReadonlyMap<string, JwksCache>;
}

interface IssuerVerifier {
  /** The issuer's keys: fixed, or the current ones of its JWKS. */
  keysFor(header: JwsHeader): readonly VerificationKey[] | Promise<readonly VerificationKey[]>;
}

/**
 * One segment of a token as JSON, unverified: only to pick the issuer and the key (fast-jwt then
 * decodes and checks the whole token strictly). Undefined when it is not a JSON object.
 */
function peek(token: string, segment: 0 | 1): Record<string, unknown> | undefined {
  const parts = token.split('.', 3);
  if (parts.length !== 3) return undefined;
  try {
    const value: unknown = JSON.parse(Buffer.from(parts[segment]!, 'base64url').toString('utf8'));
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * JWT verification, one entry per issuer: the token's `iss` picks the entry, whose keys,
 * algorithms and audience alone decide. The signature and claims are checked by fast-jwt with
 * node:crypto, synchronously (a fraction of the CPU of a WebCrypto check). `exp` and `sub` are
 * required; HS* is accepted only for an issuer configured with a secret, so an RSA public key can
 * never serve as an HMAC key; a key checks only the algorithms made for its type; embedded keys
 * (`jwk`, `jku`, `x5u`, `x5c`) are never looked at.
 */
export function createJwtVerifier(config: JwtConfig, deps: JwtVerifierDeps): JwtVerifier {
  const jwks = new Map<string, JwksCache>();
  const issuers = new Map<string, IssuerVerifier>();
  for (const issuer of config.issuers) {
    issuers.set(issuer.issuer, issuerVerifier(issuer, config, deps, jwks));
  }

  // With one issuer, the token's `iss` is checked by its verifier: the payload need not be read first.
  const only = issuers.size === 1 ? [...issuers.values()][0] : undefined;
  const verified = config.verifiedCacheSize > 0 && config.verifiedCacheMaxAgeMs > 0
    ? new LRUCache<string, { principal: Principal; until: number }>({ max: config.verifiedCacheSize })
    : undefined;

  function issuerOf(token: string): IssuerVerifier | undefined {
    if (only !== undefined) return only;
    const iss = peek(token, 1)?.['iss'];
    return typeof iss === 'string' ? issuers.get(iss) : undefined;
  }

  function verify(token: string): Principal | Promise<Principal> {
    if (verified === undefined) return verifyToken(token);
    const key = tokenKey(token);
    const hit = verified.get(key);
    if (hit !== undefined && hit.until > deps.now()) return hit.principal;
    const remember = (principal: Principal): Principal => {
      const exp = (principal.claims['exp'] as number) * 1000;
      verified.set(key, { principal, until: Math.min(exp, deps.now() + config.verifiedCacheMaxAgeMs) });
      return principal;
    };
    const checked = verifyToken(token);
    return checked instanceof Promise ? checked.then(remember) : remember(checked);
  }

  /**
   * The principal at once when the issuer's keys are at hand (local keys, a JWKS already
   * fetched), a promise when they must be fetched first; a token that fails is always a
   * rejection, so callers see one way of failing.
   */
  function verifyToken(token: string): Principal | Promise<Principal> {
    const issuer = issuerOf(token);
    const header = peek(token, 0);
    if (issuer === undefined || header === undefined) return Promise.reject(invalidCredentials(deps.realm, new Error('unknown or missing issuer, or no header')));
    const check = (keys: readonly VerificationKey[]): Principal => principalOf(verifyWith(candidates(keys, header), token), config.scopeClaim);
    try {
      const keys = issuer.keysFor(header);
      if (keys instanceof Promise) {
        return keys.then(check).catch((error: unknown) => {
          throw failure(error);
        });
      }
      return check(keys);
    } catch (error) {
      return Promise.reject(failure(error));
    }
  }

  /** What a failed check answers: AUTH_UNAVAILABLE when the keys could not be had, UNAUTHENTICATED otherwise. */
  function failure(error: unknown): Error {
    if (error instanceof KeySourceError) return authUnavailable('jwks', error);
    deps.logger.debug({ reason: (error as { code?: string }).code ?? (error as Error).message }, 'JWT rejected');
    return invalidCredentials(deps.realm, error);
  }

  function knowsIssuerOf(token: string): boolean {
    const iss = peek(token, 1)?.['iss'];
    return typeof iss === 'string' && issuers.has(iss);
  }

  return { knowsIssuerOf, verify, jwks };
}

/** The first key that accepts the token; when none does, the first key's reason. */
function verifyWith(keys: readonly VerificationKey[], token: string): Record<string, unknown> {
  if (keys.length === 0) throw new Error('no key for this token\'s kid and alg');
  let firstError: unknown;
  for (const key of keys) {
    try {
      const payload = key.verify(token);
      // fast-jwt requires `sub` and checks the type of `exp`, not that of `sub`.
      if (typeof payload['sub'] !== 'string') throw new Error('sub must be a string');
      return payload;
    } catch (error) {
      firstError ??= error;
    }
  }
  throw firstError;
}

function issuerVerifier(issuer: JwtIssuerConfig, config: JwtConfig, deps: JwtVerifierDeps, jwks: Map<string, JwksCache>): IssuerVerifier {
  const rules: ClaimRules = { issuer: issuer.issuer, audience: issuer.audience, clockToleranceSeconds: config.clockToleranceSeconds };
  if (issuer.secret !== undefined) {
    const keys = [secretKey(issuer.secret, issuer.algorithms ?? ['HS256'], rules)];
    return { keysFor: () => keys };
  }
  const algorithms = issuer.algorithms ?? [...ASYMMETRIC_ALGORITHMS];
  if (issuer.jwksUrl !== undefined) {
    const keysOf = (published: PublishedKey[]): VerificationKey[] => published.flatMap((jwk) => {
      try {
        return verificationKey(publicKeyOfJwk(jwk), jwk, algorithms, rules) ?? [];
      } catch {
        return []; // a published key node:crypto cannot open is of no use, like one for another algorithm
      }
    });
    const cache = createJwksCache({ url: issuer.jwksUrl, ...config.jwks }, deps, keysOf);
    jwks.set(issuer.issuer, cache);
    return { keysFor: (header) => cache.keysFor(header) };
  }
  const keys = (issuer.keys ?? []).map((entry) => {
    const { object, labels } = localKey(entry);
    const key = verificationKey(object, labels, algorithms, rules);
    if (key === undefined) throw new Error(`auth.jwt: a key of ${issuer.issuer} fits none of its algorithms (RSA keys need 2048 bits or more)`);
    return key;
  });
  return { keysFor: () => keys };
}

/** A configured PEM (key or certificate) or JWK, opened (its public half), with its `kid` and JWK `alg`. */
function localKey(entry: NonNullable<JwtIssuerConfig['keys']>[number]): { object: KeyObject; labels: KeyLabels } {
  if ('pem' in entry) {
    const object = entry.pem.includes('CERTIFICATE') ? new X509Certificate(entry.pem).publicKey : createPublicKey(entry.pem);
    return { object, labels: { kid: entry.kid } };
  }
  return { object: publicKeyOfJwk(entry.jwk as JsonWebKey), labels: { kid: entry.kid ?? entry.jwk['kid'], alg: entry.jwk['alg'] } };
}

function principalOf(payload: Record<string, unknown>, scopeClaim: string | undefined): Principal {
  return {
    id: `${payload['iss'] as string}#${payload['sub'] as string}`,
    scopes: scopesOf(payload, scopeClaim),
    claims: payload,
    method: 'jwt',
  };
}
