import { getDirective } from '@graphql-tools/utils';
import {
  isInterfaceType, isObjectType, type GraphQLField, type GraphQLInterfaceType, type GraphQLObjectType, type GraphQLSchema,
} from 'graphql';
import type { AuthRequirementConfig } from '../../src/config/auth.js';
import type { Logger } from '../../src/logger.js';
import { AUTHENTICATED, claimCheck, combine, fromConfig, type Requirement } from './requirement.js';

/** Requirement of each protected field, keyed `Type.field`. Fields not in it are open. */
export type RequirementIndex = ReadonlyMap<string, Requirement>;

/**
 * Gathers what every field needs, once per schema: directives on the field and on its type (from
 * subgraph SDL, kept through stitching, or gateway SDL), plus `auth.fields` from config. A field of
 * an interface also takes the requirements of that field on every implementation, so selecting
 * through the interface never bypasses a rule written on a concrete type.
 */
export function collectRequirements(schema: GraphQLSchema, configured: Readonly<Record<string, AuthRequirementConfig>>, logger: Logger): RequirementIndex {
  const index = new Map<string, Requirement>();
  const typed = configuredByCoordinate(schema, configured, logger);
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

/**
 * Config entries by coordinate. A coordinate naming a field its type does not have is a typo and
 * fails the start (a rule silently protecting nothing is worse than no start); a type that is not
 * in the schema at all is logged, since its source may just be down.
 */
function configuredByCoordinate(schema: GraphQLSchema, configured: Readonly<Record<string, AuthRequirementConfig>>, logger: Logger): Map<string, Requirement> {
  const out = new Map<string, Requirement>();
  for (const [coordinate, config] of Object.entries(configured)) {
    const [typeName, fieldName] = coordinate.split('.') as [string, string | undefined];
    const type = schema.getType(typeName);
    if (type === undefined) {
      logger.error({ coordinate }, 'auth.fields names a type not in the schema (source down?); rule not applied');
      continue;
    }
    if (!isObjectType(type) && !isInterfaceType(type)) throw new Error(`auth.fields."${coordinate}": ${typeName} is not an object or interface type`);
    if (fieldName !== undefined && type.getFields()[fieldName] === undefined) {
      throw new Error(`auth.fields."${coordinate}": type ${typeName} has no field "${fieldName}"`);
    }
    out.set(coordinate, fromConfig(config));
  }
  return out;
}
