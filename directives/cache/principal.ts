import type { CredentialCheck } from '../auth/credentials.js';
import type { HeaderLookup, PolicyState, Principal } from '../policy.js';
import { principalKey } from '../principal-key.js';

/** Where the auth policy may keep its `PolicyState` on a request context. */
const STATE_KEYS = ['policy', 'policyState', 'state'] as const;

/** The policy state of a request context (or the state itself), read defensively. */
function stateOf(context: unknown): Partial<PolicyState> | undefined {
  if (context === null || typeof context !== 'object') return undefined;
  const record = context as Record<string, unknown>;
  for (const key of STATE_KEYS) {
    const state = record[key] as Partial<PolicyState> | undefined;
    if (state !== null && typeof state === 'object' && 'principal' in state) return state;
  }
  return record as Partial<PolicyState>;
}

/**
 * The authenticated principal of a request, read defensively: a value that does not look like a
 * principal (no string `id`) counts as anonymous, so private entries are then never used.
 */
export function principalOf(context: unknown): Principal | undefined {
  return asPrincipal(stateOf(context)?.principal);
}

/**
 * Whether the sources are sent the caller's identity headers (an authenticated caller): an
 * upstream may tailor its answer to them as to a credential, so the answer is the caller's own.
 */
export function sendsIdentity(context: unknown): boolean {
  const headers = stateOf(context)?.identity?.headers;
  return headers !== undefined && hasAny(headers);
}

function hasAny(headers: Readonly<Record<string, string>>): boolean {
  for (const _name in headers) return true;
  return false;
}

/** The key private entries of this request's principal are stored under; undefined when anonymous. */
export function principalKeyOf(context: unknown): string | undefined {
  const principal = principalOf(context);
  return principal === undefined ? undefined : keyOf(principal, context);
}

/**
 * The key this request's private entries are stored and found under: its principal's, only when
 * that principal accounts for every credential in `headers` an upstream may tailor its answer to
 * (an API key verified beside an unverified `Authorization` does not). Otherwise undefined, as
 * for an anonymous caller: a private answer is then neither stored nor served.
 */
export function privateKeyOf(context: unknown, headers: HeaderLookup, accountsFor: CredentialCheck, otherForwarded?: readonly string[]): string | undefined {
  const principal = principalOf(context);
  return principal === undefined || !accountsFor(principal, headers, otherForwarded) ? undefined : keyOf(principal, context);
}

const identityKeys = new WeakMap<object, string>();

/**
 * A principal's key together with the identity headers its sources receive: the same subject
 * with other scopes (a narrower token) or another consumer may get another answer.
 */
function keyOf(principal: Principal, context: unknown): string {
  const identity = stateOf(context)?.identity;
  if (identity === undefined || !hasAny(identity.headers)) return principalKey(principal);
  let key = identityKeys.get(identity);
  if (key === undefined) {
    key = [principalKey(principal), ...Object.entries(identity.headers).flat()].join('\n');
    identityKeys.set(identity, key);
  }
  return key;
}

function asPrincipal(value: unknown): Principal | undefined {
  const candidate = value as Partial<Principal> | null | undefined;
  return candidate && typeof candidate.id === 'string' && candidate.id !== '' ? (candidate as Principal) : undefined;
}
