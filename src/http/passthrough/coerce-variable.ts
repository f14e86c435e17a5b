import { getNullableType, isEnumType, isInputObjectType, isListType, isScalarType, type GraphQLInputType } from 'graphql';

const INTEGER = /^-?\d+$/;
const NUMBER = /^-?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$/;

/**
 * Turns the text of a path or query parameter into the JSON value its variable type expects:
 * `Int`/`Float` to numbers, `Boolean` from `true`/`false`, lists from repeated query
 * parameters, input objects from JSON. Text that does not fit is passed as is, so graphql-js
 * reports it as an invalid variable (400) in its own words.
 */
export function coerceVariable(type: GraphQLInputType, raw: readonly string[]): unknown {
  const nullable = getNullableType(type);
  if (isListType(nullable)) {
    const item = nullable.ofType as GraphQLInputType;
    return raw.map((value) => coerceScalar(item, value));
  }
  return coerceScalar(nullable, raw[raw.length - 1]!);
}

function coerceScalar(type: GraphQLInputType, value: string): unknown {
  const nullable = getNullableType(type);
  if (isEnumType(nullable) || isListType(nullable)) return value;
  if (isInputObjectType(nullable)) return parseJson(value);
  if (!isScalarType(nullable)) return value;
  switch (nullable.name) {
    case 'Int':
      return INTEGER.test(value) ? Number(value) : value;
    case 'Float':
      return NUMBER.test(value) ? Number(value) : value;
    case 'Boolean':
      return value === 'true' ? true : value === 'false' ? false : value;
    default:
      return value;
  }
}

function parseJson(value: string): unknown {
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}
