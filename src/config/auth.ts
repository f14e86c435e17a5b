import { z } from 'zod';
import { headerName, httpUrl } from './primitives.js';

/**
 * The top-level `auth:` block: how callers prove who they are (JWT, OAuth2 introspection, API
 * keys), which fields need what (by schema coordinate), what happens when a field is denied, and
 * which identity headers upstreams receive. Directive arguments and route `policies.auth` blocks
 * use the same names (`authenticated`, `requiresScopes`, `requiresClaim`).
 */


/** Asymmetric algorithms accepted by default. HS* is never in it (no HS/RS confusion). */
export const ASYMMETRIC_ALGORITHMS = [
  'RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519',
] as const;
export const HMAC_ALGORITHMS = ['HS256', 'HS384', 'HS512'] as const;

const scopeSets = z.array(z.array(z.string().min(1)).min(1)).min(1);
const claimCheck = z.strictObject({
  /** Claim name; a dotted path reaches into objects (`realm_access.roles`). */
  claim: z.string().min(1),
  /** Accepted values; the claim (a string, or an array of strings) must hold at least one. */
  values: z.array(z.string()).min(1),
});

/**
 * What a field, type or route requires. Any block at all requires an authenticated caller.
 * Same names as the directives `@authenticated`, `@requiresScopes`, `@requiresClaim`.
 */
export const authRequirementSchema = z.strictObject({
  /** Caller must be authenticated. Implied by the presence of the block. */
  authenticated: z.literal(true).optional(),
  /** Outer list OR, inner list AND: `[['a', 'b'], ['admin']]` = (a and b) or admin. */
  requiresScopes: scopeSets.optional(),
  /** Every check must hold (AND); inside one check, any of its values (OR). */
  requiresClaim: z.array(claimCheck).min(1).optional(),
});

const localKey = z.union([
  z.strictObject({ /** A PEM public key (SPKI) or certificate. */ pem: z.string().min(1), kid: z.string().optional() }),
  z.strictObject({ /** A public JWK. */ jwk: z.record(z.string(), z.unknown()), kid: z.string().optional() }),
]);

export const jwtIssuerSchema = z
  .strictObject({
    /** Expected `iss`; also how a token is matched to this entry. */
    issuer: z.string().min(1),
    /** Accepted `aud` value(s); a token must name at least one. Required. */
    audience: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]),
    /** Remote JWKS URL (production). */
    jwksUrl: httpUrl.optional(),
    /** Local public keys, PEM or JWK (development). */
    keys: z.array(localKey).min(1).optional(),
    /** Shared HMAC secret (at least 32 bytes); the only way HS* algorithms are accepted. */
    secret: z.string().min(32, 'an HMAC secret needs at least 32 bytes').optional(),
    /** Accepted `alg` values. Default: the asymmetric list, or `[HS256]` with `secret`. */
    algorithms: z.array(z.enum([...ASYMMETRIC_ALGORITHMS, ...HMAC_ALGORITHMS])).min(1).optional(),
  })
  .superRefine(checkIssuerKeys);

function checkIssuerKeys(issuer: z.infer<typeof jwtIssuerSchema>, ctx: z.RefinementCtx): void {
  const sources = [issuer.jwksUrl, issuer.keys, issuer.secret].filter((value) => value !== undefined).length;
  if (sources !== 1) ctx.addIssue({ code: 'custom', message: 'exactly one of "jwksUrl", "keys", "secret" is required' });
  const hmac = (issuer.algorithms ?? []).filter((alg) => alg.startsWith('HS'));
  if (issuer.secret === undefined && hmac.length > 0) {
    ctx.addIssue({ code: 'custom', path: ['algorithms'], message: `${hmac.join(', ')} only with "secret"` });
  }
  if (issuer.secret !== undefined && (issuer.algorithms ?? []).some((alg) => !alg.startsWith('HS'))) {
    ctx.addIssue({ code: 'custom', path: ['algorithms'], message: 'with "secret" only HS256/HS384/HS512' });
  }
}

export const jwtSchema = z.strictObject({
  issuers: z.array(jwtIssuerSchema).min(1),
  /** Allowed clock skew for `exp`/`nbf`/`iat`, in seconds. Default 30. */
  clockToleranceSeconds: z.number().int().min(0).max(300).default(30),
  /** Cookie that may carry the token when there is no `Authorization` header. Default none. */
  cookie: z.string().regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/).optional(),
  /** Claim holding the scopes (space-separated string or array). Default `scope`, then `scp`. */
  scopeClaim: z.string().optional(),
  /**
   * Verified tokens remembered (by hash) so a client re-sending its token skips the signature
   * check: at most this many (LRU). 0 turns it off. Default 10,000.
   */
  verifiedCacheSize: z.number().int().min(0).default(10_000),
  /**
   * Longest time a verified token is remembered, never past its `exp`; also how long a key
   * removed from the JWKS can keep verifying tokens already seen. Default 60 s.
   */
  verifiedCacheMaxAgeMs: z.number().int().min(0).default(60_000),
  jwks: z
    .strictObject({
      /** Least time between two JWKS fetches (unknown `kid`s, failures). Default 30 s. */
      cooldownMs: z.number().int().min(0).default(30_000),
      /** Age after which the key set is refreshed on the next use; kept on failure. Default 10 min. */
      maxAgeMs: z.number().int().positive().default(600_000),
      /** Longest JWKS fetch, connect to last byte. Default 2 s. */
      timeoutMs: z.number().int().positive().default(2_000),
    })
    .prefault({}),
});

