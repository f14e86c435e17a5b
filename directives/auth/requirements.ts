import { getDirective } from '@graphql-tools/utils';
import {
  isInterfaceType, isObjectType, type GraphQLField, type GraphQLInterfaceType, type GraphQLObjectType, type GraphQLSchema,
} from 'graphql';
import type { AuthRequirementConfig } from '../../src/config/auth.js';
import type { Logger } from '../../src/logger.js';
import { checkCoordinates, type SchemaBuild } from '../coordinates.js';
import { AUTHENTICATED, claimCheck, combine, fromConfig, type Requirement } from './requirement.js';

/** Requirement of each protected field, keyed `Type.field`. Fields not in it are open. */
export type RequirementIndex = ReadonlyMap<string, Requirement>;

/**
 * Gathers what every field needs, once per schema: directives on the field and on its type (from
 * subgraph SDL, kept through stitching, or gateway SDL), plus `auth.fields` from config. A field
 * declared by an interface also needs what the interface asks of it (on the field or on the
 * interface type) on every implementation, and the interface's field needs what every
 * implementation asks: whether selected through the interface, through a fragment on the
 * implementation or on the implementation directly, the same rules hold (all of them).
 */
export function collectRequirements(
  schema: GraphQLSchema,
  configured: Readonly<Record<string, AuthRequirementConfig>>,
  logger: Logger,
  build?: SchemaBuild,
): RequirementIndex {
  const typed = configuredByCoordinate(schema, configured, logger, build);
  const composite = Object.values(schema.getTypeMap()).filter(
    (type): type is GraphQLObjectType | GraphQLInterfaceType => (isObjectType(type) || isInterfaceType(type)) && !type.name.startsWith('__'),
  );
  const own = new Map<string, Requirement>();
  for (const type of composite) {
    const onType = combineAll([fromDirectives(schema, type), typed.get(type.name)]);
    for (const field of Object.values(type.getFields())) {
      const requirement = combineAll([onType, fromDirectives(schema, field), typed.get(`${type.name}.${field.name}`)]);
      if (requirement !== undefined) own.set(`${type.name}.${field.name}`, requirement);
    }
  }
  /** What the field asks on the type itself and on every interface of it declaring the field. */
  const declared = (type: GraphQLObjectType | GraphQLInterfaceType, field: string): (Requirement | undefined)[] => [
    own.get(`${type.name}.${field}`),
    ...type.getInterfaces().filter((parent) => parent.getFields()[field] !== undefined).map((parent) => own.get(`${parent.name}.${field}`)),
  ];
  const index = new Map<string, Requirement>();
  for (const type of composite) {
    for (const field of Object.keys(type.getFields())) {
      const parts = isInterfaceType(type)
        ? [...declared(type, field), ...schema.getPossibleTypes(type).flatMap((implementation) => declared(implementation, field))]
        : declared(type, field);
      const requirement = combineAll([...new Set(parts)]);
      if (requirement !== undefined) index.set(`${type.name}.${field}`, requirement);
    }
  }
  return index;
}

function combineAll(parts: readonly (Requirement | undefined)[]): Requirement | undefined {
  let result: Requirement | undefined;
  for (const part of parts) if (part !== undefined && part !== result) result = combine(result, part);
  return result;
}

function fromDirectives(schema: GraphQLSchema, node: GraphQLObjectType | GraphQLInterfaceType | GraphQLField<unknown, unknown>): Requirement | undefined {
  const parts: Requirement[] = [];
  if (getDirective(schema, node, 'authenticated') !== undefined) parts.push(AUTHENTICATED);
  for (const args of getDirective(schema, node, 'requiresScopes') ?? []) {
    parts.push({ scopes: args['scopes'] as string[][], claims: [] });
  }
  const claims = (getDirective(schema, node, 'requiresClaim') ?? []).map((args) => claimCheck(args['claim'] as string, args['values'] as string[]));
  if (claims.length > 0) parts.push({ scopes: [], claims });
  return combineAll(parts);
}

/** Config entries by coordinate, each checked against the schema first (checkCoordinates). */
function configuredByCoordinate(
  schema: GraphQLSchema,
  configured: Readonly<Record<string, AuthRequirementConfig>>,
  logger: Logger,
  build: SchemaBuild | undefined,
): Map<string, Requirement> {
  const out = new Map<string, Requirement>();
  for (const coordinate of checkCoordinates(schema, Object.keys(configured), { section: 'auth.fields', build, logger })) {
    out.set(coordinate, fromConfig(configured[coordinate]!));
  }
  return out;
}
