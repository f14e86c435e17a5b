import { readFile } from 'node:fs/promises';
import type { SubschemaConfig } from '@graphql-tools/delegate';
import { buildClientSchema, buildSchema, getIntrospectionQuery, parse, type GraphQLSchema, type IntrospectionQuery } from 'graphql';
import type { GraphqlSourceConfig } from '../config/index.js';
import type { Upstream } from '../upstream/index.js';
import { createGraphqlExecutor } from './graphql-executor.js';

/**
 * A GraphQL upstream as a stitching subschema. The schema comes from its SDL file (which keeps
 * applied directives, so policies written in the subgraph survive) or from introspection.
 */
export async function loadGraphqlSource(source: GraphqlSourceConfig, upstream: Upstream): Promise<SubschemaConfig> {
  const executor = createGraphqlExecutor(source, upstream);
  const schema = source.schema === 'introspection' || 'introspection' in source.schema
    ? await introspect(source, executor)
    : buildSchema(await readFile(source.schema.file, 'utf8'));
  return { name: source.name, schema, executor, batch: source.batch };
}

async function introspect(source: GraphqlSourceConfig, executor: ReturnType<typeof createGraphqlExecutor>): Promise<GraphQLSchema> {
  const result = await executor({ document: parse(getIntrospectionQuery()), context: undefined, operationType: 'query' as never });
  if (!('data' in result) || !result.data) {
    throw new Error(`introspection of source "${source.name}" returned no data`);
  }
  return buildClientSchema(result.data as IntrospectionQuery);
}
