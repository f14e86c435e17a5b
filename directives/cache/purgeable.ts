import { getNamedType, isAbstractType, isInterfaceType, isObjectType, type GraphQLNamedType, type GraphQLSchema } from 'graphql';

/**
 * The types whose entities something can purge: every composite type a mutation's result can
 * contain (through fields, interface implementations and union members). Entries are tagged with
 * these only: a tag nothing can ever purge costs index work on every store for nothing. With the
 * operator purge endpoint on (`cache.adminToken`), any type can be purged and every type is tagged.
 */
export function purgeableTypes(schema: GraphQLSchema): ReadonlySet<string> {
  const found = new Set<string>();
  const pending: GraphQLNamedType[] = [];
  const add = (type: GraphQLNamedType): void => {
    if (found.has(type.name)) return;
    found.add(type.name);
    pending.push(type);
  };
  for (const field of Object.values(schema.getMutationType()?.getFields() ?? {})) add(getNamedType(field.type));
  while (pending.length > 0) {
    const type = pending.pop()!;
    if (isAbstractType(type)) for (const possible of schema.getPossibleTypes(type)) add(possible);
    if (isObjectType(type) || isInterfaceType(type)) {
      for (const field of Object.values(type.getFields())) add(getNamedType(field.type));
    }
  }
  return found;
}
