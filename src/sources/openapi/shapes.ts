/**
 * Normalises an OpenAPI schema into one of a few shapes the type builders understand:
 * 3.0 `nullable` and 3.1 `type: [x, 'null']`, `allOf` merging, `oneOf`/`anyOf` with
 * null variants removed, enums, arrays, maps and untyped schemas. Properties are not
 * followed here, so recursive schemas are fine; reference cycles end as `json`.
 */
import { GraphQLBoolean, GraphQLFloat, GraphQLInt, GraphQLString, type GraphQLScalarType } from 'graphql';
import type { OpenApiDocument, SchemaObject } from './document.js';
import { resolvePointer } from './refs.js';

export interface Discriminator {
  propertyName: string;
  mapping: Record<string, string>;
}

interface Base {
  nullable: boolean;
  description: string | undefined;
}

export type Shape =
  | (Base & { kind: 'scalar'; scalar: GraphQLScalarType })
  | (Base & { kind: 'json' })
  | (Base & { kind: 'enum'; key: object; values: (string | number)[] })
  | (Base & { kind: 'array'; items: SchemaObject })
  | (Base & { kind: 'object'; key: object; properties: [string, SchemaObject][]; required: Set<string> })
  | (Base & { kind: 'union'; key: object; members: SchemaObject[]; discriminator: Discriminator | undefined });

export type ObjectShape = Extract<Shape, { kind: 'object' }>;

function isObject(value: unknown): value is SchemaObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function typesOf(schema: SchemaObject): string[] {
  if (Array.isArray(schema.type)) return schema.type.filter((t): t is string => typeof t === 'string');
  return typeof schema.type === 'string' ? [schema.type] : [];
}

function isNullSchema(doc: OpenApiDocument, schema: SchemaObject): boolean {
  const target = derefOnce(doc, schema);
  const types = typesOf(target);
  return types.length > 0 && types.every((t) => t === 'null');
}

function derefOnce(doc: OpenApiDocument, schema: SchemaObject): SchemaObject {
  let current = schema;
  for (let hops = 0; typeof current.$ref === 'string' && hops < 64; hops++) {
    const next = resolvePointer(doc, current.$ref);
    if (!isObject(next)) throw new Error(`$ref "${current.$ref}" does not point to a schema object`);
    current = next;
  }
  return current;
}

function scalarFor(type: string, format: string | undefined): GraphQLScalarType | undefined {
  switch (type) {
    case 'string':
      return GraphQLString;
    case 'integer':
      return format === 'int64' ? GraphQLFloat : GraphQLInt;
    case 'number':
      return GraphQLFloat;
    case 'boolean':
      return GraphQLBoolean;
    default:
      return undefined;
  }
}

interface Collected {
  properties: Map<string, SchemaObject>;
  required: Set<string>;
}

/** Merges the properties of a schema and all its `allOf` members; undefined if a member is not an object. */
function collectObject(doc: OpenApiDocument, schema: SchemaObject, seen: Set<object>, into: Collected): boolean {
  const target = derefOnce(doc, schema);
  if (seen.has(target)) return true;
  seen.add(target);
  const types = typesOf(target).filter((t) => t !== 'null');
  if (types.length > 0 && !types.includes('object')) return false;
  if (target.oneOf || target.anyOf) {
    if (!target.properties && !target.allOf) return false;
  }
  for (const [name, property] of Object.entries(target.properties ?? {})) {
    if (isObject(property)) into.properties.set(name, property);
  }
  for (const name of target.required ?? []) into.required.add(name);
  for (const member of target.allOf ?? []) {
    if (!isObject(member) || !collectObject(doc, member, seen, into)) return false;
  }
  return true;
}

function objectShape(key: object, collected: Collected, base: Base): Shape {
  if (collected.properties.size === 0) return { kind: 'json', ...base };
  return { kind: 'object', key, properties: [...collected.properties], required: collected.required, ...base };
}

