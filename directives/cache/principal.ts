import type { CredentialCheck } from '../auth/credentials.js';
import type { HeaderLookup, PolicyState, Principal } from '../policy.js';
import { principalKey } from '../principal-key.js';

/** Where the auth policy may keep its `PolicyState` on a request context. */
const STATE_KEYS = ['policy', 'policyState', 'state'] as const;

/**
 * The authenticated principal of a request, read defensively: a value that does not look like a
 * principal (no string `id`) counts as anonymous, so private entries are then never used.
 */
export function principalOf(context: unknown): Principal | undefined {
  if (context === null || typeof context !== 'object') return undefined;
  const record = context as Record<string, unknown>;
  for (const key of STATE_KEYS) {
    const state = record[key] as Partial<PolicyState> | undefined;
    if (state !== null && typeof state === 'object' && 'principal' in state) return asPrincipal(state.principal);
  }
  return asPrincipal(record['principal']);
}

/** The key private entries of this request's principal are stored under; undefined when anonymous. */
export function principalKeyOf(context: unknown): string | undefined {
  const principal = principalOf(context);
  return principal === undefined ? undefined : principalKey(principal);
}

/**
 * The key this request's private entries are stored and found under: its principal's, only when
 * that principal accounts for every credential in `headers` an upstream may tailor its answer to
 * (an API key verified beside an unverified `Authorization` does not). Otherwise undefined, as
 * for an anonymous caller: a private answer is then neither stored nor served.
 */
export function privateKeyOf(context: unknown, headers: HeaderLookup, accountsFor: CredentialCheck, otherForwarded?: readonly string[]): string | undefined {
  const principal = principalOf(context);
  return principal === undefined || !accountsFor(principal, headers, otherForwarded) ? undefined : principalKey(principal);
}

function asPrincipal(value: unknown): Principal | undefined {
  const candidate = value as Partial<Principal> | null | undefined;
  return candidate && typeof candidate.id === 'string' && candidate.id !== '' ? (candidate as Principal) : undefined;
}
