import type { GraphQLSchema } from 'graphql';
import type { AuthConfig } from '../../src/config/auth.js';
import type { FastPathPolicy } from '../policy.js';
import type { Planner } from './plan.js';

/**
 * Auth has nothing to do for a request that carries no credential it reads (nobody to verify, no
 * bad token to refuse) and asks for no protected field.
 */
export function authFastPath(config: AuthConfig, plannerOf: (schema: GraphQLSchema) => Planner): FastPathPolicy {
  const credentialHeaders = [
    ...(config.jwt !== undefined || config.introspection !== undefined ? ['authorization'] : []),
    ...(config.jwt?.cookie !== undefined ? ['cookie'] : []),
    ...(config.apiKeys !== undefined ? [config.apiKeys.header] : []),
  ];
  return {
    document: (schema, document, operationName) => plannerOf(schema)(document, operationName).length === 0,
    request: (headers) => credentialHeaders.every((name) => headers.get(name) === null),
  };
}
