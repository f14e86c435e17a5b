import type { GraphQLSchema } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { GatewayContext } from '../../src/context.js';
import type { JunctionError } from '../../src/errors.js';
import type { PolicyState, Principal } from '../policy.js';
import type { Authenticator } from './authenticator.js';
import { fieldVerdict } from './field-verdict.js';
import type { Planner } from './plan.js';
import type { RequirementIndex } from './requirements.js';

export interface AuthPluginOptions {
  authenticator: Authenticator;
  identityOf: (principal: Principal | undefined) => NonNullable<PolicyState['identity']>;
  /** The planner of a schema (built once per schema). */
  plannerOf: (schema: GraphQLSchema) => Planner;
  /** What each protected field of a schema needs. */
  requirementsOf: (schema: GraphQLSchema) => RequirementIndex;
  onFieldDenied: 'reject' | 'null';
  realm: string;
}

type YogaContext = GatewayContext & { request: Request };

/**
 * Auth on the GraphQL surface. While the context is built: authenticates the caller (bad
 * credentials fail the whole request with 401, an unreachable key source with 503), puts the
 * principal in the policy state and sets the identity for upstreams. Before execution: checks the
 * document's protected fields (planned once per document). In `reject` mode a denied field refuses
 * the whole request with 401/403 before any upstream call; in `null` mode the request goes on (the
 * field's resolver answers null with the error) and `deniedField` in the policy state tells rate
 * limiting, which runs next, which denied root fields not to charge (no upstream call is made for
 * them; a denied nested field is still fetched by its source and is charged).
 */
export function useAuth(options: AuthPluginOptions): Plugin {
  const { authenticator, identityOf, plannerOf, requirementsOf, realm } = options;
  const plugin: Plugin<YogaContext> = {
    async onContextBuilding({ context }) {
      const state = context.policy;
      if (state === undefined) return;
      let principal: Principal | undefined;
      if (authenticator.enabled) {
        try {
          principal = await authenticator.authenticate(context.request.headers);
        } catch (error) {
          throw (error as JunctionError).toGraphQLError?.(true) ?? error;
        }
      }
      state.principal = principal;
      state.identity = identityOf(principal);
    },
    onExecute({ args, setResultAndStopExecution }) {
      const entries = plannerOf(args.schema)(args.document, args.operationName);
      if (entries.length === 0) return;
      const state = (args.contextValue as Partial<GatewayContext>).policy;
      const verdict = fieldVerdict(entries, state?.principal, { onFieldDenied: options.onFieldDenied, realm, requirements: () => requirementsOf(args.schema) });
      if (verdict === undefined) return;
      if ('refuse' in verdict) setResultAndStopExecution({ errors: [verdict.refuse.toGraphQLError(true)] });
      else if (state !== undefined) state.deniedField = verdict.deniedField;
    },
  };
  return plugin as Plugin;
}
