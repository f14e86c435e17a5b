import type { IncomingMessage } from 'node:http';
import type { Plugin } from 'graphql-yoga';
import type { RateLimitConfig } from '../../src/config/rate-limit.js';
import { JunctionError } from '../../src/errors.js';
import type { ConsumeResult } from '../../src/stores/rate-limit-store.js';
import type { PolicyState } from '../policy.js';
import { principalOf, stateClientIp, type Caller } from './caller.js';
import type { ChargePlanner } from './charges.js';
import { rateLimitHeaders, type Limiter } from './limiter.js';

export interface RateLimitPluginOptions {
  config: RateLimitConfig;
  limiter: Limiter;
  chargesOf: ChargePlanner;
  /** The client IP of a request after trusted proxy hops (`server.trustedProxies`). */
  clientIp: (req: IncomingMessage | undefined) => string;
}

interface YogaContext {
  request?: Request;
  req?: IncomingMessage;
  policy?: Pick<PolicyState, 'deniedField'>;
}

/**
 * The GraphQL surface of rate limiting: before execution (after auth's plugin, which comes first
 * in the plugin list, so an unauthenticated request is refused before it spends anything), spend
 * each limited field's budget once per occurrence (not of root fields auth denies the caller,
 * which answer null without an upstream call), the `operations` rule and the caller's usage plan
 * once per operation. Refused: the whole operation answers 429 RATE_LIMITED with no upstream call.
 * Charges are planned once per document (charges.ts).
 */
export function useRateLimit(options: RateLimitPluginOptions): Plugin {
  const { config, limiter, chargesOf } = options;
  const allowedResults = new WeakMap<Request, ConsumeResult>();

  function callerOf(context: YogaContext): Caller {
    const headers = context.request?.headers;
    return {
      principal: principalOf(context),
      clientIp: context.req !== undefined ? options.clientIp(context.req) : (stateClientIp(context) ?? ''),
      header: (name) => headers?.get(name) ?? undefined,
    };
  }

  return {
    onExecute({ args, setResultAndStopExecution }) {
      const context = args.contextValue as YogaContext;
      const charges = chargesOf(args.schema, args.document, args.operationName, context.policy?.deniedField);
      const caller = callerOf(context);
      if (charges.length === 0 && limiter.planRule(caller) === undefined) return;
      return limiter.check(caller, charges, 1).then(
        (result) => {
          if (result !== undefined && config.headersOnSuccess && context.request) allowedResults.set(context.request, result);
        },
        (error: unknown) => {
          if (!(error instanceof JunctionError)) throw error;
          setResultAndStopExecution({ errors: [error.toGraphQLError(true)] });
        },
      );
    },
    onResponse({ request, response }) {
      const result = allowedResults.get(request);
      if (result === undefined || response.status >= 400) return;
      for (const [name, value] of Object.entries(rateLimitHeaders(result))) response.headers.set(name, value);
    },
  };
}
