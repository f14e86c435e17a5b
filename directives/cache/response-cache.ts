import type { ExecutionResult, GraphQLError } from 'graphql';
import type { CacheConfig } from '../../src/config/cache.js';
import { findJunctionError } from '../../src/errors.js';
import type { Logger } from '../../src/logger.js';
import { createCacheHintCollector, type CacheHintCollector } from '../../src/stores/cache-hints.js';
import type { CacheStore } from '../../src/stores/cache-store.js';
import type { CredentialCheck } from '../auth/credentials.js';
import type { HeaderLookup } from '../policy.js';
import { entryTags, mutationPurgeTags } from './entities.js';
import { decodeEntry, encodeEntry, etagOf, hashKey, type Entry } from './entry.js';
import { freshOutcome, NO_STORE, resultWithBody, staleOutcome, staleResult, type Outcome } from './outcome.js';
import type { CachedPlan } from './plans.js';
import { principalKeyOf, privateKeyOf } from './principal.js';
import { createSingleFlight, type SingleFlight } from './single-flight.js';

export interface ResponseCacheDeps {
  store: CacheStore;
  now: () => number;
  logger: Logger;
  /** Called with the tags a mutation purged (for metrics and tests). */
  onInvalidate?: (tags: readonly string[]) => void;
  /**
   * Client headers some source receives (`forwardHeaders`). A request carrying one may get an
   * answer the upstream tailored to it, so it is cached as PRIVATE: per principal, or not at all.
   */
  forwardedHeaders?: readonly string[];
  /** Whether the principal accounts for the credentials a request carries (see `principalKeyOf`). */
  accountsFor: CredentialCheck;
}

export type ResponseCacheConfig = Pick<CacheConfig, 'staleIfErrorSeconds' | 'maxEntryBytes' | 'singleFlightWaitMs'> & Partial<Pick<CacheConfig, 'restHints'>>;

/** Headers carrying credentials an upstream may tailor its answer to. */
const CREDENTIAL_HEADERS = new Set(['authorization', 'cookie']);

/** Codes meaning the upstream failed (not the client): a stale entry may answer instead. */
const UPSTREAM_FAILURES = new Set(['UPSTREAM_UNAVAILABLE', 'UPSTREAM_ERROR', 'UPSTREAM_CIRCUIT_OPEN', 'GATEWAY_TIMEOUT', 'SERVICE_UNAVAILABLE']);

/** What an entry's meta costs beside its body in a memory store: the objects and the ETag string. */
const ENTRY_META_BYTES = 160;

/** One query being answered: what keys it and what was found. */
export interface Lookup {
  plan: CachedPlan;
  key: string;
  private: boolean;
  /** An expired entry found on the way, kept for stale-if-error. */
  stale: Entry | undefined;
}

/** What a miss turned into once the operation ran. */
export interface Finished {
  /** A result to answer with instead: the stored one with its body known (when the body was not given), or a stale entry. */
  result?: ExecutionResult;
  stale?: boolean;
  outcome: Outcome;
  /** The entry to share with requests waiting on this miss; absent when a purge ran meanwhile (the answer may predate it). */
  entry?: Entry;
}

/**
 * The whole-response cache's decisions, shared by the plugin (full pipeline) and the fast path:
 * the key of a request, the read, single flight, storing a miss, stale-if-error, and purging
 * entities a mutation returned.
 */
export interface ResponseCache {
  readonly logger: Logger;
  readonly flights: SingleFlight<Entry>;
  /** The header names whose presence makes a request private (see `forwardedHeaders`). */
  readonly forwardedHeaders: readonly string[];
  /**
   * The key this request's private entries are kept under: its principal's, unless a credential
   * it carries in a header some source receives (`Authorization`, `Cookie`) is one the principal
   * does not account for (an API key beside a forwarded `Authorization` it never verified), or
   * the headers are not known; then undefined, as for an anonymous caller.
   */
  principalKeyOf(context: unknown, headers: HeaderLookup | undefined): string | undefined;
  /** Undefined when the answer can't be cached for this caller (private without a principal). */
  lookupFor(plan: CachedPlan, principalKey: string | undefined, carriesForwardedHeader: boolean, variables: unknown): Lookup | undefined;
  /** A fresh entry, or undefined (an expired one is kept in `lookup.stale`); at once (no promise) from a memory store. */
  read(lookup: Lookup): Entry | undefined | Promise<Entry | undefined>;
  ageOf(entry: Entry): number;
  /** The hint collector of one miss: it takes REST sources' freshness unless `cache.restHints` is off. */
  createHints(): CacheHintCollector;
  /** The invalidation count a miss starts at: a purge in between means its result is not stored. */
  epoch(): number;
  /**
   * After a miss ran: stores a cacheable result (`body` is its serialised form when already known),
   * or answers stale when the upstream failed. At once (no promise) with a memory store.
   */
  finish(lookup: Lookup, hints: CacheHintCollector, result: ExecutionResult, epoch: number, body?: string): Finished | Promise<Finished>;
  /** Purges what a mutation returned; never rejects (a failed purge is logged). */
  invalidate(plan: CachedPlan, result: ExecutionResult): Promise<void>;
}

