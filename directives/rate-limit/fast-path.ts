import type { GraphQLSchema } from 'graphql';
import type { RateLimitConfig } from '../../src/config/rate-limit.js';
import type { Logger } from '../../src/logger.js';
import type { FastPathPolicy } from '../policy.js';
import { createDocumentAnalyser } from './analyse.js';
import { collectFieldRules } from './field-rules.js';

/**
 * Rate limiting has nothing to do for an operation no rule counts (no limited field, no
 * `operations` rule) from a caller no usage plan can apply to (no API key when plans exist).
 */
export function rateLimitFastPath(config: RateLimitConfig, logger: Logger): FastPathPolicy {
  const analysers = new WeakMap<GraphQLSchema, ReturnType<typeof createDocumentAnalyser>>();
  const plans = Object.keys(config.plans).length > 0;
  return {
    document(schema, document, operationName) {
      if (config.operations !== undefined) return false;
      let analyse = analysers.get(schema);
      if (analyse === undefined) {
        analyse = createDocumentAnalyser(collectFieldRules(schema, config.fields, logger));
        analysers.set(schema, analyse);
      }
      return analyse(schema, document, operationName).length === 0;
    },
    request: (headers) => !plans || headers.get(config.apiKeyHeader) === null,
  };
}
