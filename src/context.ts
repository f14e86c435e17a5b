import { setMaxListeners } from 'node:events';
import type { ServerResponse } from 'node:http';
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
  signal: ClientSignal | undefined;
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
    if (identity !== undefined && namesIdentityHeader(identity.strip, name)) continue;
    const value = gateway.clientHeaders.get(name);
    if (value !== null) out[name] = value;
  }
  if (identity !== undefined) Object.assign(out, identity.headers);
  return out;
}

/**
 * Whether a header name is one of the identity headers (`identity`, lower-case names) as a
 * backend may read it: with underscores for dashes too, as CGI, PHP-FPM and Rack map both to one
 * variable (nginx and Kong drop such headers by default for this reason).
 */
export function namesIdentityHeader(identity: ReadonlySet<string>, name: string): boolean {
  const lower = name.toLowerCase();
  return identity.has(lower) || (lower.includes('_') && identity.has(lower.replaceAll('_', '-')));
}

/** `headers` without any a client may not send upstream in the identity headers' place (see namesIdentityHeader). */
export function withoutIdentityHeaders(headers: Readonly<Record<string, string>>, identity: ReadonlySet<string> | undefined): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (identity === undefined || !namesIdentityHeader(identity, name)) kept[name] = value;
  }
  return kept;
}

/**
 * What upstream calls listen to for the client going away: the part of AbortSignal they use, so
 * the fast path needs no AbortController (an EventTarget) per request.
 */
export interface ClientSignal {
  readonly aborted: boolean;
  readonly reason: unknown;
  /** `listener` is called once, when the client goes away. */
  onAbort(listener: () => void): void;
  offAbort(listener: () => void): void;
}

/** An AbortSignal (Yoga's request signal, a controller's) as a ClientSignal. */
export function clientSignalOf(signal: AbortSignal): ClientSignal {
  // Every upstream call of the request adds a listener: a fan-out is expected, not a leak.
  setMaxListeners(0, signal);
  return {
    get aborted() {
      return signal.aborted;
    },
    get reason() {
      return signal.reason as unknown;
    },
    onAbort: (listener) => signal.addEventListener('abort', listener, { once: true }),
    offAbort: (listener) => signal.removeEventListener('abort', listener),
  };
}

/** Aborted when the response closes before it finished (the client left); already aborted if it has. */
export class ResponseCloseSignal implements ClientSignal {
  aborted = false;
  reason: unknown = undefined;
  private listeners: (() => void)[] | undefined;

  constructor(res: ServerResponse) {
    if (res.destroyed) {
      this.abort();
      return;
    }
    // 'close' is emitted once: a plain listener, without once's wrapper.
    res.on('close', () => {
      if (!res.writableFinished) this.abort();
    });
  }

  onAbort(listener: () => void): void {
    (this.listeners ??= []).push(listener);
  }

  offAbort(listener: () => void): void {
    const index = this.listeners?.indexOf(listener) ?? -1;
    if (index !== -1) this.listeners!.splice(index, 1);
  }

  private abort(): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = new DOMException('The client closed the connection', 'AbortError');
    const listeners = this.listeners;
    this.listeners = undefined;
    if (listeners !== undefined) for (const listener of listeners) listener();
  }
}
