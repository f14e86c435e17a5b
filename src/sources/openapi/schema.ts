/** Assembles the Query and Mutation types of one OpenAPI source into a GraphQLSchema. */
import { GraphQLObjectType, GraphQLSchema, assertValidSchema, type GraphQLFieldConfigMap } from 'graphql';
import { createContext } from './context.js';
import type { OpenApiDocument } from './document.js';
import { buildOperations, type RestCaller } from './operations.js';

export interface OpenApiSchemaOptions {
  /** Source name, for error messages. */
  sourceName: string;
  call: RestCaller;
}

/**
 * Builds an executable schema: each resolver turns its arguments into a RestCall, hands
 * it to `options.call` with the GraphQL context value, and maps the RestResult to the
 * field's value or a field error. All type and request planning happens here, once.
 */
export function openApiToSchema(doc: OpenApiDocument, options: OpenApiSchemaOptions): GraphQLSchema {
  const context = createContext(doc, options.sourceName);
  const query: GraphQLFieldConfigMap<unknown, unknown> = {};
  const mutation: GraphQLFieldConfigMap<unknown, unknown> = {};
  for (const field of buildOperations(context, options.call)) {
    (field.root === 'Query' ? query : mutation)[field.name] = field.config;
  }
  if (Object.keys(query).length === 0) {
    throw new Error(`OpenAPI source "${options.sourceName}" has no GET operation; a GraphQL schema needs at least one query field`);
  }
  const schema = new GraphQLSchema({
    query: new GraphQLObjectType({ name: 'Query', fields: query }),
    mutation: Object.keys(mutation).length > 0 ? new GraphQLObjectType({ name: 'Mutation', fields: mutation }) : undefined,
  });
  try {
    assertValidSchema(schema);
  } catch (error) {
    throw new Error(`OpenAPI source "${options.sourceName}" does not give a valid GraphQL schema: ${(error as Error).message}`);
  }
  return schema;
}
