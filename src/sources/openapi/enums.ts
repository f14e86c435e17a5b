/**
 * Enum types. Values that are not valid GraphQL names are sanitised (`in-stock` →
 * `in_stock`); the enum's internal value stays the original, so graphql-js maps the name
 * back to the wire value when parsing arguments and forward when serialising results.
 */
import { GraphQLEnumType, type GraphQLEnumValueConfigMap } from 'graphql';
import type { BuildContext } from './context.js';
import { NameRegistry, toEnumValueName, toTypeName } from './names.js';
import type { Shape } from './shapes.js';

type EnumShape = Extract<Shape, { kind: 'enum' }>;

export function enumType(context: BuildContext, shape: EnumShape, hint: string): GraphQLEnumType {
  const cached = context.enums.get(shape.key);
  if (cached) return cached;
  const name = context.components.get(shape.key)?.name ?? context.typeNames.claim(toTypeName(hint));
  const valueNames = new NameRegistry([], '_');
  const values: GraphQLEnumValueConfigMap = {};
  for (const value of new Set(shape.values)) {
    values[valueNames.claim(toEnumValueName(value))] = { value };
  }
  const type = new GraphQLEnumType({ name, description: shape.description, values });
  context.enums.set(shape.key, type);
  return type;
}
