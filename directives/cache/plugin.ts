import type { ExecutionResult } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { CACHE_HINTS_KEY } from '../../src/stores/cache-hints.js';
import type { Entry } from './entry.js';
import { applyOutcome, freshOutcome, hitResult, NO_STORE, type Outcome } from './outcome.js';
import type { PolicyState } from '../policy.js';
import type { PlanCache } from './plans.js';
import { sendsIdentity } from './principal.js';
import type { ResponseCache } from './response-cache.js';

/**
 * The whole-response cache on `/graphql`. It hooks `onExecute`, after auth and rate limiting
 * (earlier in the plugin list) have run: a hit is served only to a request that passed them and
 * spends its rate-limit budget. Private entries are keyed by the principal auth set and the
 * identity headers its sources receive; an answer to an authenticated caller is private, since
 * every source is sent who the caller is and may tailor its answer to it.
 */
export function useResponseCache(cache: ResponseCache, plans: PlanCache): Plugin {
  const outcomes = new WeakMap<Request, Outcome>();
  const leaders = new WeakMap<Request, (entry: Entry | undefined) => void>();
  const forwarded = cache.forwardedHeaders;

  function carriesForwardedHeader(request: Request | undefined): boolean {
    if (forwarded.length === 0) return false;
    return request === undefined || forwarded.some((name) => request.headers.has(name));
  }

  function serve(request: Request | undefined, entry: Entry, setResult: (result: ExecutionResult) => void): void {
    setResult(hitResult(entry));
    if (request) outcomes.set(request, freshOutcome(entry.meta.scope, entry.meta.maxAge, entry.meta.etag, cache.ageOf(entry)));
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
        return { onExecuteDone: ({ result }) => (isSingle(result) ? cache.invalidate(plan, result) : undefined) };
      }
      // A caller denied a field (answered null) must not be served, nor leave for others, an answer cut to its rights.
      const denied = (context['policy'] as Partial<PolicyState> | undefined)?.deniedField !== undefined;
      const personal = carriesForwardedHeader(request) || sendsIdentity(context);
      const lookup = plan.maxAge > 0 && !denied ? cache.lookupFor(plan, cache.principalKeyOf(context, request?.headers), personal, args.variableValues) : undefined;
      if (lookup === undefined) {
        record(NO_STORE);
        return undefined;
      }
      const fresh = await cache.read(lookup);
      if (fresh) return serve(request, fresh, setResultAndStopExecution);
      const shared = await cache.flights.join(lookup.key);
      if (shared) return serve(request, shared, setResultAndStopExecution);
      const settle = cache.flights.lead(lookup.key);
      if (request) leaders.set(request, settle);
      const hints = cache.createHints();
      context[CACHE_HINTS_KEY] = hints;
      const epoch = cache.epoch();
      return {
        async onExecuteDone({ result, setResult }) {
          if (!isSingle(result)) return settle(undefined);
          try {
            const done = await cache.finish(lookup, hints, result, epoch);
            if (done.result) setResult(done.result);
            record(done.outcome);
            settle(done.entry);
          } catch (error) {
            settle(undefined);
            cache.logger.warn({ err: (error as Error).message }, 'response cache: storing failed; served uncached');
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