export const introspectionSchema = z.strictObject({
  /** RFC 7662 endpoint. */
  endpoint: httpUrl,
  /** Client credentials sent with HTTP Basic (`client_secret_basic`). */
  clientId: z.string().min(1),
  clientSecret: z.string().min(1),
  /** If set, the response's `aud` must include one of these. */
  audience: z.union([z.string(), z.array(z.string()).min(1)]).optional(),
  /** If set, the response's `iss` must equal it. */
  issuer: z.string().optional(),
  /** Longest introspection call. Default 2 s. */
  timeoutMs: z.number().int().positive().default(2_000),
  /** Longest time a result is cached (never past the token's `exp`). Default 60 s. */
  cacheMaxAgeMs: z.number().int().min(0).default(60_000),
  /** Most cached results (LRU). Default 10,000. */
  cacheSize: z.number().int().positive().default(10_000),
});

export const apiKeyConsumerSchema = z.strictObject({
  /** Consumer id (principal id, rate-limit key). */
  id: z.string().min(1),
  /** SHA-256 of the key, lower-case hex. The key itself is never stored. */
  keySha256: z.string().regex(/^[0-9a-fA-F]{64}$/, 'must be 64 hex digits').transform((hex) => hex.toLowerCase()),
  /** Scopes granted to this consumer. Default none. */
  scopes: z.array(z.string()).default([]),
  /** Usage plan name (rate limits per tenant). */
  plan: z.string().optional(),
});

export const apiKeysSchema = z.strictObject({
  /** Request header carrying the key. Default `x-api-key`. */
  header: headerName.default('x-api-key'),
  consumers: z.array(apiKeyConsumerSchema).default([]),
});

export const identityHeadersSchema = z
  .strictObject({
    /** Header carrying the subject (JWT `sub`, consumer id). Default `x-junction-subject`. */
    subject: headerName.default('x-junction-subject'),
    /** Header carrying granted scopes, space-separated. Default `x-junction-scopes`. */
    scopes: headerName.default('x-junction-scopes'),
    /** Header carrying the API-key consumer or OAuth client id. Default `x-junction-consumer`. */
    consumer: headerName.default('x-junction-consumer'),
  })
  .prefault({});

/** YAML reads an unquoted `onFieldDenied: null` as no value at all: it names the `null` mode too. */
const onFieldDeniedSchema = z.enum(['reject', 'null']).nullable().default('reject').transform((mode) => mode ?? 'null');

export const authSchema = z
  .strictObject({
    jwt: jwtSchema.optional(),
    introspection: introspectionSchema.optional(),
    apiKeys: apiKeysSchema.optional(),
    /** Requirements by schema coordinate (`Query.orders`) or type (`Order`), on top of SDL directives. */
    fields: z.record(z.string().regex(/^[A-Za-z_]\w*(\.[A-Za-z_]\w*)?$/, 'must be "Type" or "Type.field"'), authRequirementSchema).default({}),
    /**
     * A denied field: `reject` fails the whole request (401/403) before any upstream call; `null`
     * returns the field as null with an UNAUTHENTICATED/FORBIDDEN error. Default `reject`.
     */
    onFieldDenied: onFieldDeniedSchema,
    /** Identity headers sent upstream; client-sent copies are always stripped. */
    identityHeaders: identityHeadersSchema,
    /** `realm` in `WWW-Authenticate`. Default `junction`. */
    realm: z.string().regex(/^[\x20-\x21\x23-\x5b\x5d-\x7e]*$/).default('junction'),
  })
  .prefault({});

export type AuthConfig = z.output<typeof authSchema>;
export type AuthRequirementConfig = z.output<typeof authRequirementSchema>;
export type JwtConfig = z.output<typeof jwtSchema>;
export type JwtIssuerConfig = z.output<typeof jwtIssuerSchema>;
export type IntrospectionConfig = z.output<typeof introspectionSchema>;
export type ApiKeysConfig = z.output<typeof apiKeysSchema>;
export type IdentityHeadersConfig = z.output<typeof identityHeadersSchema>;
