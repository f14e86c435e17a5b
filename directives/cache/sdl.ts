import { cacheHintSchema, type CacheHintConfig } from '../../src/config/cache.js';

/**
 * `@cacheControl` with Apollo Server's meaning: on a type it applies to every field returning
 * that type; on a field it overrides the type's hint; `inheritMaxAge` takes the parent's age.
 */
export const CACHE_TYPE_DEFS = /* GraphQL */ `
enum CacheControlScope {
  PUBLIC
  PRIVATE
}

"How long (seconds) and for whom (scope) a field's value may be cached."
directive @cacheControl(maxAge: Int, scope: CacheControlScope, inheritMaxAge: Boolean) on FIELD_DEFINITION | OBJECT | INTERFACE | UNION
`;

export const CACHE_DIRECTIVE_NAME = 'cacheControl';

/** A cache hint: the directive's arguments, a config entry, or a REST route's `policies.cache` block. */
export type CacheHint = CacheHintConfig;

/** Validates `@cacheControl` arguments or a route's `policies.cache` block; throws with a clear message. */
export function parseCacheArgs(raw: unknown): CacheHint {
  const result = cacheHintSchema.safeParse(raw ?? {});
  if (!result.success) {
    const issues = result.error.issues.map((issue) => `${issue.path.join('.') || '(block)'}: ${issue.message}`);
    throw new Error(`invalid cache policy: ${issues.join('; ')}`);
  }
  return result.data;
}
