/**
 * State shared by the type builders while one schema is built: the document, the type
 * namespace, the names given to `components.schemas`, and the enum types (shared by the
 * input and output side).
 */
import type { GraphQLEnumType } from 'graphql';
import type { OpenApiDocument, SchemaObject } from './document.js';
import { NameRegistry, toTypeName } from './names.js';
import { analyse } from './shapes.js';

export interface ComponentName {
  /** The GraphQL type name. */
  name: string;
  /** The key under `components.schemas` (discriminator values default to it). */
  original: string;
}

export interface BuildContext {
  doc: OpenApiDocument;
  sourceName: string;
  typeNames: NameRegistry;
  /** Schema object (the target of a component) → its type name. */
  components: Map<object, ComponentName>;
  enums: Map<object, GraphQLEnumType>;
}

const RESERVED_TYPE_NAMES = ['String', 'Int', 'Float', 'Boolean', 'ID', 'JSON', 'Query', 'Mutation', 'Subscription'];

/**
 * Claims the names of the component schemas that become named types (objects, enums,
 * unions) first, in document order, so that their names never depend on which operation
 * happens to reach them first.
 */
export function createContext(doc: OpenApiDocument, sourceName: string): BuildContext {
  const context: BuildContext = {
    doc,
    sourceName,
    typeNames: new NameRegistry(RESERVED_TYPE_NAMES),
    components: new Map(),
    enums: new Map(),
  };
  for (const [original, schema] of Object.entries(doc.components?.schemas ?? {})) {
    if (typeof schema !== 'object' || schema === null) continue;
    const shape = analyse(doc, schema as SchemaObject);
    if (shape.kind !== 'object' && shape.kind !== 'enum' && shape.kind !== 'union') continue;
    if (shape.key !== schema || context.components.has(schema)) continue;
    context.components.set(schema, { name: context.typeNames.claim(toTypeName(original)), original });
  }
  return context;
}
