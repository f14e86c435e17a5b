import type { SubschemaConfig } from '@graphql-tools/delegate';
import {
  execute,
  getNamedType,
  isAbstractType,
  isCompositeType,
  isObjectType,
  Kind,
  parseType,
  type DocumentNode,
  type FieldNode,
  OperationTypeNode,
  type GraphQLError,
  type GraphQLObjectType,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type TypeNode,
  type ValueNode,
  type VariableNode,
} from 'graphql';

type AnySubschema = SubschemaConfig<any, any, any, any>;

/** Answers the distinct keys of one per-key link in one go: a value or an Error per key, in order. */
export type KeysExecutor = (keys: readonly unknown[], context: unknown) => Promise<unknown[]>;

/**
 * A per-key link into a local source (a REST source's schema, executed in process) runs each
 * key's root field as a plain execution of that schema, `value: orders(userId: $key) { … }`, with
 * a document built once, instead of a delegation per key: the same upstream calls, in parallel,
 * for a fraction of the CPU. Only when the client's selection can be used as it is (built once per field node):
 *
 * - one field node, every selected field known to the source's type, no alias, no argument
 *   taken from a variable, no directive, no fragment, no abstract type; the gateway then resolves
 *   the plain answers field by field as usual (policies on those fields still run).
 *
 * Otherwise (undefined) the link delegates per key. An error below a key's root field fails the
 * whole key (the error reaches the client at the link field, where the key's value is missing).
 */
export function createKeysExecutor(target: AnySubschema, fieldName: string, argument: string, fieldNodes: readonly FieldNode[]): KeysExecutor | undefined {
  if (target.executor !== undefined || (target.transforms ?? []).length > 0 || fieldNodes.length !== 1) return undefined;
  const schema = target.schema;
  const rootField = schema.getQueryType()?.getFields()[fieldName];
  const argumentType = rootField?.args.find((arg) => arg.name === argument)?.type;
  if (rootField === undefined || argumentType === undefined) return undefined;
  const selectionSet = fieldNodes[0]!.selectionSet;
  const returned = getNamedType(rootField.type);
  if (isCompositeType(returned) !== (selectionSet !== undefined)) return undefined;
  if (selectionSet !== undefined && (!isObjectType(returned) || !usableAsIs(returned, selectionSet))) return undefined;

  const document = keyDocument(fieldName, argument, parseType(String(argumentType)), selectionSet);
  return function executeKeys(keys, context) {
    // One execution per key: a failed key must not null its siblings (root fields are often non-null).
    return Promise.all(keys.map(async (key) => {
      const result = await execute({ schema, document, variableValues: { key }, contextValue: context });
      const error = result.errors?.[0];
      return error === undefined ? (result.data?.['value'] ?? null) : asError(error);
    }));
  };
}

/** `query($key: T) { value: field(argument: $key) <selection> }`, built once per client field node. */
function keyDocument(fieldName: string, argument: string, type: TypeNode, selectionSet: SelectionSetNode | undefined): DocumentNode {
  const name = (value: string) => ({ kind: Kind.NAME, value }) as const;
  const key: VariableNode = { kind: Kind.VARIABLE, name: name('key') };
  const operation: OperationDefinitionNode = {
    kind: Kind.OPERATION_DEFINITION,
    operation: OperationTypeNode.QUERY,
    variableDefinitions: [{ kind: Kind.VARIABLE_DEFINITION, variable: key, type }],
    selectionSet: {
      kind: Kind.SELECTION_SET,
      selections: [{ kind: Kind.FIELD, alias: name('value'), name: name(fieldName), arguments: [{ kind: Kind.ARGUMENT, name: name(argument), value: key }], selectionSet }],
    },
  };
  return { kind: Kind.DOCUMENT, definitions: [operation] };
}

/** The error a resolver threw (a JunctionError from the REST call, say), so the gateway masks it as usual. */
function asError(error: GraphQLError): Error {
  return error.originalError ?? error;
}

function usableAsIs(type: GraphQLObjectType, selectionSet: SelectionSetNode): boolean {
  const fields = type.getFields();
  for (const selection of selectionSet.selections) {
    if (selection.kind !== Kind.FIELD || selection.alias !== undefined || (selection.directives ?? []).length > 0) return false;
    if ((selection.arguments ?? []).some((arg) => containsVariable(arg.value))) return false;
    if (selection.name.value === '__typename') continue;
    const field = fields[selection.name.value];
    if (field === undefined) return false;
    const named = getNamedType(field.type);
    if (isAbstractType(named)) return false;
    if (selection.selectionSet === undefined) {
      if (isCompositeType(named)) return false;
      continue;
    }
    if (!isObjectType(named) || !usableAsIs(named, selection.selectionSet)) return false;
  }
  return true;
}

function containsVariable(value: ValueNode): boolean {
  if (value.kind === Kind.VARIABLE) return true;
  if (value.kind === Kind.LIST) return value.values.some(containsVariable);
  if (value.kind === Kind.OBJECT) return value.fields.some((field) => containsVariable(field.value));
  return false;
}
