import type { IncomingMessage, ServerResponse } from 'node:http';
import type { PolicyEngine } from './index.js';
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

export type RouteHook = (route: { name: string }, req: IncomingMessage, requestId: string, details: RouteHookDetails) => Promise<void>;

/**
 * The REST passthrough's `beforeProxy`: every route's `policies` block is compiled once here (a bad
 * block fails the start), then each request runs its route's guards in policy order. For every
 * route, client-sent copies of identity headers are removed from the request before it is
 * forwarded; after auth, the identity headers are set on it, so the proxy forwards them. A policy
 * that answers the request itself (a cache hit) ends `res`: the caller must then not proxy
 * (`res.writableEnded`).
 */
export function createRouteHook(engine: PolicyEngine, routes: readonly PolicyRoute[]): RouteHook {
  const guards = new Map(routes.map((route) => [route.name, engine.routeGuards(route.policies)]));
  const strip = [...engine.stripRequestHeaders];
  return async function beforeProxy(route, req, requestId, details) {
    for (const name of strip) delete req.headers[name];
    const guard = guards.get(route.name);
    if (guard === undefined) return;
    const state = createPolicyState(details.clientIp);
    await guard({ req, res: details.res as ServerResponse, requestId, path: details.path, routeName: route.name, state });
    if (state.identity !== undefined) Object.assign(req.headers, state.identity.headers);
    if (details.res !== undefined && !details.res.headersSent) {
      for (const [name, value] of Object.entries(state.responseHeaders)) details.res.setHeader(name, value);
    }
  };
}
