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
 * subgraph SDL, kept through stitching, or gateway SDL), plus `auth.fields` from config. A field of
 * an interface also takes the requirements of that field on every implementation, so selecting
 * through the interface never bypasses a rule written on a concrete type.
 */
export function collectRequirements(
  schema: GraphQLSchema,
  configured: Readonly<Record<string, AuthRequirementConfig>>,
  logger: Logger,
  build?: SchemaBuild,
): RequirementIndex {
  const index = new Map<string, Requirement>();
  const typed = configuredByCoordinate(schema, configured, logger, build);
  const composite = Object.values(schema.getTypeMap()).filter(
    (type): type is GraphQLObjectType | GraphQLInterfaceType => (isObjectType(type) || isInterfaceType(type)) && !type.name.startsWith('__'),
  );
  for (const type of composite) {
    const onType = combineAll([fromDirectives(schema, type), typed.get(type.name)]);
    for (const field of Object.values(type.getFields())) {
      const coordinate = `${type.name}.${field.name}`;
      const requirement = combineAll([onType, fromDirectives(schema, field), typed.get(coordinate)]);
      if (requirement !== undefined) index.set(coordinate, requirement);
    }
  }
  for (const type of composite) {
    if (!isInterfaceType(type)) continue;
    for (const field of Object.keys(type.getFields())) {
      const parts = [index.get(`${type.name}.${field}`), ...schema.getPossibleTypes(type).map((impl) => index.get(`${impl.name}.${field}`))];
      const requirement = combineAll(parts);
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
