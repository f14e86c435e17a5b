import type { SubschemaConfig } from '@graphql-tools/delegate';
import { isInterfaceType, isObjectType, type GraphQLSchema } from 'graphql';
import type { LinkConfig } from '../config/index.js';
import type { LoadedSource } from '../sources/index.js';

/** Sources whose operations can be forwarded as they are: loaded, and not renamed or prefixed. */
export function forwardableSources(sources: readonly LoadedSource[]): Map<string, SubschemaConfig> {
  const out = new Map<string, SubschemaConfig>();
  for (const source of sources) {
    if (source.subschema !== undefined && (source.subschema.transforms ?? []).length === 0) out.set(source.name, source.subschema);
  }
  return out;
}

/**
 * Fields the gateway resolves itself, which a forwarded operation must never contain: links,
 * fields a policy transform wrapped (their resolver changed), and every field of a type that
 * several sources define (stitching may fetch it from either).
 */
export function gatewayResolvedFields(
  composed: GraphQLSchema,
  served: GraphQLSchema,
  links: readonly LinkConfig[],
  sources: readonly LoadedSource[],
): Set<string> {
  const fields = new Set(links.map((link) => link.field));
  for (const type of Object.values(served.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    const before = composed.getType(type.name);
    const beforeFields = before !== undefined && isObjectType(before) ? before.getFields() : {};
    for (const [name, field] of Object.entries(type.getFields())) {
      if (beforeFields[name]?.resolve !== field.resolve) fields.add(`${type.name}.${name}`);
    }
  }
  // A field read through an interface runs the implementation's resolver: if any implementation's
  // field is the gateway's, so is the interface field.
  for (const type of Object.values(served.getTypeMap())) {
    if (!isInterfaceType(type)) continue;
    const implementations = served.getPossibleTypes(type);
    for (const name of Object.keys(type.getFields())) {
      if (implementations.some((implementation) => fields.has(`${implementation.name}.${name}`))) fields.add(`${type.name}.${name}`);
    }
  }
  for (const typeName of typesOfSeveralSources(sources)) {
    const type = served.getType(typeName);
    if (type !== undefined && isObjectType(type)) for (const name of Object.keys(type.getFields())) fields.add(`${typeName}.${name}`);
  }
  return fields;
}

function typesOfSeveralSources(sources: readonly LoadedSource[]): string[] {
  const seen = new Map<string, number>();
  for (const source of sources) {
    if (source.subschema === undefined) continue;
    for (const name of Object.keys(source.subschema.schema.getTypeMap())) {
      if (!name.startsWith('__')) seen.set(name, (seen.get(name) ?? 0) + 1);
    }
  }
  const roots = new Set(['Query', 'Mutation', 'Subscription', 'String', 'Int', 'Float', 'Boolean', 'ID']);
  return [...seen].filter(([name, count]) => count > 1 && !roots.has(name)).map(([name]) => name);
}
