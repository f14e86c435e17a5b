/**
 * Input types: `<Name>Input` object types for object schemas (inline ones named after
 * where they sit, like output types), shared enums, lists, and the JSON scalar for
 * oneOf/anyOf and anything untyped. `readOnly` properties are left out.
 * Also compiles converters that rename sanitised input field names back to JSON keys.
 */
import {
  GraphQLInputObjectType,
  GraphQLList,
  GraphQLNonNull,
  getNamedType,
  isInputObjectType,
  isListType,
  isNonNullType,
  type GraphQLInputFieldConfigMap,
  type GraphQLInputType,
} from 'graphql';
import type { BuildContext } from './context.js';
import type { SchemaObject } from './document.js';
import { enumType } from './enums.js';
import { GraphQLJSON } from './json-scalar.js';
import { NameRegistry, pascal, singular, toFieldName, toTypeName } from './names.js';
import { analyse, hasFlag, type ObjectShape, type Shape } from './shapes.js';

export type Converter = (value: unknown) => unknown;

export interface InputType {
  type: GraphQLInputType;
  nullable: boolean;
  shape: Shape;
}

export class InputTypes {
  private readonly cache = new Map<object, GraphQLInputObjectType>();
  /** Input object type → (GraphQL field name → JSON key) for renamed fields. */
  private readonly renames = new Map<GraphQLInputObjectType, Map<string, string>>();
  private readonly converters = new Map<GraphQLInputObjectType, Converter | undefined>();

  constructor(private readonly context: BuildContext) {}

  /** `hint` is the base name; object types get `Input` appended. */
  type(schema: SchemaObject, hint: string): InputType {
    const shape = analyse(this.context.doc, schema);
    return { type: this.fromShape(shape, hint), nullable: shape.nullable, shape };
  }

  field(schema: SchemaObject, hint: string, required: boolean): GraphQLInputType {
    const { type, nullable } = this.type(schema, hint);
    return required && !nullable ? new GraphQLNonNull(type) : type;
  }

  private fromShape(shape: Shape, hint: string): GraphQLInputType {
    switch (shape.kind) {
      case 'scalar':
        return shape.scalar;
      case 'enum':
        return enumType(this.context, shape, hint);
      case 'array':
        return new GraphQLList(this.field(shape.items, singular(hint), true));
      case 'object':
        return this.object(shape, hint);
      case 'json':
      case 'union':
        return GraphQLJSON;
    }
  }

  private object(shape: ObjectShape, hint: string): GraphQLInputObjectType {
    const cached = this.cache.get(shape.key);
    if (cached) return cached;
    const base = this.context.components.get(shape.key)?.name ?? toTypeName(hint);
    const name = this.context.typeNames.claim(`${base}Input`);
    const renames = new Map<string, string>();
    const type = new GraphQLInputObjectType({
      name,
      description: shape.description,
      fields: () => this.fields(shape, base, renames),
    });
    this.cache.set(shape.key, type);
    this.renames.set(type, renames);
    return type;
  }

  private fields(shape: ObjectShape, base: string, renames: Map<string, string>): GraphQLInputFieldConfigMap {
    const { doc } = this.context;
    const writable = shape.properties.filter(([, schema]) => !hasFlag(doc, schema, 'readOnly'));
    const properties = writable.length > 0 ? writable : shape.properties;
    const names = new NameRegistry();
    const fields: GraphQLInputFieldConfigMap = {};
    for (const [key, schema] of properties) {
      const fieldName = names.claim(toFieldName(key));
      if (fieldName !== key) renames.set(fieldName, key);
      fields[fieldName] = {
        type: this.field(schema, `${base}${pascal(key)}`, shape.required.has(key)),
        description: typeof schema.description === 'string' ? schema.description : undefined,
      };
    }
    return fields;
  }

  /**
   * A function turning a coerced argument value into the JSON the upstream expects
   * (sanitised field names back to the original keys), or undefined when the value can
   * be sent as is because no reachable input type renames anything.
   */
  converter(type: GraphQLInputType): Converter | undefined {
    if (!this.renamesAnything(type, new Set())) return undefined;
    return this.compile(type);
  }

  private renamesAnything(type: GraphQLInputType, seen: Set<GraphQLInputObjectType>): boolean {
    const named = getNamedType(type);
    if (!isInputObjectType(named) || seen.has(named)) return false;
    seen.add(named);
    const fields = named.getFields();
    if ((this.renames.get(named)?.size ?? 0) > 0) return true;
    return Object.values(fields).some((field) => this.renamesAnything(field.type, seen));
  }

  private compile(type: GraphQLInputType): Converter | undefined {
    if (isNonNullType(type)) return this.compile(type.ofType);
    if (isListType(type)) {
      const item = this.compile(type.ofType);
      return item && ((value) => (Array.isArray(value) ? value.map((v) => (v == null ? v : item(v))) : item(value)));
    }
    if (!isInputObjectType(type)) return undefined;
    if (this.converters.has(type)) return this.converters.get(type);
    const renames = this.renames.get(type) ?? new Map<string, string>();
    const fieldConverters = new Map<string, Converter>();
    const convert: Converter = (value) => {
      if (typeof value !== 'object' || value === null) return value;
      const out: Record<string, unknown> = {};
      for (const [name, fieldValue] of Object.entries(value)) {
        const fieldConvert = fieldConverters.get(name);
        out[renames.get(name) ?? name] = fieldConvert && fieldValue != null ? fieldConvert(fieldValue) : fieldValue;
      }
      return out;
    };
    this.converters.set(type, convert);
    for (const [name, field] of Object.entries(type.getFields())) {
      const fieldConvert = this.compile(field.type);
      if (fieldConvert) fieldConverters.set(name, fieldConvert);
    }
    return convert;
  }
}
