import { batchDelegateToSchema } from '@graphql-tools/batch-delegate';
import { delegateToSchema, type SubschemaConfig } from '@graphql-tools/delegate';
import type { IResolvers } from '@graphql-tools/utils';
import DataLoader from 'dataloader';
import { OperationTypeNode, type FieldNode, type GraphQLFieldResolver, type GraphQLResolveInfo } from 'graphql';
import type { LinkConfig } from '../config/index.js';
import { createKeysExecutor, type KeysExecutor } from './direct-link.js';
import { fieldNodesWithKey, LINK_KEY_ALIAS } from './key-selection.js';

export interface LinkDefinitions {
  typeDefs: string;
  resolvers: IResolvers;
}

/**
 * Turns configured links into type extensions and resolvers. Every link is batched per
 * request: a batch link asks once for all parents' keys; a per-key link asks once per distinct
 * key, in parallel. Never once per parent.
 */
type AnySubschema = SubschemaConfig<any, any, any, any>;

export function buildLinks(links: readonly LinkConfig[], subschemas: ReadonlyMap<string, AnySubschema>): LinkDefinitions {
  const extensions: string[] = [];
  const resolvers: Record<string, Record<string, unknown>> = {};
  for (const link of links) {
    const target = subschemas.get(link.to.source);
    if (target === undefined) continue;
    const [typeName, fieldName] = link.field.split('.') as [string, string];
    const description = link.description === undefined ? '' : `${JSON.stringify(link.description)} `;
    extensions.push(`extend type ${typeName} { ${description}${fieldName}: ${link.type} }`);
    resolvers[typeName] ??= {};
    resolvers[typeName][fieldName] = {
      selectionSet: `{ ${link.from} }`,
      resolve: link.to.batch ? batchLinkResolver(link, target) : perKeyLinkResolver(link, target),
    };
  }
  return { typeDefs: extensions.join('\n'), resolvers: resolvers as IResolvers };
}

const isListType = (type: string): boolean => type.trim().startsWith('[');

function emptyValue(link: LinkConfig): unknown {
  return isListType(link.type) ? [] : null;
}

function batchLinkResolver(link: LinkConfig, target: AnySubschema): GraphQLFieldResolver<Record<string, unknown>, unknown> {
  const { field, argument, key } = link.to;
  const many = isListType(link.type);
  return function resolveBatchLink(parent, _args, context, info) {
    const value = parent[link.from];
    if (value === null || value === undefined) return emptyValue(link);
    return batchDelegateToSchema({
      schema: target,
      operation: OperationTypeNode.QUERY,
      fieldName: field,
      key: value,
      argsFromKeys: (keys) => ({ [argument]: keys }),
      valuesFromResults: key === undefined ? undefined : (results: unknown[], keys: readonly unknown[]) => matchByKey(results, keys, many),
      fieldNodes: key === undefined ? info.fieldNodes : fieldNodesWithKey(info.fieldNodes, key),
      context,
      info,
    });
  };
}

function matchByKey(results: unknown, keys: readonly unknown[], many: boolean): unknown[] {
  if (!Array.isArray(results)) return keys.map(() => results);
  const byKey = new Map<string, unknown[]>();
  for (const result of results) {
    if (result === null || typeof result !== 'object') continue;
    const resultKey = String((result as Record<string, unknown>)[LINK_KEY_ALIAS]);
    const group = byKey.get(resultKey);
    if (group === undefined) byKey.set(resultKey, [result]);
    else group.push(result);
  }
  return keys.map((parentKey) => {
    const group = byKey.get(String(parentKey));
    return many ? (group ?? []) : (group?.[0] ?? null);
  });
}

type Loader = DataLoader<unknown, unknown, string>;
const loadersByContext = new WeakMap<object, Map<object, Loader>>();

/**
 * One DataLoader per request and client field, so each distinct key is asked for once: all keys
 * in one local execution when the target allows it (direct-link.ts), else one delegation per key.
 */
function perKeyLinkResolver(link: LinkConfig, target: AnySubschema): GraphQLFieldResolver<Record<string, unknown>, unknown> {
  const { field, argument } = link.to;
  const executors = new WeakMap<FieldNode, KeysExecutor | null>();
  function executorFor(info: GraphQLResolveInfo): KeysExecutor | null {
    const node = info.fieldNodes[0]!;
    let executor = executors.get(node);
    if (executor === undefined) {
      executor = createKeysExecutor(target, field, argument, info.fieldNodes) ?? null;
      executors.set(node, executor);
    }
    return executor;
  }
  return function resolvePerKeyLink(parent, _args, context, info) {
    const value = parent[link.from];
    if (value === null || value === undefined) return emptyValue(link);
    const direct = executorFor(info);
    return loaderFor(context, info, (keys) =>
      direct !== null
        ? direct(keys, context)
        : Promise.all(keys.map((key) =>
          delegateToSchema({
            schema: target,
            operation: OperationTypeNode.QUERY,
            fieldName: field,
            args: { [argument]: key },
            context: context as Record<string, unknown>,
            info,
          }).catch((error: unknown) => error as Error),
        )),
    ).load(value);
  };
}

function loaderFor(context: unknown, info: GraphQLResolveInfo, batch: (keys: readonly unknown[]) => Promise<unknown[]>): Loader {
  const scope = (context ?? info.rootValue ?? info.operation) as object;
  let loaders = loadersByContext.get(scope);
  if (loaders === undefined) {
    loaders = new Map();
    loadersByContext.set(scope, loaders);
  }
  const fieldNode = info.fieldNodes[0] as object;
  let loader = loaders.get(fieldNode);
  if (loader === undefined) {
    loader = new DataLoader(batch, { cacheKeyFn: (key) => String(key) });
    loaders.set(fieldNode, loader);
  }
  return loader;
}
