import {
  Kind,
  getNamedType,
  isInterfaceType,
  isObjectType,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLNamedType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import type { RateLimitRule } from './args.js';
import type { Charge } from './limiter.js';

/** Bounds the walk of one document (fragments spread many times); validation has already limited depth. */
const MAX_VISITS = 100_000;

/**
 * How many times each limited field occurs in an operation: every alias counts, every spread of a
 * fragment counts. Computed once per (schema, document, operation) and cached on the parsed
 * document, which Yoga itself caches, so a repeated document costs one WeakMap lookup.
 */
export function createDocumentAnalyser(rules: ReadonlyMap<string, RateLimitRule>) {
  const cache = new WeakMap<DocumentNode, Map<string, readonly Charge[]>>();

  return function chargesOf(schema: GraphQLSchema, document: DocumentNode, operationName: string | null | undefined): readonly Charge[] {
    if (rules.size === 0) return [];
    let perOperation = cache.get(document);
    if (perOperation === undefined) {
      perOperation = new Map();
      cache.set(document, perOperation);
    }
    const name = operationName ?? '';
    let charges = perOperation.get(name);
    if (charges === undefined) {
      charges = analyse(schema, document, name, rules);
      perOperation.set(name, charges);
    }
    return charges;
  };
}

function analyse(schema: GraphQLSchema, document: DocumentNode, operationName: string, rules: ReadonlyMap<string, RateLimitRule>): Charge[] {
  const fragments = new Map<string, FragmentDefinitionNode>();
  let operation: OperationDefinitionNode | undefined;
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
    else if (definition.kind === Kind.OPERATION_DEFINITION && (operationName === '' || definition.name?.value === operationName)) {
      operation ??= definition;
    }
  }
  if (operation === undefined) return [];
  const root = schema.getRootType(operation.operation);
  if (root === undefined || root === null) return [];
  const counts = new Map<RateLimitRule, number>();
  const walk = { visits: 0, fragments, schema, rules, counts };
  visit(walk, operation.selectionSet, root, new Set());
  return [...counts].map(([rule, units]) => ({ rule, units }));
}

interface Walk {
  visits: number;
  fragments: ReadonlyMap<string, FragmentDefinitionNode>;
  schema: GraphQLSchema;
  rules: ReadonlyMap<string, RateLimitRule>;
  counts: Map<RateLimitRule, number>;
}

function visit(walk: Walk, selectionSet: SelectionSetNode, parent: GraphQLNamedType, spreading: Set<string>): void {
  for (const selection of selectionSet.selections) {
    if (++walk.visits > MAX_VISITS) return;
    if (selection.kind === Kind.FIELD) {
      if (!(isObjectType(parent) || isInterfaceType(parent))) continue;
      const field = parent.getFields()[selection.name.value];
      if (field === undefined) continue;
      const rule = walk.rules.get(`${parent.name}.${field.name}`);
      if (rule !== undefined) walk.counts.set(rule, (walk.counts.get(rule) ?? 0) + 1);
      if (selection.selectionSet) visit(walk, selection.selectionSet, getNamedType(field.type), spreading);
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      const condition = selection.typeCondition ? walk.schema.getType(selection.typeCondition.name.value) : parent;
      visit(walk, selection.selectionSet, condition ?? parent, spreading);
    } else {
      const fragment = walk.fragments.get(selection.name.value);
      if (fragment === undefined || spreading.has(fragment.name.value)) continue;
      const condition = walk.schema.getType(fragment.typeCondition.name.value) ?? parent;
      spreading.add(fragment.name.value);
      visit(walk, fragment.selectionSet, condition, spreading);
      spreading.delete(fragment.name.value);
    }
  }
}
