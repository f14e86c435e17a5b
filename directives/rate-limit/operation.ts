import type { DocumentNode, GraphQLSchema } from 'graphql';
import type { OperationGuard } from '../policy.js';
import type { Caller } from './caller.js';
import type { ChargePlanner } from './charges.js';
import { rateLimitHeaders, type Limiter } from './limiter.js';

export interface RateLimitOperationOptions {
  limiter: Limiter;
  chargesOf: ChargePlanner;
  headersOnSuccess: boolean;
}

/**
 * Rate limiting for an aggregation route's operation: the same charges as on `/graphql` (each
 * limited field per occurrence, not the root fields auth denies the caller; the `operations`
 * rule), spent after the route's own rule. The caller's usage plan is not charged again: the
 * route spent it. Refused: 429 RATE_LIMITED, whose headers the route sends.
 */
export function rateLimitOperation(options: RateLimitOperationOptions): (schema: GraphQLSchema, document: DocumentNode, operationName: string | undefined) => OperationGuard | undefined {
  const { limiter, chargesOf } = options;
  return function operationGuard(schema, document, operationName) {
    if (chargesOf(schema, document, operationName).length === 0) return undefined;
    return async function rateLimitOperationGuard({ req, state }) {
      const caller: Caller = {
        principal: state.principal,
        clientIp: state.clientIp,
        header(name) {
          const value = req.headers[name];
          return Array.isArray(value) ? value.join(', ') : value;
        },
      };
      const charges = chargesOf(schema, document, operationName, state.deniedField);
      const result = await limiter.check(caller, charges, 0);
      if (result !== undefined && options.headersOnSuccess) Object.assign(state.responseHeaders, rateLimitHeaders(result));
    };
  };
}