export function createResponseCache(config: ResponseCacheConfig, deps: ResponseCacheDeps): ResponseCache {
  const { store, now } = deps;
  const local = store.local;
  const flights = createSingleFlight<Entry>(config.singleFlightWaitMs);
  let invalidations = 0;
  const forwarded = deps.forwardedHeaders ?? [];
  /** Forwarded headers beside `Authorization` and `Cookie`: an upstream may tailor its answer to any of them. */
  const otherForwarded = forwarded.filter((name) => !CREDENTIAL_HEADERS.has(name));
  /** The request's headers as the sources receive them: headers nobody forwards never reach an upstream. */
  const forwardedView = (headers: HeaderLookup): HeaderLookup => ({ get: (name) => (forwarded.includes(name) ? headers.get(name) : null) });

  function ageOf(entry: Entry): number {
    return Math.max(0, (now() - entry.meta.storedAt) / 1000);
  }

  function save(lookup: Lookup, entry: Entry, tags: string[], epoch: number): void | Promise<void> {
    if (entry.body.length > config.maxEntryBytes || epoch !== invalidations) return;
    const ttlMs = (entry.meta.maxAge + config.staleIfErrorSeconds) * 1000;
    if (local === undefined) return Promise.resolve(store.set(lookup.key, encodeEntry(entry), ttlMs, tags));
    local.set(lookup.key, entry, entry.body.length + ENTRY_META_BYTES, ttlMs, tags);
    return undefined;
  }

  function found(lookup: Lookup, entry: Entry | undefined): Entry | undefined {
    if (entry && ageOf(entry) < entry.meta.maxAge) return entry;
    lookup.stale = entry;
    return undefined;
  }

  return {
    logger: deps.logger,
    flights,
    forwardedHeaders: forwarded,
    principalKeyOf(context, headers) {
      if (forwarded.length === 0) return principalKeyOf(context);
      return headers === undefined ? undefined : privateKeyOf(context, forwardedView(headers), deps.accountsFor, otherForwarded);
    },
    ageOf,
    createHints: () => createCacheHintCollector({ restHints: config.restHints }),
    epoch: () => invalidations,

    lookupFor(plan, principalKey, carriesForwardedHeader, variables) {
      const isPrivate = plan.scope === 'PRIVATE' || plan.observedPrivate || carriesForwardedHeader;
      if (isPrivate && principalKey === undefined) return undefined;
      const key = hashKey([plan.documentId, JSON.stringify(variables ?? {}), isPrivate ? `p:${principalKey}` : 'public']);
      return { plan, key, private: isPrivate, stale: undefined };
    },

    read(lookup) {
      if (local !== undefined) return found(lookup, local.get(lookup.key) as Entry | undefined);
      return Promise.resolve(store.get(lookup.key)).then((text) => found(lookup, text === undefined ? undefined : decodeEntry(text)));
    },

    finish(lookup, hints, result, epoch, knownBody) {
      if (result.errors !== undefined && result.errors.length > 0) {
        const stale = lookup.stale;
        if (stale && upstreamFailed(result.errors) && ageOf(stale) <= stale.meta.maxAge + config.staleIfErrorSeconds) {
          return { result: staleResult(stale, Math.floor(ageOf(stale))), stale: true, outcome: staleOutcome(ageOf(stale)) };
        }
        return { outcome: NO_STORE };
      }
      const maxAge = hints.maxAge === undefined ? lookup.plan.maxAge : Math.min(lookup.plan.maxAge, hints.maxAge);
      if (hints.noStore || maxAge <= 0) return { outcome: NO_STORE };
      if (hints.private && !lookup.private) {
        // Keyed publicly but a backend said private: key by principal from now on, store nothing this time.
        lookup.plan.observedPrivate = true;
        return { outcome: NO_STORE };
      }
      const body = knownBody ?? JSON.stringify({ data: result.data });
      const entry: Entry = { meta: { etag: etagOf(body), storedAt: now(), maxAge, scope: lookup.private ? 'PRIVATE' : 'PUBLIC' }, body };
      const finished: Finished = {
        result: knownBody === undefined ? resultWithBody({ data: result.data }, body) : undefined,
        outcome: freshOutcome(entry.meta.scope, maxAge, entry.meta.etag, undefined),
        entry: epoch === invalidations ? entry : undefined,
      };
      const saved = save(lookup, entry, entryTags(lookup.plan.root, result.data, lookup.plan.taggedTypes), epoch);
      return saved === undefined ? finished : saved.then(() => finished);
    },

    async invalidate(plan, result) {
      if (!result.data) return;
      const tags = mutationPurgeTags(plan.root, result.data);
      if (tags.length === 0) return;
      invalidations++;
      try {
        await store.invalidate(tags);
      } catch (error) {
        // The mutation ran: its answer still goes out. Entries it should have purged may be served until they expire.
        deps.logger.warn({ err: (error as Error).message, tags: tags.length }, 'response cache: purge after a mutation failed; stale entries may be served');
        return;
      }
      deps.onInvalidate?.(tags);
    },
  };
}

function upstreamFailed(errors: readonly GraphQLError[]): boolean {
  return errors.some((error) => UPSTREAM_FAILURES.has(String(error.extensions?.['code'] ?? findJunctionError(error)?.code)));
}
