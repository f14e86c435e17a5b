import type { ExecutionResult, GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { CacheConfig } from '../../src/config/cache.js';
import type { Logger } from '../../src/logger.js';
import { CACHE_HINTS_KEY, createCacheHintCollector, type CacheHintCollector } from '../../src/stores/cache-hints.js';
import type { CacheStore } from '../../src/stores/cache-store.js';
import { mutationPurgeTags, entryTags } from './entities.js';
import { decodeEntry, encodeEntry, etagOf, hashKey, type Entry } from './entry.js';
import { applyOutcome, freshOutcome, hitResult, NO_STORE, resultWithBody, staleOutcome, staleResult, type Outcome } from './outcome.js';
import type { CachedPlan, PlanCache } from './plans.js';
import { principalOf } from './principal.js';
import { createSingleFlight } from './single-flight.js';

export interface ResponseCacheDeps {
  store: CacheStore;
  plans: PlanCache;
  now: () => number;
  logger: Logger;
  /** Called with the tags a mutation purged (for metrics and tests). */
  onInvalidate?: (tags: readonly string[]) => void;
  /**
   * Client headers some source receives (`forwardHeaders`). A request carrying one may get an
   * answer the upstream tailored to it, so it is cached as PRIVATE: per principal, or not at all.
   */
  forwardedHeaders?: readonly string[];
}

/** Codes meaning the upstream failed (not the client): a stale entry may answer instead. */
const UPSTREAM_FAILURES = new Set(['UPSTREAM_UNAVAILABLE', 'UPSTREAM_ERROR', 'UPSTREAM_CIRCUIT_OPEN', 'GATEWAY_TIMEOUT', 'SERVICE_UNAVAILABLE']);

/** One query being answered: what keys it, what was found, what collects REST hints. */
interface Lookup {
  plan: CachedPlan;
  key: string;
  principalId: string | undefined;
  private: boolean;
  stale: Entry | undefined;
}

type Config = Pick<CacheConfig, 'staleIfErrorSeconds' | 'maxEntryBytes' | 'singleFlightWaitMs'>;

/**
 * The whole-response cache on `/graphql`. It hooks `onExecute`, after auth and rate limiting
 * (earlier in the plugin list) have run: a hit is served only to a request that passed them and
 * spends its rate-limit budget, and private entries are keyed by the principal auth set.
 */
export function useResponseCache(config: Config, deps: ResponseCacheDeps): Plugin {
  const { store, plans, now } = deps;
  const outcomes = new WeakMap<Request, Outcome>();
  const leaders = new WeakMap<Request, (entry: Entry | undefined) => void>();
  const flights = createSingleFlight<Entry>(config.singleFlightWaitMs);
  let invalidations = 0;

  function ageOf(entry: Entry): number {
    return Math.max(0, (now() - entry.meta.storedAt) / 1000);
  }

  const forwarded = deps.forwardedHeaders ?? [];

  function carriesForwardedHeader(context: Record<string, unknown>): boolean {
    if (forwarded.length === 0) return false;
    const headers = (context['request'] as Request | undefined)?.headers;
    return headers === undefined || forwarded.some((name) => headers.has(name));
  }

  function lookupFor(plan: CachedPlan, context: Record<string, unknown>, variables: unknown): Lookup | undefined {
    const isPrivate = plan.scope === 'PRIVATE' || plan.observedPrivate || carriesForwardedHeader(context);
    const principalId = principalOf(context)?.id;
    if (isPrivate && principalId === undefined) return undefined;
    const key = hashKey([plan.documentId, JSON.stringify(variables ?? {}), isPrivate ? `p:${principalId}` : 'public']);
    return { plan, key, principalId, private: isPrivate, stale: undefined };
  }

  function serve(request: Request | undefined, entry: Entry, setResult: (result: ExecutionResult) => void): void {
    setResult(hitResult(entry));
    if (request) outcomes.set(request, freshOutcome(entry.meta.scope, entry.meta.maxAge, entry.meta.etag, ageOf(entry)));
  }

  async function save(lookup: Lookup, entry: Entry, tags: string[], epoch: number): Promise<void> {
    if (entry.body.length > config.maxEntryBytes || epoch !== invalidations) return;
    const ttlMs = (entry.meta.maxAge + config.staleIfErrorSeconds) * 1000;
    await store.set(lookup.key, encodeEntry(entry), ttlMs, tags);
  }

  /** After a miss ran: store a cacheable result, or answer stale when the upstream failed. */
  async function finish(lookup: Lookup, hints: CacheHintCollector, result: ExecutionResult, epoch: number): Promise<{ result?: ExecutionResult; outcome: Outcome; entry?: Entry }> {
    if (result.errors !== undefined && result.errors.length > 0) {
      const stale = lookup.stale;
      if (stale && upstreamFailed(result.errors) && ageOf(stale) <= stale.meta.maxAge + config.staleIfErrorSeconds) {
        return { result: staleResult(stale, Math.floor(ageOf(stale))), outcome: staleOutcome(ageOf(stale)) };
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
    const body = JSON.stringify({ data: result.data });
    const entry: Entry = { meta: { etag: etagOf(body), storedAt: now(), maxAge, scope: lookup.private ? 'PRIVATE' : 'PUBLIC' }, body };
    await save(lookup, entry, entryTags(lookup.plan.root, result.data), epoch);
    return { result: resultWithBody({ data: result.data }, body), outcome: freshOutcome(entry.meta.scope, maxAge, entry.meta.etag, 0), entry };
  }

  async function invalidate(plan: CachedPlan, result: ExecutionResult): Promise<void> {
    if (!result.data) return;
    const tags = mutationPurgeTags(plan.root, result.data);
    if (tags.length === 0) return;
    invalidations++;
    await store.invalidate(tags);
    deps.onInvalidate?.(tags);
  }

  return {
    async onExecute({ args, setResultAndStopExecution }) {
      const context = args.contextValue as unknown as Record<string, unknown>;
      const request = context['request'] as Request | undefined;
      const plan = plans.get(args.schema, args.document, args.operationName);
      if (plan === undefined || plan.kind === 'subscription') return undefined;
      const record = (outcome: Outcome) => request && outcomes.set(request, outcome);
      if (plan.kind === 'mutation') {
        record(NO_STORE);
        return { onExecuteDone: ({ result }) => (isSingle(result) ? invalidate(plan, result) : undefined) };
      }
      const lookup = plan.maxAge > 0 ? lookupFor(plan, context, args.variableValues) : undefined;
      if (lookup === undefined) {
        record(NO_STORE);
        return undefined;
      }
      const text = await store.get(lookup.key);
      const found = text === undefined ? undefined : decodeEntry(text);
      if (found && ageOf(found) < found.meta.maxAge) return serve(request, found, setResultAndStopExecution);
      lookup.stale = found;
      const shared = await flights.join(lookup.key);
      if (shared) return serve(request, shared, setResultAndStopExecution);
      const settle = flights.lead(lookup.key);
      if (request) leaders.set(request, settle);
      const hints = createCacheHintCollector();
      context[CACHE_HINTS_KEY] = hints;
      const epoch = invalidations;
      return {
        async onExecuteDone({ result, setResult }) {
          if (!isSingle(result)) return settle(undefined);
          try {
            const done = await finish(lookup, hints, result, epoch);
            if (done.result) setResult(done.result);
            record(done.outcome);
            settle(done.entry);
          } catch (error) {
            settle(undefined);
            deps.logger.warn({ err: (error as Error).message }, 'response cache: storing failed; served uncached');
            record(NO_STORE);
          }
        },
      };
    },
    onResponse({ request, response, setResponse, fetchAPI }) {
      leaders.get(request)?.(undefined);
      const outcome = outcomes.get(request);
      if (outcome === undefined) return;
      const replaced = applyOutcome(outcome, request, response, fetchAPI);
      if (replaced) setResponse(replaced);
    },
  };
}

function isSingle(result: unknown): result is ExecutionResult {
  return result !== null && typeof result === 'object' && !(Symbol.asyncIterator in result);
}

function upstreamFailed(errors: readonly GraphQLError[]): boolean {
  return errors.some((error) => UPSTREAM_FAILURES.has(String(error.extensions?.['code'])));
}
