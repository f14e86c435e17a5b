import type { JsonWebKey } from 'node:crypto';
import type { Logger } from '../../src/logger.js';
import { KeySourceError } from './errors.js';
import type { AuthHttp } from './http-client.js';
import type { JwsHeader, KeyLabels, VerificationKey } from './jwt-keys.js';

export interface JwksCacheOptions {
  url: string;
  /** Least time between two fetch attempts (unknown kids and failures alike). */
  cooldownMs: number;
  /** Age after which the set is refreshed in the background on next use. */
  maxAgeMs: number;
  timeoutMs: number;
  /** Largest JWKS document read. Default 256 KiB. */
  maxBytes?: number;
  /** Most keys kept from one document. Default 100. */
  maxKeys?: number;
}

export interface JwksCacheDeps {
  http: AuthHttp;
  now: () => number;
  logger: Logger;
}

/** A key as published: its material, `kid` and `alg`. */
export type PublishedKey = JsonWebKey & KeyLabels;

/** Turns the published keys into verification keys (those of no use to the issuer are left out). */
export type KeysOfJwks = (keys: PublishedKey[]) => VerificationKey[];

export interface JwksCache {
  /**
   * The current keys, for a token with this header; KeySourceError when no key set was ever
   * loaded. At once (no promise) when the set is loaded and knows the token's `kid`; otherwise
   * after a fetch.
   */
  keysFor(header: JwsHeader): readonly VerificationKey[] | Promise<readonly VerificationKey[]>;
  /** Fetch attempts so far (for tests and metrics). */
  fetchCount(): number;
}

/**
 * A remote JWKS that never forgets: unlike jose's remote set, the last good key set is kept
 * through an outage for as long as it lasts. An unknown `kid` triggers at most one fetch per
 * cooldown, concurrent misses share that fetch, a stale set is refreshed in the background,
 * and every fetch is bounded in time and size. A `kid` the set lacks while the JWKS is failing is a
 * KeySourceError (the key may have been rotated in meanwhile); while it answers, the token is
 * simply invalid. Headers such as `jku`, `x5u` or an embedded `jwk`
 * are never looked at: keys come from the configured URL only.
 */
export function createJwksCache(options: JwksCacheOptions, deps: JwksCacheDeps, keysOf: KeysOfJwks): JwksCache {
  let keySet: readonly VerificationKey[] | undefined;
  let kids = new Set<string>();
  let loadedAt = -Infinity;
  let attemptedAt = -Infinity;
  let attempts = 0;
  /** Whether the last fetch attempt failed: the key set may be missing a key rotated in meanwhile. */
  let failing = false;
  let inFlight: Promise<void> | undefined;

  function refresh(): Promise<void> {
    if (inFlight !== undefined) return inFlight;
    if (deps.now() - attemptedAt < options.cooldownMs) return Promise.resolve();
    attemptedAt = deps.now();
    attempts++;
    inFlight = load().finally(() => {
      inFlight = undefined;
    });
    return inFlight;
  }

  async function load(): Promise<void> {
    try {
      const { status, json } = await deps.http({
        method: 'GET', url: options.url, headers: { accept: 'application/json' },
        timeoutMs: options.timeoutMs, maxBytes: options.maxBytes ?? 256 * 1024,
      });
      if (status !== 200) throw new KeySourceError(`JWKS answered HTTP ${status}`);
      const published = signatureKeys(json, options.maxKeys ?? 100);
      keySet = keysOf(published);
      kids = new Set(published.flatMap((key) => (typeof key.kid === 'string' ? [key.kid] : [])));
      loadedAt = deps.now();
      failing = false;
    } catch (error) {
      failing = true;
      deps.logger.warn({ err: (error as Error).message, keptKeys: keySet !== undefined }, 'JWKS fetch failed');
    }
  }

  function keysFor(header: JwsHeader): readonly VerificationKey[] | Promise<readonly VerificationKey[]> {
    if (keySet !== undefined && !kidUnknown(header)) {
      if (deps.now() - loadedAt > options.maxAgeMs) void refresh();
      return keySet;
    }
    return refresh().then(() => keysAfterFetch(header));
  }

  function keysAfterFetch(header: JwsHeader): readonly VerificationKey[] {
    if (keySet === undefined) throw new KeySourceError('no JWKS key set available');
    // A kid the last good set lacks may be a key rotated in during the outage: unavailable, not invalid.
    if (failing && kidUnknown(header)) {
      throw new KeySourceError('JWKS unavailable and the token\'s kid is not in the last good key set');
    }
    return keySet;
  }

  function kidUnknown(header: JwsHeader): boolean {
    return header.kid !== undefined && !kids.has(header.kid as string);
  }

  return { keysFor, fetchCount: () => attempts };
}

function signatureKeys(json: unknown, maxKeys: number): PublishedKey[] {
  const keys = (json as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(keys)) throw new KeySourceError('JWKS has no "keys" array');
  // Signature keys only, and never symmetric ones: HMAC keys come from a configured secret alone.
  const usable = keys.filter((key): key is PublishedKey => {
    const { kty, use } = (key ?? {}) as { kty?: unknown; use?: unknown };
    return typeof kty === 'string' && kty !== 'oct' && use !== 'enc';
  });
  return usable.slice(0, maxKeys);
}
