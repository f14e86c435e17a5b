import { Kind, TypeInfo, visit, visitWithTypeInfo, type DocumentNode, type GraphQLSchema, type OperationDefinitionNode } from 'graphql';
import type { Requirement } from './requirement.js';
import type { RequirementIndex } from './requirements.js';

/** One protected field a request selects, and what it needs. */
export interface PlanEntry {
  coordinate: string;
  requirement: Requirement;
}

/** The protected fields an operation of a document selects (through fragments too). */
export type Planner = (document: DocumentNode, operationName: string | null | undefined) => readonly PlanEntry[];

interface DocumentPlan {
  /** Protected coordinates selected directly by each operation or fragment. */
  own: Map<string, Set<string>>;
  /** Fragments spread directly by each operation or fragment. */
  spreads: Map<string, Set<string>>;
  operations: OperationDefinitionNode[];
  byOperation: Map<string, readonly PlanEntry[]>;
}

const NONE: readonly PlanEntry[] = Object.freeze([]);

/**
 * Works out once per document (documents are cached and reused by the GraphQL layer, so this runs
 * once per distinct query, not per request) which protected fields each operation selects. Fields
 * under `@skip`/`@include` count as selected: the check never depends on variables.
 */
export function createPlanner(schema: GraphQLSchema, index: RequirementIndex): Planner {
  const documents = new WeakMap<DocumentNode, DocumentPlan>();
  return function plan(document, operationName) {
    if (index.size === 0) return NONE;
    let documentPlan = documents.get(document);
    if (documentPlan === undefined) {
      documentPlan = scan(schema, index, document);
      documents.set(document, documentPlan);
    }
    const key = operationName ?? '';
    let entries = documentPlan.byOperation.get(key);
    if (entries === undefined) {
      entries = forOperation(documentPlan, index, operationName);
      documentPlan.byOperation.set(key, entries);
    }
    return entries;
  };
}

function scan(schema: GraphQLSchema, index: RequirementIndex, document: DocumentNode): DocumentPlan {
  const typeInfo = new TypeInfo(schema);
  const own = new Map<string, Set<string>>();
  const spreads = new Map<string, Set<string>>();
  const operations: OperationDefinitionNode[] = [];
  let current = '';
  const enterDefinition = (key: string): void => {
    current = key;
    own.set(key, new Set());
    spreads.set(key, new Set());
  };
  visit(document, visitWithTypeInfo(typeInfo, {
    OperationDefinition(node) {
      operations.push(node);
      enterDefinition(`op:${node.name?.value ?? ''}`);
    },
    FragmentDefinition(node) {
      enterDefinition(`fragment:${node.name.value}`);
    },
    Field(node) {
      const parent = typeInfo.getParentType();
      const coordinate = parent == null ? undefined : `${parent.name}.${node.name.value}`;
      if (coordinate !== undefined && index.has(coordinate)) own.get(current)?.add(coordinate);
    },
    FragmentSpread(node) {
      spreads.get(current)?.add(node.name.value);
    },
  }));
  return { own, spreads, operations, byOperation: new Map() };
}

function forOperation(plan: DocumentPlan, index: RequirementIndex, operationName: string | null | undefined): readonly PlanEntry[] {
  const operation = operationName ? plan.operations.find((op) => op.name?.value === operationName) : plan.operations.length === 1 ? plan.operations[0] : undefined;
  if (operation === undefined || operation.kind !== Kind.OPERATION_DEFINITION) return NONE;
  const coordinates = new Set<string>();
  const seen = new Set<string>();
  const pending = [`op:${operation.name?.value ?? ''}`];
  while (pending.length > 0) {
    const key = pending.pop()!;
    for (const coordinate of plan.own.get(key) ?? []) coordinates.add(coordinate);
    for (const fragment of plan.spreads.get(key) ?? []) {
      if (!seen.has(fragment)) {
        seen.add(fragment);
        pending.push(`fragment:${fragment}`);
      }
    }
  }
  if (coordinates.size === 0) return NONE;
  return [...coordinates].map((coordinate) => ({ coordinate, requirement: index.get(coordinate)! }));
}
