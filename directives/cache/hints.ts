import { getDirective } from '@graphql-tools/utils';
import { isInterfaceType, isObjectType, type GraphQLCompositeType, type GraphQLField, type GraphQLNamedType, type GraphQLObjectType, type GraphQLSchema } from 'graphql';
import type { CacheConfig } from '../../src/config/cache.js';
import { CACHE_DIRECTIVE_NAME, type CacheHint } from './sdl.js';

export interface HintOptions {
  types: CacheConfig['types'];
  fields: CacheConfig['fields'];
  privateDirectives: readonly string[];
  /** Types (`User`) and fields (`User.email`) another policy guards from config: `PRIVATE` as well. */
  privateCoordinates?: ReadonlySet<string>;
}

/** Hints of one schema, read once per type and field and memoised (the schema is immutable). */
export interface HintResolver {
  type(type: GraphQLCompositeType): CacheHint;
  field(parent: GraphQLObjectType | GraphQLCompositeType, field: GraphQLField<unknown, unknown>): CacheHint;
}

const NO_HINT: CacheHint = Object.freeze({});

/**
 * Reads `@cacheControl` from the schema (kept through stitching) and overlays the config's hints
 * per type and per coordinate. A field or type guarded by an auth directive is `PRIVATE`, and so is
 * a field an interface guards (on the field or on itself): a whole-response hit skips resolvers,
 * so its data must never be shared between principals.
 */
export function createHintResolver(schema: GraphQLSchema, options: HintOptions): HintResolver {
  const typeHints = new Map<string, CacheHint>();
  const fieldHints = new Map<string, CacheHint>();
  const privateNames = new Set(options.privateDirectives);

  const privateCoordinates = options.privateCoordinates ?? new Set<string>();

  function guarded(node: Parameters<typeof getDirective>[1], coordinate: string): boolean {
    if (privateCoordinates.has(coordinate)) return true;
    for (const name of privateNames) if ((getDirective(schema, node, name) ?? []).length > 0) return true;
    return false;
  }

  /** A guard on an interface field, or on the interface, holds on that field of every implementation (as auth enforces it). */
  function guardedByInterface(parent: GraphQLObjectType | GraphQLCompositeType, fieldName: string): boolean {
    if (!isObjectType(parent) && !isInterfaceType(parent)) return false;
    return parent.getInterfaces().some((parentInterface) => {
      const declared = parentInterface.getFields()[fieldName];
      return declared !== undefined && (guarded(parentInterface, parentInterface.name) || guarded(declared, `${parentInterface.name}.${fieldName}`));
    });
  }

  function directiveHint(node: Parameters<typeof getDirective>[1]): CacheHint {
    const found = getDirective(schema, node, CACHE_DIRECTIVE_NAME)?.[0] as CacheHint | undefined;
    return found ?? NO_HINT;
  }

  return {
    type(type) {
      let hint = typeHints.get(type.name);
      if (hint === undefined) {
        hint = merge(directiveHint(type), options.types[type.name], guarded(type, type.name));
        typeHints.set(type.name, hint);
      }
      return hint;
    },
    field(parent, field) {
      const coordinate = `${parent.name}.${field.name}`;
      let hint = fieldHints.get(coordinate);
      if (hint === undefined) {
        const parentGuarded = guarded(parent as GraphQLNamedType, parent.name);
        const fieldGuarded = parentGuarded || guarded(field, coordinate) || guardedByInterface(parent, field.name);
        hint = merge(directiveHint(field), options.fields[coordinate], fieldGuarded);
        fieldHints.set(coordinate, hint);
      }
      return hint;
    },
  };
}

/** The config's hint overrides the SDL's, argument by argument; a guard forces `PRIVATE`. */
function merge(fromSchema: CacheHint, fromConfig: CacheHint | undefined, guarded: boolean): CacheHint {
  const merged: CacheHint = { ...fromSchema };
  if (fromConfig?.maxAge !== undefined) merged.maxAge = fromConfig.maxAge;
  if (fromConfig?.scope !== undefined) merged.scope = fromConfig.scope;
  if (fromConfig?.inheritMaxAge !== undefined) merged.inheritMaxAge = fromConfig.inheritMaxAge;
  if (guarded) merged.scope = 'PRIVATE';
  return Object.freeze(merged);
}
