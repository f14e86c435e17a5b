import type { DocumentNode, GraphQLSchema } from 'graphql';
import type { OperationGuard, PolicyState, Principal } from '../policy.js';
import type { Authenticator } from './authenticator.js';
import { forbidden, missingCredentials } from './errors.js';
import { deniedFieldCheck, evaluate } from './evaluate.js';
import type { Planner } from './plan.js';
import type { RequirementIndex } from './requirements.js';
import { nodeHeaders } from './route.js';

export interface AuthOperationOptions {
  authenticator: Authenticator;
  identityOf: (principal: Principal | undefined) => NonNullable<PolicyState['identity']>;
  plannerOf: (schema: GraphQLSchema) => Planner;
  requirementsOf: (schema: GraphQLSchema) => RequirementIndex;
  onFieldDenied: 'reject' | 'null';
  realm: string;
}

/**
 * Auth for an aggregation route's operation, as the plugin does it on `/graphql`: the caller is
 * authenticated (unless the route's own guards found them already; bad credentials are refused
 * with 401), the identity headers set for the sources, and every protected field the operation
 * selects checked. `reject` refuses the request with 401/403; `null` lets it run, the guarded
 * resolvers answering the denied fields null, and tells rate limiting which not to charge.
 */
export function authOperation(options: AuthOperationOptions): (schema: GraphQLSchema, document: DocumentNode, operationName: string | undefined) => OperationGuard {
  const { authenticator, identityOf, plannerOf, requirementsOf, realm } = options;
  return function operationGuard(schema, document, operationName) {
    const entries = plannerOf(schema)(document, operationName);
    return async function authOperationGuard({ req, state }) {
      if (state.principal === undefined && authenticator.enabled) state.principal = await authenticator.authenticate(nodeHeaders(req));
      state.identity = identityOf(state.principal);
      for (const entry of entries) {
        const denial = evaluate(entry.requirement, state.principal);
        if (denial === undefined) continue;
        if (options.onFieldDenied === 'null') {
          state.deniedField = deniedFieldCheck(requirementsOf(schema), state.principal);
          return;
        }
        throw denial === 'UNAUTHENTICATED' ? missingCredentials(realm, `Field "${entry.coordinate}"`) : forbidden(realm, `field "${entry.coordinate}"`);
      }
    };
  };
}
