/**
 * The `JSON` scalar: any JSON value, passed through unchanged. Used for schemas GraphQL
 * cannot type (maps, untyped schemas, unions of scalars, oneOf on the input side).
 * One shared instance so that several OpenAPI sources stitched together agree on it.
 */
import { GraphQLScalarType, Kind, type ValueNode } from 'graphql';

function literalToValue(node: ValueNode, variables: Record<string, unknown> | null | undefined): unknown {
  switch (node.kind) {
    case Kind.STRING:
    case Kind.ENUM:
      return node.value;
    case Kind.BOOLEAN:
      return node.value;
    case Kind.INT:
    case Kind.FLOAT:
      return Number(node.value);
    case Kind.NULL:
      return null;
    case Kind.LIST:
      return node.values.map((value) => literalToValue(value, variables));
    case Kind.OBJECT: {
      const result: Record<string, unknown> = {};
      for (const field of node.fields) result[field.name.value] = literalToValue(field.value, variables);
      return result;
    }
    case Kind.VARIABLE:
      return variables ? variables[node.name.value] : undefined;
  }
}

export const GraphQLJSON = new GraphQLScalarType({
  name: 'JSON',
  description: 'Any JSON value, passed through as is.',
  serialize: (value) => value,
  parseValue: (value) => value,
  parseLiteral: (node, variables) => literalToValue(node, variables),
});
