import type { DocumentNode, GraphQLSchema } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { JunctionConfig } from '../src/config/index.js';
import { createAuthPolicy } from './auth/index.js';
import type { SchemaBuild } from './coordinates.js';
import { createCachePolicy } from './cache/index.js';
import { createRateLimitPolicy } from './rate-limit/index.js';
import { NO_STEP, POLICY_ORDER, type FastPathPolicy, type FastPathStep, type PolicyDeps, type PolicyCounters, type PolicyFactory, type PolicyModule, type RouteGuard, type RouteOperation, type RoutePolicy } from './policy.js';
import { createRoutePolicyBuilder } from './route-policy.js';
import { usePolicyState } from './state.js';

export { createPolicyState } from './state.js';
export { createRouteHook, type PolicyRoute, type RouteHook } from './route-hook.js';
export type { SchemaBuild } from './coordinates.js';
export type { AfterProxy, BodyTap, FastPathRequest, FastPathStep, PolicyCounters, PolicyModule, PolicyState, Principal, RouteGuard, RouteOperation, RoutePolicy, RouteRequest, RouteResponse } from './policy.js';

export type PolicyName = (typeof POLICY_ORDER)[number];

/** Every policy's fast-path steps for a document, combined. */
export interface FastPathPolicies {
  /** The steps to run per request, in POLICY_ORDER; undefined when a policy keeps the document on the full pipeline. */
  steps(schema: GraphQLSchema, document: DocumentNode, operationName: string | undefined): readonly FastPathStep[] | undefined;
}

/**
 * REGISTRATION POINT: one entry per policy module, keyed by its name. The order they run in comes
 * from POLICY_ORDER (auth → rateLimit → cache), never from the order of this object.
 */
export const POLICY_FACTORIES: Partial<Record<PolicyName, PolicyFactory>> = {
  auth: createAuthPolicy,
  rateLimit: createRateLimitPolicy,
  cache: createCachePolicy,
};

export interface PolicyEngine {
  /** The policies in force, in POLICY_ORDER. */
  readonly modules: readonly PolicyModule[];
  /** Directive definitions of every policy, for composition. */
  readonly typeDefs: string;
  /** Applies every policy's schema transform, in order, to the composed schema; throws on a config entry naming nothing in it. */
  transform(schema: GraphQLSchema, build?: SchemaBuild): GraphQLSchema;
  /** Yoga plugins: the policy state first, then each policy's, in order. */
  plugins(): Plugin[];
  /**
   * The guard of a REST route's `policies` block (`{ auth: {...}, rateLimit: {...} }`), its parts
   * run in POLICY_ORDER; a part returning true has answered the request itself (a cache hit) and
   * stops the rest. Policies the block does not name add their default part (`routeDefault`): auth
   * finds out who the caller is when another part depends on it, rate limiting spends usage plans.
   * Throws at build time on an unknown or disabled policy or invalid arguments. Undefined when the
   * route has nothing to run.
   */
  routeGuards(block: Readonly<Record<string, unknown>> | undefined): RouteGuard | undefined;
  /**
   * The same block's guard together with its after-proxy step (each policy's, in POLICY_ORDER; their
   * body taps merged into one), run by the passthrough once the upstream answered, and its step for
   * an upstream that failed (the first policy to answer wins). Undefined when nothing to run.
   * With `operation` (an aggregation route), each policy's part also holds the rules of the fields
   * the operation selects (`routeOperation`).
   */
  routePolicy(block: Readonly<Record<string, unknown>> | undefined, operation?: RouteOperation): RoutePolicy | undefined;
  /** Client request headers never forwarded upstream (identity headers policies set). */
  readonly stripRequestHeaders: ReadonlySet<string>;
  /** The policies' work on the GraphQL fast path; undefined when a policy has no fast-path form (fast path off). */
  readonly fastPath: FastPathPolicies | undefined;
  /** The counters of each policy that keeps some, by policy name (`rateLimit`, `cache`). */
  stats(): Readonly<Record<string, PolicyCounters>>;
  close(): Promise<void>;
}

/** Builds the policies the config uses, in the declared order. */
export function createPolicyEngine(
  config: JunctionConfig,
  deps: PolicyDeps,
  factories: Partial<Record<PolicyName, PolicyFactory>> = POLICY_FACTORIES,
): PolicyEngine {
  const modules: PolicyModule[] = [];
  for (const name of POLICY_ORDER) {
    const module = factories[name]?.(config, deps);
    if (module !== undefined) modules.push(module);
  }
  const routePolicy = createRoutePolicyBuilder(modules);

  return {
    modules,
    typeDefs: modules.map((module) => module.typeDefs).join('\n'),
    transform: (schema, build) => modules.reduce((current, module) => module.transform?.(current, build) ?? current, schema),
    plugins: () => [usePolicyState(), ...modules.flatMap((module) => module.plugins?.() ?? [])],
    routeGuards: (block) => routePolicy(block)?.guard,
    routePolicy,
    stripRequestHeaders: new Set(modules.flatMap((module) => module.stripRequestHeaders ?? [])),
    fastPath: combineFastPaths(modules),
    stats: () => Object.fromEntries(modules.flatMap((module) => (module.stats === undefined ? [] : [[module.name, module.stats()]]))),
    async close() {
      await Promise.allSettled(modules.map((module) => module.close?.()));
    },
  };
}

/** The policies' steps for one document, in POLICY_ORDER; undefined when any keeps it on the full pipeline. */
function combineFastPaths(modules: readonly PolicyModule[]): FastPathPolicies | undefined {
  const parts = modules.map((module) => module.fastPath);
  if (parts.some((part) => part === undefined)) return undefined;
  const policies = parts as FastPathPolicy[];
  return {
    steps(schema, document, operationName) {
      const steps: FastPathStep[] = [];
      for (const policy of policies) {
        const step = policy.document(schema, document, operationName);
        if (step === undefined) return undefined;
        if (step !== NO_STEP) steps.push(step);
      }
      return steps;
    },
  };
}
