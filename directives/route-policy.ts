import { CALLER_NEEDS, POLICY_ORDER, type AfterProxy, type BodyTap, type CallerNeed, type PolicyModule, type RouteGuard, type RouteOperation, type RoutePolicy } from './policy.js';

/** Builds the policy of a route's `policies` block from the modules in force (see PolicyEngine.routePolicy). */
export type RoutePolicyBuilder = (block: Readonly<Record<string, unknown>> | undefined, operation?: RouteOperation) => RoutePolicy | undefined;

/**
 * The route policies of these modules (in POLICY_ORDER), each block compiled when the route is.
 * A route runs the part of every policy its block names, and the default part of the others
 * (`routeDefault`), told what the route needs of the caller: so a route whose limit is per
 * consumer authenticates without an auth block, and usage plans apply on every route. An
 * aggregation route (`operation`) runs instead each policy's `routeOperation` part where it has one.
 */
export function createRoutePolicyBuilder(modules: readonly PolicyModule[]): RoutePolicyBuilder {
  const byName = new Map(modules.map((module) => [module.name, module]));

  return function routePolicy(block = {}, operation) {
    for (const name of Object.keys(block)) {
      if (!(POLICY_ORDER as readonly string[]).includes(name)) throw new Error(`unknown policy "${name}" (known: ${POLICY_ORDER.join(', ')})`);
      if (!byName.get(name)?.route) throw new Error(`policy "${name}" is not enabled for routes`);
    }
    const named = new Map(modules.filter((module) => block[module.name] !== undefined).map((module) => [module, module.parseArgs(block[module.name])]));
    const need = strongest(modules.map((module) => module.routeCaller?.(named.get(module)) ?? 'none'));
    const parts = modules.flatMap((module) => {
      const part = operation !== undefined && module.routeOperation !== undefined
        ? module.routeOperation(named.get(module), operation)
        : named.has(module) ? module.route!(named.get(module)) : module.routeDefault?.(need);
      return part === undefined ? [] : [asRoutePolicy(part)];
    });
    if (parts.length === 0) return undefined;
    const guards = parts.map((part) => part.guard);
    const guard: RouteGuard = async function routePolicies(request) {
      for (const guard of guards) {
        if ((await guard(request)) === true) return true;
      }
      return false;
    };
    const onFailure = parts.flatMap((part) => (part.onUpstreamFailure ? [part.onUpstreamFailure] : []));
    return {
      guard,
      afterProxy: combineAfterProxy(parts.flatMap((part) => (part.afterProxy ? [part.afterProxy] : []))),
      onUpstreamFailure: onFailure.length <= 1 ? onFailure[0] : (request) => onFailure.some((step) => step(request)),
    };
  };
}

function strongest(needs: readonly CallerNeed[]): CallerNeed {
  return CALLER_NEEDS[Math.max(...needs.map((need) => CALLER_NEEDS.indexOf(need)), 0)]!;
}

function asRoutePolicy(part: RouteGuard | RoutePolicy): RoutePolicy {
  return typeof part === 'function' ? { guard: part } : part;
}

/** One after-proxy step from several: every step sees the response; their taps share one copy of the body. */
function combineAfterProxy(steps: readonly AfterProxy[]): AfterProxy | undefined {
  if (steps.length <= 1) return steps[0];
  return function afterProxyAll(request, response) {
    const taps = steps.map((step) => step(request, response)).filter((tap): tap is BodyTap => tap !== undefined);
    if (taps.length <= 1) return taps[0];
    return {
      maxBytes: Math.max(...taps.map((tap) => tap.maxBytes)),
      async onBody(body) {
        await Promise.all(taps.filter((tap) => body.length <= tap.maxBytes).map((tap) => tap.onBody(body)));
      },
    };
  };
}
