import { hash } from 'node:crypto';
import type { Principal } from '../policy.js';
import { principalKey } from '../principal-key.js';
import type { RateLimitRule } from './args.js';

/** What a rule may key on, read once per request from the GraphQL context or the REST route request. */
export interface Caller {
  principal: Principal | undefined;
  clientIp: string;
  header(name: string): string | undefined;
}

/**
 * The budget a rule spends for this caller, as a store key. Without the identity a rule needs (no
 * principal for `consumer`, no API-key consumer for `apiKey`, no header for `header`), the rule
 * counts by client IP, so leaving a credential out never escapes a limit. `apiKey` counts by the
 * consumer auth verified the key of, never by the header as sent: made-up keys would each get a
 * fresh budget. Header values enter the key hashed. `_apiKeyHeader` is not read (left for callers
 * that still pass it).
 */
export function budgetKey(rule: RateLimitRule, caller: Caller): string {
  const prefix = `${rule.id}:`;
  switch (rule.by) {
    case 'route':
    case 'field':
      return `${prefix}all`;
    case 'consumer':
    case 'subject':
      if (caller.principal !== undefined) return `${prefix}p:${principalKey(caller.principal)}`;
      break;
    case 'apiKey':
      if (caller.principal?.method === 'api-key') return `${prefix}p:${principalKey(caller.principal)}`;
      break;
    case 'header':
      return headerOr(prefix, caller.header(rule.header!), caller);
    case 'ip':
      break;
  }
  return `${prefix}ip:${caller.clientIp}`;
}

function headerOr(prefix: string, value: string | undefined, caller: Caller): string {
  if (value === undefined || value === '') return `${prefix}ip:${caller.clientIp}`;
  return `${prefix}h:${hash('sha256', value, 'base64url')}`;
}

/** Reads the principal defensively from wherever the auth policy left its state. */
export function principalOf(holder: unknown): Principal | undefined {
  if (holder === null || typeof holder !== 'object') return undefined;
  const record = holder as Record<string, unknown>;
  for (const name of ['policy', 'policyState', 'policies', 'state']) {
    const state = record[name];
    if (state !== null && typeof state === 'object' && 'principal' in state) return validPrincipal((state as { principal: unknown }).principal);
  }
  return validPrincipal(record['principal']);
}

/** The trusted client IP the auth/HTTP layer resolved, when it did. */
export function stateClientIp(holder: unknown): string | undefined {
  if (holder === null || typeof holder !== 'object') return undefined;
  const record = holder as Record<string, unknown>;
  for (const name of ['policy', 'policyState', 'policies', 'state']) {
    const state = record[name] as { clientIp?: unknown } | null | undefined;
    if (state !== null && typeof state === 'object' && typeof state.clientIp === 'string' && state.clientIp !== '') return state.clientIp;
  }
  return undefined;
}

function validPrincipal(value: unknown): Principal | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  const id = (value as { id?: unknown }).id;
  return typeof id === 'string' && id !== '' ? (value as Principal) : undefined;
}
