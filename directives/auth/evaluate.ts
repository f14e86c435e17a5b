import type { Principal } from '../policy.js';
import type { ClaimCheck, Requirement } from './requirement.js';
import type { RequirementIndex } from './requirements.js';

/** Why a requirement failed: no caller (401), or a caller without the rights (403). */
export type Denial = 'UNAUTHENTICATED' | 'FORBIDDEN' | undefined;

/** Checks one requirement against the caller; `undefined` means allowed. */
export function evaluate(requirement: Requirement, principal: Principal | undefined): Denial {
  if (principal === undefined) return 'UNAUTHENTICATED';
  if (requirement.scopes.length > 0 && !hasScopes(requirement.scopes, principal.scopes)) return 'FORBIDDEN';
  for (const check of requirement.claims) {
    if (!claimHolds(check, principal.claims)) return 'FORBIDDEN';
  }
  return undefined;
}

function hasScopes(alternatives: Requirement['scopes'], granted: readonly string[]): boolean {
  return alternatives.some((all) => all.every((scope) => granted.includes(scope)));
}

function claimHolds(check: ClaimCheck, claims: Readonly<Record<string, unknown>>): boolean {
  let value: unknown = claims;
  for (const key of check.path) {
    if (value === null || typeof value !== 'object' || !Object.hasOwn(value, key)) return false;
    value = (value as Record<string, unknown>)[key];
  }
  if (typeof value === 'string') return check.values.has(value);
  if (Array.isArray(value)) return value.some((item) => typeof item === 'string' && check.values.has(item));
  if (typeof value === 'number' || typeof value === 'boolean') return check.values.has(String(value));
  return false;
}

/** Whether the caller is denied the field at a coordinate of the index: the check its resolver makes (transform.ts). */
export function deniedFieldCheck(index: RequirementIndex, principal: Principal | undefined): (coordinate: string) => boolean {
  return (coordinate) => {
    const requirement = index.get(coordinate);
    return requirement !== undefined && evaluate(requirement, principal) !== undefined;
  };
}
