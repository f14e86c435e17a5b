import type { SubschemaConfig } from '@graphql-tools/delegate';
import {
  Kind,
  getNamedType,
  isCompositeType,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';

/**
 * An operation that one source can answer on its own: every field it selects is that source's
 * own field (no link, no other source, no gateway-side policy resolver). Such an operation is
 * sent to the source as it is, skipping delegation. Plans are computed once per document and
 * operation name, never per request.
 */
export interface ForwardPlan {
  source: string;
  subschema: SubschemaConfig;
  /** The selected operation and the fragments it uses, as a document of its own. */
  document: DocumentNode;
  operation: OperationDefinitionNode;
}

export interface PlannerInput {
  /** The schema clients are served (after policy transforms). */
  schema: GraphQLSchema;
  /** Loaded sources eligible for forwarding (no renames), by name. */
  subschemas: ReadonlyMap<string, SubschemaConfig>;
  /** Fields the gateway itself resolves (links, policy-wrapped fields), as `Type.field`. */
  gatewayFields: ReadonlySet<string>;
}

export type OperationPlanner = (document: DocumentNode, operationName: string | null | undefined) => ForwardPlan | undefined;

const NO_PLAN = Symbol('no plan');

export function createOperationPlanner(input: PlannerInput): OperationPlanner {
  const rootOwners = ownersOfRootFields(input);
  const cache = new WeakMap<DocumentNode, Map<string, ForwardPlan | typeof NO_PLAN>>();

  return function planOperation(document, operationName) {
    let byName = cache.get(document);
    if (byName === undefined) {
      byName = new Map();
      cache.set(document, byName);
    }
    const key = operationName ?? '';
    let plan = byName.get(key);
    if (plan === undefined) {
      plan = buildPlan(document, operationName, input, rootOwners) ?? NO_PLAN;
      byName.set(key, plan);
    }
    return plan === NO_PLAN ? undefined : plan;
  };
}

/** Root field → the one source providing it (fields offered by several sources have no owner). */
function ownersOfRootFields(input: PlannerInput): Map<string, string> {
  const owners = new Map<string, string>();
  const shared = new Set<string>();
  for (const [name, subschema] of input.subschemas) {
    for (const root of [subschema.schema.getQueryType(), subschema.schema.getMutationType()]) {
      if (!root) continue;
      for (const field of Object.keys(root.getFields())) {
        const key = `${root === subschema.schema.getQueryType() ? 'query' : 'mutation'}.${field}`;
        if (owners.has(key)) shared.add(key);
        owners.set(key, name);
      }
    }
  }
  for (const key of shared) owners.delete(key);
  return owners;
}

function buildPlan(
  document: DocumentNode,
  operationName: string | null | undefined,
  input: PlannerInput,
  rootOwners: ReadonlyMap<string, string>,
): ForwardPlan | undefined {
  const operations = document.definitions.filter((definition): definition is OperationDefinitionNode => definition.kind === Kind.OPERATION_DEFINITION);
  const operation = operationName ? operations.find((candidate) => candidate.name?.value === operationName) : operations.length === 1 ? operations[0] : undefined;
  if (operation === undefined || operation.operation === 'subscription') return undefined;
  // Root fragments are rare; keeping roots to plain fields keeps failure answers exact.
  if (operation.selectionSet.selections.some((selection) => selection.kind !== Kind.FIELD)) return undefined;
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  const source = ownerOfOperation(operation, fragments, rootOwners);
  const subschema = source === undefined ? undefined : input.subschemas.get(source);
  if (source === undefined || subschema === undefined) return undefined;
  const root = operation.operation === 'query' ? subschema.schema.getQueryType() : subschema.schema.getMutationType();
  const usedFragments = new Set<string>();
  const walker = { source: subschema.schema, served: input.schema, gatewayFields: input.gatewayFields, fragments, usedFragments };
  if (!root || !selectionServedBy(operation.selectionSet, root, walker)) return undefined;
  const definitions = [operation, ...[...usedFragments].map((name) => fragments.get(name)!)];
  return { source, subschema, document: { kind: Kind.DOCUMENT, definitions }, operation };
}

function ownerOfOperation(
  operation: OperationDefinitionNode,
  fragments: ReadonlyMap<string, FragmentDefinitionNode>,
  rootOwners: ReadonlyMap<string, string>,
): string | undefined {
  let owner: string | undefined;
  const visit = (selectionSet: SelectionSetNode, seen: Set<string>): boolean => {
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) {
        if (selection.name.value === '__typename') continue;
        const fieldOwner = rootOwners.get(`${operation.operation}.${selection.name.value}`);
        if (fieldOwner === undefined || (owner !== undefined && owner !== fieldOwner)) return false;
        owner = fieldOwner;
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        if (!visit(selection.selectionSet, seen)) return false;
      } else {
        const fragment = fragments.get(selection.name.value);
        if (fragment === undefined || seen.has(fragment.name.value)) return false;
        if (!visit(fragment.selectionSet, new Set([...seen, fragment.name.value]))) return false;
      }
    }
    return true;
  };
  return visit(operation.selectionSet, new Set()) ? owner : undefined;
}

interface Walker {
  source: GraphQLSchema;
  served: GraphQLSchema;
  gatewayFields: ReadonlySet<string>;
  fragments: ReadonlyMap<string, FragmentDefinitionNode>;
  usedFragments: Set<string>;
}

/** True when every field below is the source's own, under the same type names. */
function selectionServedBy(selectionSet: SelectionSetNode, parent: GraphQLCompositeType, walker: Walker): boolean {
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) {
      const name = selection.name.value;
      if (name === '__typename') continue;
      if (name.startsWith('__') || !('getFields' in parent)) return false;
      const field = parent.getFields()[name];
      if (field === undefined || walker.gatewayFields.has(`${parent.name}.${name}`)) return false;
      if (!sameFieldServed(parent.name, name, walker.served)) return false;
      const child = getNamedType(field.type);
      if (selection.selectionSet) {
        if (!isCompositeType(child) || !selectionServedBy(selection.selectionSet, child, walker)) return false;
      }
    } else {
      const condition = selection.kind === Kind.INLINE_FRAGMENT
        ? selection.typeCondition?.name.value
        : walker.fragments.get(selection.name.value)?.typeCondition.name.value;
      const type = condition === undefined ? parent : walker.source.getType(condition);
      if (type === undefined || type === null || !isCompositeType(type)) return false;
      if (selection.kind === Kind.INLINE_FRAGMENT) {
        if (!selectionServedBy(selection.selectionSet, type, walker)) return false;
      } else {
        const fragment = walker.fragments.get(selection.name.value)!;
        if (walker.usedFragments.has(fragment.name.value)) continue;
        walker.usedFragments.add(fragment.name.value);
        if (!selectionServedBy(fragment.selectionSet, type, walker)) return false;
      }
    }
  }
  return true;
}

/** The served schema must have the field under the same type (type merging could reroute it). */
function sameFieldServed(typeName: string, fieldName: string, served: GraphQLSchema): boolean {
  const type = served.getType(typeName);
  return type !== undefined && type !== null && 'getFields' in type && fieldName in type.getFields();
}
