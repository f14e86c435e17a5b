import type { GraphQLSchema } from 'graphql';
import type { JunctionConfig } from '../../src/config/index.js';
import type { SchemaBuild } from '../coordinates.js';
import type { CallerNeed, PolicyDeps, PolicyModule } from '../policy.js';
import { createAuthenticator, type Authenticator } from './authenticator.js';
import { authFastPath } from './fast-path.js';
import { createAuthHttp, type AuthHttpClient } from './http-client.js';
import { createIdentity } from './identity.js';
import { createPlanner, type Planner } from './plan.js';
import { createAuthOperationRoute } from './operation.js';
import { useAuth } from './plugin.js';
import { parseAuthArgs, type Requirement } from './requirement.js';
import { collectRequirements, type RequirementIndex } from './requirements.js';
import { createAuthRoute, createIdentifyRoute } from './route.js';
import { AUTH_TYPE_DEFS } from './sdl.js';
import { guardResolvers } from './transform.js';

export { AUTH_TYPE_DEFS } from './sdl.js';
export { parseAuthArgs, type Requirement } from './requirement.js';

export interface AuthPolicyDeps extends PolicyDeps {
  /** HTTP client for JWKS and introspection. Default: a dedicated undici Agent, closed with the policy. */
  http?: AuthHttpClient;
}

export interface AuthPolicy extends PolicyModule<Requirement> {
  readonly authenticator: Authenticator;
}

/**
 * Authentication and authorisation as a policy: `@authenticated`, `@requiresScopes` and
 * `@requiresClaim` (or `auth.fields` by coordinate) on GraphQL fields, the same arguments in a
 * route's `policies.auth` block. Always present, so directives found in subgraph SDL are enforced
 * even without an `auth:` block (fail closed: nobody can authenticate, protected fields say 401).
 */
export function createAuthPolicy(config: JunctionConfig, deps: AuthPolicyDeps): AuthPolicy {
  const auth = config.auth;
  const needsHttp = auth.jwt?.issuers.some((issuer) => issuer.jwksUrl !== undefined) === true || auth.introspection !== undefined;
  const http = deps.http ?? (needsHttp ? createAuthHttp() : undefined);
  const authenticator = createAuthenticator(auth, {
    http: http?.request ?? (() => Promise.reject(new Error('no HTTP client'))),
    now: deps.now,
    logger: deps.logger,
  });
  const identityOf = createIdentity(auth.identityHeaders);
  const schemas = new WeakMap<GraphQLSchema, SchemaAuth>();
  const routeDeps = { authenticator, identityOf, realm: auth.realm };
  /** Whether a route needing this much of the caller can learn it here: not when no such credential is configured. */
  const canIdentify = (need: CallerNeed): need is Exclude<CallerNeed, 'none'> =>
    need === 'any' ? authenticator.enabled : need === 'apiKey' && authenticator.apiKeysEnabled;

  /** Requirements and plan cache of one schema (also of a schema a later policy rebuilt from ours). */
  function authOf(schema: GraphQLSchema): SchemaAuth {
    let found = schemas.get(schema);
    if (found === undefined) {
      found = schemaAuth(schema, collectRequirements(schema, auth.fields, deps.logger));
      schemas.set(schema, found);
    }
    return found;
  }
  const plannerOf = (schema: GraphQLSchema): Planner => authOf(schema).planner;
  const requirementsOf = (schema: GraphQLSchema): RequirementIndex => authOf(schema).requirements;

  function transform(schema: GraphQLSchema, build?: SchemaBuild): GraphQLSchema {
    const index = collectRequirements(schema, auth.fields, deps.logger, build);
    // In `reject` mode the per-document plan is the enforcement (complete, before execution), so
    // resolvers stay untouched and operations one source answers alone are still forwarded whole.
    const guarded = auth.onFieldDenied === 'null' ? guardResolvers(schema, index, auth.realm) : schema;
    schemas.set(guarded, schemaAuth(guarded, index));
    deps.logger.info({ protectedFields: index.size, onFieldDenied: auth.onFieldDenied }, 'auth requirements applied');
    return guarded;
  }

  return {
    name: 'auth',
    typeDefs: AUTH_TYPE_DEFS,
    parseArgs: parseAuthArgs,
    authenticator,
    transform,
    plugins: () => [useAuth({ authenticator, identityOf, plannerOf, requirementsOf, onFieldDenied: auth.onFieldDenied, realm: auth.realm })],
    routeOperation: (requirement, operation) => createAuthOperationRoute(requirement, operation, { ...routeDeps, plannerOf, requirementsOf, onFieldDenied: auth.onFieldDenied }),
    stripRequestHeaders: Object.values(auth.identityHeaders),
    fastPath: authFastPath(auth, { authenticator, identityOf, plannerOf }),
    route: (requirement) => createAuthRoute(requirement, routeDeps),
    routeDefault: (need) => (canIdentify(need) ? createIdentifyRoute(need, routeDeps) : undefined),
    async close() {
      if (deps.http === undefined) await http?.close();
    },
  };
}

/** What auth knows of one schema: what each protected field needs, and the per-document plans. */
interface SchemaAuth {
  requirements: RequirementIndex;
  planner: Planner;
}

function schemaAuth(schema: GraphQLSchema, requirements: RequirementIndex): SchemaAuth {
  return { requirements, planner: createPlanner(schema, requirements) };
}
