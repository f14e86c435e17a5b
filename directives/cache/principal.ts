import type { PolicyState, Principal } from '../policy.js';
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

function asPrincipal(value: unknown): Principal | undefined {
  const candidate = value as Partial<Principal> | null | undefined;
  return candidate && typeof candidate.id === 'string' && candidate.id !== '' ? (candidate as Principal) : undefined;
}
