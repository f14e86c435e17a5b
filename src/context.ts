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
}

/** Reads the gateway context out of whatever object graphql-js passes resolvers. */
export function gatewayContextOf(context: unknown): GatewayContext | undefined {
  const candidate = context as Partial<GatewayContext> | null | undefined;
  return candidate && typeof candidate.requestId === 'string' ? (candidate as GatewayContext) : undefined;
}

/** Picks the configured headers of the client request to send upstream. */
export function forwardedHeaders(context: unknown, names: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  if (names.length === 0) return out;
  const gateway = gatewayContextOf(context);
  if (!gateway) return out;
  for (const name of names) {
    const value = gateway.clientHeaders.get(name);
    if (value !== null) out[name] = value;
  }
  return out;
}
