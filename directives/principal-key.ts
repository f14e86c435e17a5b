import type { Principal } from './policy.js';

/**
 * What a principal's private cache entries and rate-limit budgets are kept under: its id within
 * its auth method. Ids are only unique within one method (an API-key consumer `acme` and an
 * introspected client `acme` are different callers), so keys never use the bare id.
 */
export function principalKey(principal: Principal): string {
  return `${principal.method}:${principal.id}`;
}
