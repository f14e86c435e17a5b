import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';
import type { HeaderOpsConfig } from '../../config/routes.js';
import type { ForwardedHeaders } from './forwarded.js';

/**
 * Header rules of the proxy, both directions. Hop-by-hop headers (RFC 9110 §7.6.1) and every
 * header the sender names in its `Connection` header never cross. Toward the upstream the
 * client's `Host` is never sent (the Pool sets the upstream's own host from config), `Expect` is
 * answered by the gateway itself, and the forwarding headers are replaced (see forwarded.ts).
 */

const HOP_BY_HOP = new Set([
  'connection', 'keep-alive', 'proxy-connection', 'proxy-authenticate', 'proxy-authorization',
  'te', 'trailer', 'transfer-encoding', 'upgrade', 'http2-settings',
]);
const NOT_FORWARDED_UP = new Set([...HOP_BY_HOP, 'host', 'expect', 'x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-host', 'forwarded']);
/** `Connection` values that name nothing beyond the hop-by-hop set (the common case: no parsing). */
const PLAIN_CONNECTION = new Set([undefined, 'keep-alive', 'close', 'Keep-Alive', 'Close', 'upgrade', 'Upgrade']);

/** A route's header changes, compiled once. Applied after the hop-by-hop filter: remove, rename, add. */
export interface HeaderPlan {
  readonly skip: ReadonlySet<string>;
  readonly rename: ReadonlyMap<string, string>;
  readonly add: readonly (readonly [string, string])[];
}

export function compileHeaderPlan(ops: HeaderOpsConfig, upstreamBound: boolean): HeaderPlan {
  const skip = new Set([...(upstreamBound ? NOT_FORWARDED_UP : HOP_BY_HOP), ...ops.remove]);
  return { skip, rename: new Map(Object.entries(ops.rename)), add: Object.entries(ops.add) };
}

/** The headers sent upstream: the client's, filtered and changed by the plan, plus forwarding headers. */
export function upstreamHeaders(given: IncomingHttpHeaders, plan: HeaderPlan, forwarded: ForwardedHeaders): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  const named = connectionTokens(given.connection);
  copyHeaders(given, out, plan, named);
  out['x-forwarded-for'] = forwarded['x-forwarded-for'];
  out['x-forwarded-proto'] = forwarded['x-forwarded-proto'];
  out['x-forwarded-host'] = forwarded['x-forwarded-host'];
  out['forwarded'] = forwarded.forwarded;
  for (const [name, value] of plan.add) out[name] = value;
  return out;
}

/** The headers sent to the client: the upstream's, filtered and changed by the plan. */
export function clientHeaders(given: IncomingHttpHeaders, plan: HeaderPlan): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  const connection = given.connection;
  copyHeaders(given, out, plan, connectionTokens(typeof connection === 'string' ? connection : undefined));
  for (const [name, value] of plan.add) out[name] = value;
  return out;
}

function copyHeaders(
  given: IncomingHttpHeaders,
  out: Record<string, string | string[] | number | undefined>,
  plan: HeaderPlan,
  named: ReadonlySet<string> | undefined,
): void {
  for (const name in given) {
    const value = given[name];
    if (value === undefined || plan.skip.has(name) || (named !== undefined && named.has(name))) continue;
    out[plan.rename.get(name) ?? name] = value;
  }
}

/** Extra header names listed in `Connection`, or `undefined` when it lists none. */
export function connectionTokens(connection: string | undefined): ReadonlySet<string> | undefined {
  if (PLAIN_CONNECTION.has(connection)) return undefined;
  const tokens = new Set<string>();
  for (const token of connection!.split(',')) {
    const name = token.trim().toLowerCase();
    if (name !== '' && !HOP_BY_HOP.has(name)) tokens.add(name);
  }
  return tokens.size === 0 ? undefined : tokens;
}

/** Whether a header name is hop-by-hop (used by the WebSocket handshake). */
export function isHopByHop(name: string): boolean {
  return HOP_BY_HOP.has(name);
}
