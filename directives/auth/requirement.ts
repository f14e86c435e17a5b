import { authRequirementSchema, type AuthRequirementConfig } from '../../src/config/auth.js';

/** What one field, type or route needs, normalised. Any requirement implies authentication. */
export interface Requirement {
  /** Alternatives (OR), each a set of scopes that must all be granted (AND); empty = no scope check. */
  readonly scopes: readonly (readonly string[])[];
  /** Every check must hold; within one, any value. */
  readonly claims: readonly ClaimCheck[];
}

export interface ClaimCheck {
  readonly path: readonly string[];
  readonly values: ReadonlySet<string>;
}

/** The one requirement that only asks for a caller. */
export const AUTHENTICATED: Requirement = Object.freeze({ scopes: [], claims: [] });

/** Validates a route block or a config entry (same names as the directives). Throws a readable message. */
export function parseAuthArgs(raw: unknown): Requirement {
  const result = authRequirementSchema.safeParse(raw ?? {});
  if (!result.success) {
    throw new Error(`invalid auth policy: ${result.error.issues.map((issue) => `${issue.path.join('.') || '(block)'}: ${issue.message}`).join('; ')}`);
  }
  return fromConfig(result.data);
}

export function fromConfig(config: AuthRequirementConfig): Requirement {
  return {
    scopes: config.requiresScopes ?? [],
    claims: (config.requiresClaim ?? []).map((check) => claimCheck(check.claim, check.values)),
  };
}

export function claimCheck(claim: string, values: readonly string[]): ClaimCheck {
  return { path: claim.split('.'), values: new Set(values) };
}

/** Both must hold: scope alternatives are crossed (as Apollo does), claim checks added up. */
export function combine(a: Requirement | undefined, b: Requirement): Requirement {
  if (a === undefined) return b;
  return { scopes: crossScopes(a.scopes, b.scopes), claims: [...a.claims, ...b.claims] };
}

function crossScopes(a: Requirement['scopes'], b: Requirement['scopes']): Requirement['scopes'] {
  if (a.length === 0) return b;
  if (b.length === 0) return a;
  return a.flatMap((left) => b.map((right) => [...new Set([...left, ...right])]));
}

/** Human-readable, for logs and `describe` output. */
export function describeRequirement(requirement: Requirement): string {
  const parts = ['authenticated'];
  if (requirement.scopes.length > 0) parts.push(`scopes ${requirement.scopes.map((set) => set.join('+')).join(' | ')}`);
  for (const check of requirement.claims) parts.push(`${check.path.join('.')} in [${[...check.values].join(', ')}]`);
  return parts.join(', ');
}
