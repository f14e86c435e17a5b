import { createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import { createVerifier } from 'fast-jwt';

/** What a verified token's signature check needs to know of the token. */
export interface JwsHeader {
  alg?: unknown;
  kid?: unknown;
}

/** A public key able to check a token: its own fast-jwt verifier, built once. */
export interface VerificationKey {
  kid: string | undefined;
  /** The algorithms this key may check: the issuer's list ∩ what the key type (and its JWK `alg`) allows. */
  algorithms: readonly string[];
  /** Checks signature and claims with the system clock; throws a fast-jwt TokenError when the token fails. */
  verify(token: string): Record<string, unknown>;
}

/** The claim checks shared by every key of one issuer. */
export interface ClaimRules {
  issuer: string;
  audience: string | string[];
  clockToleranceSeconds: number;
}

/** Smallest RSA modulus accepted, as jose and RFC 7518 §3.3 require. */
const MIN_RSA_BITS = 2048;

/** What a key says of itself beside its material: a JWK's `kid` and `alg`, or the config's `kid`. */
export interface KeyLabels {
  kid?: unknown;
  alg?: unknown;
}

/** An opened public key (PEM, certificate or JWK) as a verification key; `undefined` when it can check none of `allowed`. */
export function verificationKey(object: KeyObject, labels: KeyLabels, allowed: readonly string[], rules: ClaimRules): VerificationKey | undefined {
  const fits = algorithmsOf(object).filter((alg) => allowed.includes(alg) && (labels.alg === undefined || labels.alg === alg));
  if (fits.length === 0) return undefined;
  const verify = createVerifier({
    key: object.export({ type: 'spki', format: 'pem' }) as string,
    // fast-jwt knows an Ed25519 key as fit for EdDSA only, and refuses a list without it; which
    // name a token may use was decided by `fits` before this verifier is called.
    algorithms: (fits.includes('Ed25519') && !fits.includes('EdDSA') ? [...fits, 'EdDSA'] : fits) as never,
    ...claimOptions(rules),
  });
  return { kid: typeof labels.kid === 'string' ? labels.kid : undefined, algorithms: fits, verify: verify as (token: string) => Record<string, unknown> };
}

/** An HMAC secret as a verification key (only ever from an issuer configured with `secret`). */
export function secretKey(secret: string, algorithms: readonly string[], rules: ClaimRules): VerificationKey {
  const verify = createVerifier({ key: secret, algorithms: [...algorithms] as never, ...claimOptions(rules) });
  return { kid: undefined, algorithms, verify: verify as (token: string) => Record<string, unknown> };
}

/** A configured or published JWK opened with node:crypto (its public half); throws when node:crypto cannot open it. */
export function publicKeyOfJwk(jwk: JsonWebKey): KeyObject {
  return createPublicKey({ key: jwk, format: 'jwk' });
}

/**
 * The keys a token may be checked with, as jose's key sets choose them: its `kid` when it names
 * one, and always a key made for its `alg`. Several candidates are tried in turn.
 */
export function candidates(keys: readonly VerificationKey[], header: JwsHeader): VerificationKey[] {
  const { alg, kid } = header;
  if (typeof alg !== 'string') return [];
  return keys.filter((key) => key.algorithms.includes(alg) && (kid === undefined || key.kid === kid));
}

function claimOptions(rules: ClaimRules) {
  return {
    allowedIss: rules.issuer,
    allowedAud: rules.audience,
    requiredClaims: ['exp', 'sub', 'iss', 'aud'],
    clockTolerance: rules.clockToleranceSeconds * 1000,
    // Verified tokens are remembered by the verifier itself, keyed by a hash of the token.
    cache: false,
  };
}

function algorithmsOf(object: KeyObject): string[] {
  const details = object.asymmetricKeyDetails ?? {};
  switch (object.asymmetricKeyType) {
    case 'rsa':
      return (details.modulusLength ?? 0) >= MIN_RSA_BITS ? ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512'] : [];
    case 'rsa-pss':
      return (details.modulusLength ?? 0) >= MIN_RSA_BITS ? ['PS256', 'PS384', 'PS512'] : [];
    case 'ec':
      return ({ prime256v1: ['ES256'], secp384r1: ['ES384'], secp521r1: ['ES512'] } as Record<string, string[]>)[details.namedCurve ?? ''] ?? [];
    case 'ed25519':
      return ['EdDSA', 'Ed25519'];
    default:
      return [];
  }
}
