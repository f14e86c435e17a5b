import type { IncomingMessage, ServerResponse } from 'node:http';
import type { PolicyEngine, RoutePolicy } from './index.js';
import type { BodyTap, PolicyState, RouteOperation, RouteRequest, RouteResponse } from './policy.js';
import { namesIdentityHeader } from '../src/context.js';
import { createPolicyState } from './state.js';

export interface PolicyRoute {
  name: string;
  policies?: Readonly<Record<string, unknown>> | undefined;
}

export interface RouteHookDetails {
  /** Absent for WebSocket upgrades. */
  res: ServerResponse | undefined;
  /** The normalised path the route matched on and forwards. */
  path: string;
  clientIp: string;
}

/**
 * What the passthrough does next: nothing (`answered`: a policy sent the response), or proxy and
 * then call `afterProxy` with the upstream's head, or `onUpstreamFailure` when it failed.
 */
export interface RouteHookResult {
  answered: boolean;
  /** What the route's guards found (the caller, identity, response headers): an aggregation route's operation goes on from it. */
  state?: PolicyState | undefined;
  /** Called with the upstream's response head; may return a tap for a copy of the body. */
  afterProxy?: ((response: RouteResponse) => BodyTap | undefined) | undefined;
  /** Called when the upstream failed before the client got anything; true when a policy answered instead (stale). */
  onUpstreamFailure?: (() => boolean) | undefined;
}

/** `undefined` (no promise) when the route has no policy: only the identity headers are stripped. */
export type RouteHook = (route: { name: string }, req: IncomingMessage, requestId: string, details: RouteHookDetails) => Promise<RouteHookResult | undefined> | undefined;

const ANSWERED: RouteHookResult = Object.freeze({ answered: true });

/**
 * The REST passthrough's `beforeProxy`: every route's `policies` block is compiled once here (a bad
 * block fails the start), then each request runs its route's guards in policy order. For every
 * route, client-sent copies of identity headers (spelt with underscores too) are removed from the
 * request before it is forwarded; after auth, the identity headers are set on it, so the proxy
 * forwards them. A policy that answers the request itself (a cache hit) ends `res` and the result
 * says `answered`: the caller must then not proxy. Otherwise the result carries the route's steps after the upstream
 * call (bound to this request), when its policies have any. An aggregation route's policies
 * (`operations`, by route name) also hold the rules of the fields its operation selects.
 */
export function createRouteHook(engine: PolicyEngine, routes: readonly PolicyRoute[], operations: ReadonlyMap<string, RouteOperation> = new Map()): RouteHook {
  const policies = new Map(routes.map((route) => [route.name, engine.routePolicy(route.policies, operations.get(route.name))]));
  const strip = [...engine.stripRequestHeaders];
  const identity = engine.stripRequestHeaders;
  return function beforeProxy(route, req, requestId, details) {
    for (const name of strip) delete req.headers[name];
    for (const name in req.headers) {
      if (name.includes('_') && namesIdentityHeader(identity, name)) delete req.headers[name];
    }
    const policy = policies.get(route.name);
    return policy === undefined ? undefined : guardRoute(policy, route, req, requestId, details);
  };

  async function guardRoute(policy: RoutePolicy, route: { name: string }, req: IncomingMessage, requestId: string, details: RouteHookDetails): Promise<RouteHookResult | undefined> {
    const state = createPolicyState(details.clientIp);
    const request: RouteRequest = { req, res: details.res as ServerResponse, requestId, path: details.path, routeName: route.name, state };
    const answered = (await policy.guard(request)) === true;
    if (state.identity !== undefined) Object.assign(req.headers, state.identity.headers);
    if (details.res !== undefined && !details.res.headersSent) {
      for (const [name, value] of Object.entries(state.responseHeaders)) details.res.setHeader(name, value);
    }
    if (answered || details.res?.writableEnded === true) return ANSWERED;
    if (details.res === undefined) return undefined;
    if (policy.afterProxy === undefined && policy.onUpstreamFailure === undefined) return operations.has(route.name) ? { answered: false, state } : undefined;
    return new RequestSteps(policy, request);
  }
}

/** A route's steps after the upstream call, bound to one request: one object, no closure per step. */
class RequestSteps implements RouteHookResult {
  readonly answered = false;

  constructor(
    private readonly policy: RoutePolicy,
    private readonly request: RouteRequest,
  ) {}

  get state(): PolicyState {
    return this.request.state;
  }

  afterProxy(response: RouteResponse): BodyTap | undefined {
    return this.policy.afterProxy?.(this.request, response);
  }

  onUpstreamFailure(): boolean {
    return this.policy.onUpstreamFailure?.(this.request) ?? false;
  }
}
