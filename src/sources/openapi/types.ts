/**
 * Output types: object types for object schemas (named after the component, or after
 * where an inline schema sits: `<Parent><Property>`, list elements singular, response
 * bodies `<Field>Response`), enums, unions for oneOf/anyOf of objects, the JSON scalar
 * for the rest. Required and not nullable → non-null.
 */
import {
  GraphQLList,
  GraphQLNonNull,
  GraphQLObjectType,
  GraphQLUnionType,
  type GraphQLFieldConfigMap,
  type GraphQLOutputType,
} from 'graphql';
import type { BuildContext } from './context.js';
import type { SchemaObject } from './document.js';
import { enumType } from './enums.js';
import { GraphQLJSON } from './json-scalar.js';
import { NameRegistry, pascal, singular, toFieldName, toTypeName } from './names.js';
import { analyse, hasFlag, type ObjectShape, type Shape } from './shapes.js';
import { unionResolver } from './union.js';

export interface OutputType {
  /** The type without the outer non-null wrapper. */
  type: GraphQLOutputType;
  nullable: boolean;
  shape: Shape;
}

function deprecation(schema: SchemaObject): string | undefined {
  return schema.deprecated === true ? 'Deprecated in the OpenAPI document' : undefined;
}

export class OutputTypes {
  private readonly cache = new Map<object, GraphQLObjectType | GraphQLUnionType>();

  constructor(private readonly context: BuildContext) {}

  /** The type of a schema; `hint` names it when it is an inline object, enum or union. */
  type(schema: SchemaObject, hint: string): OutputType {
    const shape = analyse(this.context.doc, schema);
    return { type: this.fromShape(shape, hint), nullable: shape.nullable, shape };
  }

  /** The type of a property or list element: non-null when required and not nullable. */
  field(schema: SchemaObject, hint: string, required: boolean): GraphQLOutputType {
    const { type, nullable } = this.type(schema, hint);
    return required && !nullable ? new GraphQLNonNull(type) : type;
  }

  /** The object type of a shape known to be an object (union members). */
  objectType(shape: ObjectShape, hint: string): GraphQLObjectType {
    return this.fromShape(shape, hint) as GraphQLObjectType;
  }

  private fromShape(shape: Shape, hint: string): GraphQLOutputType {
    switch (shape.kind) {
      case 'scalar':
        return shape.scalar;
      case 'json':
        return GraphQLJSON;
      case 'enum':
        return enumType(this.context, shape, hint);
      case 'array':
        return new GraphQLList(this.field(shape.items, singular(hint), true));
      case 'object':
        return this.object(shape, hint);
      case 'union':
        return this.union(shape, hint);
    }
  }

  private nameFor(key: object, hint: string): string {
    return this.context.components.get(key)?.name ?? this.context.typeNames.claim(toTypeName(hint));
  }

  private object(shape: ObjectShape, hint: string): GraphQLObjectType {
    const cached = this.cache.get(shape.key);
    if (cached) return cached as GraphQLObjectType;
    const name = this.nameFor(shape.key, hint);
    const type = new GraphQLObjectType({
      name,
      description: shape.description,
      fields: () => this.fields(shape, name),
    });
    this.cache.set(shape.key, type);
    return type;
  }

  private fields(shape: ObjectShape, typeName: string): GraphQLFieldConfigMap<unknown, unknown> {
    const { doc } = this.context;
    const visible = shape.properties.filter(([, schema]) => !hasFlag(doc, schema, 'writeOnly'));
    const properties = visible.length > 0 ? visible : shape.properties;
    const names = new NameRegistry();
    const fields: GraphQLFieldConfigMap<unknown, unknown> = {};
    for (const [key, schema] of properties) {
      const fieldName = names.claim(toFieldName(key));
      fields[fieldName] = {
        type: this.field(schema, `${typeName}${pascal(key)}`, shape.required.has(key)),
        description: typeof schema.description === 'string' ? schema.description : undefined,
        deprecationReason: deprecation(schema),
        // Renamed properties read the original JSON key; the others use the default resolver.
        ...(fieldName === key ? {} : { resolve: (source: unknown) => (source as Record<string, unknown>)[key] }),
      };
    }
    return fields;
  }

  private union(shape: Extract<Shape, { kind: 'union' }>, hint: string): GraphQLUnionType {
    const cached = this.cache.get(shape.key);
    if (cached) return cached as GraphQLUnionType;
    const name = this.nameFor(shape.key, hint);
    // Member object types only create their fields lazily, so building them here cannot recurse.
    const members = shape.members.map((member, index) => {
      const memberShape = analyse(this.context.doc, member) as ObjectShape;
      return { shape: memberShape, type: this.objectType(memberShape, `${name}Option${index + 1}`) };
    });
    const type = new GraphQLUnionType({
      name,
      description: shape.description,
      types: members.map((member) => member.type),
      resolveType: unionResolver(this.context, shape, members),
    });
    this.cache.set(shape.key, type);
    return type;
  }
}
