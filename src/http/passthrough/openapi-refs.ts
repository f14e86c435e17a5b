import type { OpenApiDocument } from '../../sources/openapi/index.js';

/**
 * Upstream OpenAPI documents are merged into one, so their components are namespaced by source
 * (`#/components/schemas/Order` of source `orders` becomes `orders_Order`) and every local
 * `$ref` is rewritten to match. Nothing else of the upstream document (servers, hosts) is kept.
 */
export function namespacedComponents(document: OpenApiDocument, namespace: string): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  for (const [kind, entries] of Object.entries(document.components ?? {})) {
    if (entries === null || typeof entries !== 'object') continue;
    const renamed: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(entries as Record<string, unknown>)) {
      renamed[`${namespace}_${name}`] = withNamespacedRefs(value, namespace);
    }
    out[kind] = renamed;
  }
  return out;
}

/** A deep copy of `value` whose `#/components/<kind>/<name>` references carry the namespace. */
export function withNamespacedRefs<T>(value: T, namespace: string): T {
  if (Array.isArray(value)) return value.map((item) => withNamespacedRefs(item, namespace)) as T;
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
    out[key] = key === '$ref' && typeof item === 'string' ? namespacedRef(item, namespace) : withNamespacedRefs(item, namespace);
  }
  return out as T;
}

function namespacedRef(ref: string, namespace: string): string {
  const match = /^#\/components\/([^/]+)\/(.+)$/.exec(ref);
  return match === null ? ref : `#/components/${match[1]}/${namespace}_${match[2]}`;
}
