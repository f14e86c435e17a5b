import type { IncomingMessage } from 'node:http';
import type { CallerNeed, PolicyState, Principal, RouteGuard } from '../policy.js';
import type { Authenticator, HeaderReader } from './authenticator.js';
import { forbidden, missingCredentials } from './errors.js';
import { evaluate } from './evaluate.js';
import type { Requirement } from './requirement.js';

export interface AuthRouteDeps {
  authenticator: Authenticator;
  identityOf: (principal: Principal | undefined) => NonNullable<PolicyState['identity']>;
  realm: string;
}

/**
 * The auth policy on a REST route (`policies.auth` block, same names as the directives): runs
 * before the upstream call on the request as received, throws 401 (with `WWW-Authenticate`) or
 * 403, and leaves the principal and identity headers in the route's policy state.
 */
export function createAuthRoute(requirement: Requirement, deps: AuthRouteDeps): RouteGuard {
  const identify = createIdentifyRoute('any', deps);
  return async function authRoute(request) {
    await identify(request);
    const state = request.state;
    const denial = evaluate(requirement, state.principal);
    if (denial === 'UNAUTHENTICATED') throw missingCredentials(deps.realm, `Route "${request.routeName}"`);
    if (denial === 'FORBIDDEN') throw forbidden(deps.realm, `route "${request.routeName}"`);
  };
}

/**
 * Auth on a route without a `policies.auth` block whose other policies depend on the caller:
 * finds out who the caller is from the credentials `need` names (all of them, or only the API
 * key) and sets the identity headers, but lets anonymous callers through. Credentials that are
 * sent but not valid are refused with 401, as on GraphQL.
 */
export function createIdentifyRoute(need: Exclude<CallerNeed, 'none'>, deps: AuthRouteDeps): RouteGuard {
  const { authenticator } = deps;
  return async function identifyRoute(request) {
    const state = request.state;
    if (state.principal === undefined && authenticator.enabled) {
      const headers = nodeHeaders(request.req);
      state.principal = need === 'any' ? await authenticator.authenticate(headers) : authenticator.authenticateApiKey(headers);
    }
    state.identity = deps.identityOf(state.principal);
  };
}

/** Node's header record as a `get(name)` reader; repeated headers are joined as HTTP allows. */
export function nodeHeaders(req: IncomingMessage): HeaderReader {
  return {
    get(name) {
      const value = req.headers[name];
      if (value === undefined) return null;
      return Array.isArray(value) ? value.join(', ') : value;
    },
  };
}
