import { CACHE_HINTS_KEY } from '../../src/stores/cache-hints.js';
import { NO_STEP, type FastPathPolicy, type FastPathReply, type FastPathRequest, type FastPathStep, type FastPathVerdict } from '../policy.js';
import type { Entry } from './entry.js';
import { freshOutcome, NO_STORE, notModified, outcomeHeaders, type Outcome } from './outcome.js';
import type { CachedPlan, PlanCache } from './plans.js';
import { sendsIdentity } from './principal.js';
import type { Lookup, ResponseCache } from './response-cache.js';

/**
 * The response cache on the fast path, with the plugin's decisions (response-cache.ts): a fresh
 * entry answers without an upstream call (304 for a matching `If-None-Match`), concurrent misses
 * wait for one leader, a clean answer is stored as the bytes sent, an upstream failure is answered
 * from a stale entry. Mutations stay on the full pipeline (they purge what they return).
 */
export function cacheFastPath(cache: ResponseCache, plans: PlanCache): FastPathPolicy {
  const forwarded = cache.forwardedHeaders;
  return {
    document(schema, document, operationName) {
      const plan = plans.get(schema, document, operationName);
      if (plan === undefined || plan.kind === 'subscription') return NO_STEP;
      if (plan.kind === 'mutation') return undefined;
      if (plan.maxAge <= 0) {
        return function uncacheable({ state }) {
          state.responseHeaders['cache-control'] = NO_STORE.cacheControl;
          return undefined;
        };
      }
      return function cacheStep(request): ReturnType<FastPathStep> {
        const carries = (forwarded.length > 0 && forwarded.some((name) => request.headers.get(name) !== null)) || sendsIdentity(request.state);
        const lookup = cache.lookupFor(plan, cache.principalKeyOf(request.state, request.headers), carries, request.variables);
        if (lookup === undefined) {
          request.state.responseHeaders['cache-control'] = NO_STORE.cacheControl;
          return undefined;
        }
        return lookupStep(cache, plan, lookup, request);
      };
    },
  };
}

/** A hit, a flight to wait for, or a miss to lead; at once (no promise) unless the store or a flight must be waited for. */
function lookupStep(cache: ResponseCache, plan: CachedPlan, lookup: Lookup, request: FastPathRequest): FastPathVerdict | Promise<FastPathVerdict> {
  const read = cache.read(lookup);
  if (read instanceof Promise) return read.then((fresh) => afterRead(cache, plan, lookup, request, fresh));
  return afterRead(cache, plan, lookup, request, read);
}

function afterRead(cache: ResponseCache, plan: CachedPlan, lookup: Lookup, request: FastPathRequest, fresh: Entry | undefined): FastPathVerdict | Promise<FastPathVerdict> {
  if (fresh !== undefined) return { reply: hit(cache, fresh, request) };
  const flight = cache.flights.join(lookup.key);
  if (flight === undefined) return miss(cache, plan, lookup, request);
  return flight.then((shared) => (shared !== undefined ? { reply: hit(cache, shared, request) } : miss(cache, plan, lookup, request)));
}

/** Leads the flight of this key and stores the upstream's answer when it is cacheable. */
function miss(cache: ResponseCache, plan: CachedPlan, lookup: Lookup, request: FastPathRequest): FastPathVerdict {
  const settle = cache.flights.lead(lookup.key);
  const hints = cache.createHints();
  request.context[CACHE_HINTS_KEY] = hints;
  const epoch = cache.epoch();
  return {
    async after(answer) {
      if (answer === undefined) {
        settle(undefined);
        return undefined;
      }
      try {
        // Only bytes that are exactly `{"data":…}` are stored as sent, as the pipeline stores them.
        const clean = answer.result.errors === undefined && answer.result.extensions === undefined;
        const finished = cache.finish(lookup, hints, answer.result, epoch, clean ? answer.body.toString('utf8') : undefined);
        const done = finished instanceof Promise ? await finished : finished;
        settle(done.entry);
        const replaced = withOutcome(done.outcome, request);
        return done.stale && done.result ? (replaced ?? { status: 200, body: JSON.stringify(done.result) }) : replaced;
      } catch (error) {
        settle(undefined);
        cache.logger.warn({ err: (error as Error).message, plan: plan.documentId }, 'response cache: storing failed; served uncached');
        return withOutcome(NO_STORE, request);
      }
    },
  };
}

function hit(cache: ResponseCache, entry: Entry, request: FastPathRequest): FastPathReply {
  const outcome = freshOutcome(entry.meta.scope, entry.meta.maxAge, entry.meta.etag, cache.ageOf(entry));
  return withOutcome(outcome, request) ?? { status: 200, body: entry.body };
}

/** Puts the outcome's headers on the response; a 304 when the client's `If-None-Match` matches. */
function withOutcome(outcome: Outcome, request: FastPathRequest): FastPathReply | undefined {
  Object.assign(request.state.responseHeaders, outcomeHeaders(outcome));
  return notModified(outcome, request.headers.get('if-none-match')) ? { status: 304, body: '' } : undefined;
}
