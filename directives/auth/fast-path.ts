import type { GraphQLSchema } from 'graphql';
import type { AuthConfig } from '../../src/config/auth.js';
import type { FastPathPolicy, FastPathStep, PolicyState, Principal } from '../policy.js';
import type { Authenticator } from './authenticator.js';
import { evaluate } from './evaluate.js';
import type { Planner } from './plan.js';

export interface AuthFastPathOptions {
  authenticator: Authenticator;
  identityOf: (principal: Principal | undefined) => NonNullable<PolicyState['identity']>;
  plannerOf: (schema: GraphQLSchema) => Planner;
}

/**
 * Auth on the fast path: the caller is authenticated (verified tokens are remembered by the
 * verifier) and every protected field of the document checked, exactly as the plugin does. A
 * request that would be refused, or whose credentials fail, goes to the full pipeline (nothing is
 * spent before auth), which answers it with the same error as always.
 */
export function authFastPath(config: AuthConfig, options: AuthFastPathOptions): FastPathPolicy {
  const { authenticator, identityOf, plannerOf } = options;
  const credentialHeaders = [
    ...(config.jwt !== undefined || config.introspection !== undefined ? ['authorization'] : []),
    ...(config.jwt?.cookie !== undefined ? ['cookie'] : []),
    ...(config.apiKeys !== undefined ? [config.apiKeys.header] : []),
  ];
  const anonymous = identityOf(undefined);

  return {
    document(schema, document, operationName) {
      const entries = plannerOf(schema)(document, operationName);
      const admit = (principal: Principal | undefined): boolean => entries.every((entry) => evaluate(entry.requirement, principal) === undefined);
      return function authStep({ headers, state }): ReturnType<FastPathStep> {
        if (credentialHeaders.every((name) => headers.get(name) === null)) {
          if (!admit(undefined)) return 'pipeline';
          state.identity = anonymous;
          return undefined;
        }
        const admitted = (principal: Principal | undefined): 'pipeline' | undefined => {
          if (!admit(principal)) return 'pipeline';
          state.principal = principal;
          state.identity = identityOf(principal);
          return undefined;
        };
        let found: ReturnType<Authenticator['authenticate']>;
        try {
          found = authenticator.authenticate(headers);
        } catch {
          return 'pipeline';
        }
        return found instanceof Promise ? found.then(admitted, () => 'pipeline' as const) : admitted(found);
      };
    },
  };
}
