import { readFile } from 'node:fs/promises';
import type { SubschemaConfig } from '@graphql-tools/delegate';
import { stitchSchemas } from '@graphql-tools/stitch';
import { wrapSchema } from '@graphql-tools/wrap';
import { printSchemaWithDirectives } from '@graphql-tools/utils';
import { lexicographicSortSchema, type GraphQLSchema } from 'graphql';
import type { LinkConfig } from '../config/index.js';
import type { LoadedSource } from '../sources/index.js';
import { buildLinks } from './links.js';

export interface ComposeInput {
  sources: readonly LoadedSource[];
  links: readonly LinkConfig[];
  /** Gateway-owned SDL files (schema/) merged into the result. */
  typeDefFiles: readonly string[];
  /** Extra SDL text merged into the result (the policies' directive definitions). */
  typeDefs?: string;
}

export interface ComposedSchema {
  schema: GraphQLSchema;
  /** Printed, sorted SDL of the composed schema (what `junction compose` prints). */
  sdl: string;
  /** Links left out because their target source is not loaded. */
  skippedLinks: string[];
}

/**
 * Stitches all loaded sources and the links between them into one schema. Directive usages
 * are kept (`mergeDirectives`) so policies written in subgraph SDL survive composition.
 */
export async function composeSchema(input: ComposeInput): Promise<ComposedSchema> {
  const subschemas = new Map<string, SubschemaConfig>();
  for (const source of input.sources) {
    if (source.subschema !== undefined) subschemas.set(source.name, source.subschema);
  }
  const usableLinks = input.links.filter((link) => subschemas.has(link.to.source) && linkParentLoaded(link, input.sources));
  const skippedLinks = input.links.filter((link) => !usableLinks.includes(link)).map((link) => link.field);
  const links = buildLinks(usableLinks, subschemas);
  const ownTypeDefs = await Promise.all(input.typeDefFiles.map((file) => readFile(file, 'utf8')));
  const schema = stitchSchemas({
    subschemas: [...subschemas.values()],
    typeDefs: [input.typeDefs ?? '', ...ownTypeDefs, links.typeDefs].filter((text) => text.trim() !== ''),
    resolvers: links.resolvers,
    mergeDirectives: true,
  });
  return { schema, sdl: printComposedSchema(schema), skippedLinks };
}

/** Sorted SDL with applied directives kept, so policies written in SDL show in the snapshot. */
export function printComposedSchema(schema: GraphQLSchema): string {
  return `${printSchemaWithDirectives(lexicographicSortSchema(schema))}\n`;
}

/** A link extends a type some loaded source defines; when that source is down, skip the link. */
function linkParentLoaded(link: LinkConfig, sources: readonly LoadedSource[]): boolean {
  const typeName = link.field.split('.')[0]!;
  return sources.some((source) => source.subschema !== undefined && publicSchema(source.subschema).getType(typeName) !== undefined);
}

/** The schema as clients see it, after the source's prefix and renames. */
function publicSchema(subschema: SubschemaConfig): GraphQLSchema {
  return (subschema.transforms ?? []).length > 0 ? wrapSchema(subschema) : subschema.schema;
}
