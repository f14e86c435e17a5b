import type { Transform } from '@graphql-tools/delegate';
import { RenameRootFields, RenameTypes } from '@graphql-tools/wrap';
import { specifiedScalarTypes } from 'graphql';
import type { SourceConfig } from '../config/index.js';

const UNRENAMED = new Set([...specifiedScalarTypes.map((type) => type.name), 'Query', 'Mutation', 'Subscription']);

/** Prefix and rename rules of a source, the way name clashes between sources are resolved. */
export function sourceTransforms(source: SourceConfig): Transform[] {
  const transforms: Transform[] = [];
  const { prefix, renameTypes, renameFields } = source;
  if (prefix !== undefined || Object.keys(renameTypes).length > 0) {
    transforms.push(new RenameTypes((name) => {
      if (UNRENAMED.has(name)) return name;
      const renamed = renameTypes[name] ?? name;
      return prefix === undefined ? renamed : prefix + renamed;
    }));
  }
  if (prefix !== undefined || Object.keys(renameFields).length > 0) {
    transforms.push(new RenameRootFields((operation, name) => {
      const renamed = renameFields[`${operation}.${name}`] ?? name;
      return prefix === undefined ? renamed : prefix + renamed;
    }));
  }
  return transforms;
}
