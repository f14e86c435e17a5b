import type { GraphQLSchema } from 'graphql';
import type { RouteGuard, RouteOperation } from '../policy.js';
import { fieldVerdict } from './field-verdict.js';
import type { Planner } from './plan.js';
import type { Requirement } from './requirement.js';
import type { RequirementIndex } from './requirements.js';
import { createAuthRoute, createIdentifyRoute, type AuthRouteDeps } from './route.js';

export interface AuthOperationDeps extends AuthRouteDeps {
  plannerOf: (schema: GraphQLSchema) => Planner;
  requirementsOf: (schema: GraphQLSchema) => RequirementIndex;
  onFieldDenied: 'reject' | 'null';
}

/**
 * Auth on an aggregation route, as on `/graphql`: every credential sent is verified (bad ones are
 * refused with 401), the sources get the caller's identity headers, the route's own requirement
 * (its `policies.auth` block) is checked, then every protected field the operation selects.
 * `reject` refuses the request with 401/403; `null` lets it run, the guarded resolvers answering the
 * denied fields null, and tells rate limiting (next) which root fields not to charge.
 */
export function createAuthOperationRoute(requirement: Requirement | undefined, operation: RouteOperation, deps: AuthOperationDeps): RouteGuard {
  const entries = deps.plannerOf(operation.schema)(operation.document, operation.operationName);
  const route = requirement === undefined ? createIdentifyRoute('any', deps) : createAuthRoute(requirement, deps);
  const options = { onFieldDenied: deps.onFieldDenied, realm: deps.realm, requirements: () => deps.requirementsOf(operation.schema) };
  return async function authOperationRoute(request) {
    await route(request);
    const verdict = fieldVerdict(entries, request.state.principal, options);
    if (verdict === undefined) return;
    if ('refuse' in verdict) throw verdict.refuse;
    request.state.deniedField = verdict.deniedField;
  };
}
