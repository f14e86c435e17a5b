import { setMaxListeners } from 'node:events';
import type { PolicyState } from '../directives/policy.js';

/**
 * What every stage may read of the request being served. The HTTP layer creates it once per
 * request; sources read forwarded headers and the abort signal from it; policies add to it.
 */
export interface GatewayContext {
  /** Unique id of this request, echoed in `x-request-id` and in masked errors. */
  requestId: string;
  /** Client request headers (lower-case names). */
  clientHeaders: { get(name: string): string | null };
  /** Aborted when the client goes away; every upstream request of this request listens to it. */
  signal: AbortSignal | undefined;
  /** Policy state (principal, identity for upstreams); set by the policy engine. */
  policy?: PolicyState;
}

/** Reads the gateway context out of whatever object graphql-js passes resolvers. */
export function gatewayContextOf(context: unknown): GatewayContext | undefined {
  const candidate = context as Partial<GatewayContext> | null | undefined;
  return candidate && typeof candidate.requestId === 'string' ? (candidate as GatewayContext) : undefined;
}

/**
 * Picks the configured headers of the client request to send upstream, plus the identity headers
 * auth set; client-sent copies of identity headers are never forwarded.
 */
export function forwardedHeaders(context: unknown, names: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  const gateway = gatewayContextOf(context);
  if (!gateway) return out;
  const identity = gateway.policy?.identity;
  for (const name of names) {
    if (identity?.strip.has(name)) continue;
    const value = gateway.clientHeaders.get(name);
    if (value !== null) out[name] = value;
  }
  if (identity !== undefined) Object.assign(out, identity.headers);
  return out;
}

/**
 * Marks a request's abort signal as shared by all its upstream calls: a fan-out of many calls adds
 * that many listeners, which is expected, not a leak (no MaxListenersExceededWarning).
 */
export function sharedByUpstreamCalls(signal: AbortSignal): AbortSignal {
  setMaxListeners(0, signal);
  return signal;
}