/** Classifies a schema (following references). */
export function analyse(doc: OpenApiDocument, schema: SchemaObject, seen: Set<object> = new Set()): Shape {
  if (typeof schema.$ref === 'string') {
    const target = resolvePointer(doc, schema.$ref);
    if (!isObject(target) || seen.has(target)) return { kind: 'json', nullable: true, description: undefined };
    const shape = analyse(doc, target, new Set(seen).add(target));
    return schema.nullable === true ? { ...shape, nullable: true } : shape;
  }
  const allTypes = typesOf(schema);
  const types = allTypes.filter((t) => t !== 'null');
  const enumValues = Array.isArray(schema.enum) ? schema.enum : undefined;
  const base: Base = {
    nullable: schema.nullable === true || allTypes.includes('null') || (enumValues?.includes(null) ?? false),
    description: typeof schema.description === 'string' ? schema.description : undefined,
  };
  if (types.length > 1) return { kind: 'json', ...base };
  const type = types[0];

  if (Array.isArray(schema.allOf) && schema.allOf.length > 0) {
    const members = schema.allOf.filter(isObject);
    const hasOwn = schema.properties !== undefined && Object.keys(schema.properties).length > 0;
    if (members.length === 1 && !hasOwn && members[0]) {
      const inner = analyse(doc, members[0], seen);
      return { ...inner, nullable: inner.nullable || base.nullable, description: base.description ?? inner.description };
    }
    const collected: Collected = { properties: new Map(), required: new Set() };
    if (!collectObject(doc, schema, new Set(), collected)) return { kind: 'json', ...base };
    return objectShape(schema, collected, base);
  }

  const variants = schema.oneOf ?? schema.anyOf;
  if (Array.isArray(variants) && !schema.properties) {
    const members = variants.filter(isObject);
    const nonNull = members.filter((member) => !isNullSchema(doc, member));
    const nullable = base.nullable || nonNull.length < members.length;
    if (nonNull.length === 0) return { kind: 'json', ...base, nullable };
    if (nonNull.length === 1 && nonNull[0]) {
      const inner = analyse(doc, nonNull[0], seen);
      return { ...inner, nullable: inner.nullable || nullable, description: base.description ?? inner.description };
    }
    const keys = new Set<object>();
    const unique: SchemaObject[] = [];
    for (const member of nonNull) {
      const shape = analyse(doc, member, seen);
      if (shape.kind !== 'object') return { kind: 'json', ...base, nullable };
      if (!keys.has(shape.key)) unique.push(member);
      keys.add(shape.key);
    }
    if (unique.length === 1 && unique[0]) return { ...analyse(doc, unique[0], seen), nullable };
    const d = schema.discriminator;
    const discriminator =
      d && typeof d.propertyName === 'string' ? { propertyName: d.propertyName, mapping: d.mapping ?? {} } : undefined;
    return { kind: 'union', key: schema, members: unique, discriminator, ...base, nullable };
  }

  if (enumValues && type !== 'boolean') {
    const values = enumValues.filter((v): v is string | number => typeof v === 'string' || typeof v === 'number');
    if (values.length > 0 && values.length === enumValues.filter((v) => v !== null).length) {
      return { kind: 'enum', key: schema, values, ...base };
    }
    return { kind: 'json', ...base };
  }

  if (type === 'array' || (type === undefined && isObject(schema.items))) {
    return { kind: 'array', items: isObject(schema.items) ? schema.items : {}, ...base };
  }
  if (type === 'object' || (type === undefined && isObject(schema.properties))) {
    const collected: Collected = { properties: new Map(), required: new Set() };
    collectObject(doc, schema, new Set(), collected);
    return objectShape(schema, collected, base);
  }
  if (type !== undefined) {
    const scalar = scalarFor(type, schema.format);
    return scalar ? { kind: 'scalar', scalar, ...base } : { kind: 'json', ...base };
  }
  if (schema.const !== undefined && schema.const !== null) {
    const scalar = scalarFor(typeof schema.const === 'number' ? 'number' : typeof schema.const, undefined);
    if (scalar) return { kind: 'scalar', scalar, ...base };
  }
  return { kind: 'json', ...base };
}

/** True when the property is marked `readOnly` (or `writeOnly`) on itself or its target. */
export function hasFlag(doc: OpenApiDocument, schema: SchemaObject, flag: 'readOnly' | 'writeOnly'): boolean {
  return schema[flag] === true || derefOnce(doc, schema)[flag] === true;
}
