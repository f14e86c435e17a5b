import {
  getNamedType,
  isAbstractType,
  isCompositeType,
  isInterfaceType,
  isObjectType,
  Kind,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLObjectType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import type { CacheScope } from '../../src/config/cache.js';
import type { HintResolver } from './hints.js';
import type { CacheHint } from './sdl.js';

/** Where entities sit in a result, to tag cached entries and to find what a mutation changed. */
export interface EntityNode {
  /** Concrete types an object here may have (one for an object type). */
  types: readonly string[];
  /** Response keys holding the object's id (aliases included). */
  idKeys: string[];
  /** Response key of `__typename`, when selected. */
  typenameKey: string | undefined;
  children: Map<string, EntityNode>;
}

/** What one operation of one document allows, computed once per document and operation name. */
export interface OperationPlan {
  kind: 'query' | 'mutation' | 'subscription';
  /** Minimum max age (seconds) over every selected field; 0 when not cacheable. */
  maxAge: number;
  scope: CacheScope;
  root: EntityNode;
}

export interface AnalyseOptions {
  hints: HintResolver;
  defaultMaxAge: number;
  idFields: readonly string[];
}

interface Policy {
  maxAge: number | undefined;
  scope: CacheScope;
}

/**
 * Apollo's cache-control rules applied statically to the document, so that per request nothing
 * is left but a lookup: a composite-typed field takes its type's hint, a field hint overrides
 * it, and without a max age a root field or a composite field (unless it inherits) gets the
 * default while a scalar field inherits its parent's. Every selected field counts (including
 * those under `@skip`/`@include` and every fragment of an abstract type), which is never
 * longer-lived than the fields resolved at run time.
 */
export function analyseOperation(schema: GraphQLSchema, operation: OperationDefinitionNode, document: DocumentNode, options: AnalyseOptions): OperationPlan {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  const rootType = schema.getRootType(operation.operation);
  const overall: Policy = { maxAge: undefined, scope: 'PUBLIC' };
  const root = entityNode(rootType ? [rootType.name] : []);
  if (rootType) walk(rootType, operation.selectionSet, root, true);
  const maxAge = operation.operation === 'query' ? (overall.maxAge ?? options.defaultMaxAge) : 0;
  return { kind: operation.operation, maxAge, scope: overall.scope, root };

  function walk(parent: GraphQLCompositeType, selectionSet: SelectionSetNode, node: EntityNode, isRoot: boolean): void {
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) {
        visitField(parent, selection.name.value, selection.alias?.value ?? selection.name.value, selection.selectionSet, node, isRoot);
        continue;
      }
      const fragment = selection.kind === Kind.FRAGMENT_SPREAD ? fragments.get(selection.name.value) : selection;
      if (fragment === undefined) continue;
      const condition = fragment.typeCondition ? schema.getType(fragment.typeCondition.name.value) : parent;
      if (condition && isCompositeType(condition)) walk(condition, fragment.selectionSet, node, isRoot);
    }
  }

  function visitField(parent: GraphQLCompositeType, name: string, responseKey: string, selectionSet: SelectionSetNode | undefined, node: EntityNode, isRoot: boolean): void {
    if (name === '__typename') {
      node.typenameKey = responseKey;
      return;
    }
    if (options.idFields.includes(name) && !node.idKeys.includes(responseKey)) node.idKeys.push(responseKey);
    // Under an abstract type the field resolves on a concrete type, whose hints apply: take them all,
    // and an explicit hint on the interface's field too (the most restrictive wins).
    const owners = isAbstractType(parent) ? schema.getPossibleTypes(parent) : [parent];
    if (isInterfaceType(parent)) {
      const declared = parent.getFields()[name];
      if (declared !== undefined) restrict(explicitPolicy(options.hints.field(parent, declared)));
    }
    // An implementation may narrow the field's type (`pet: Dog` for `pet: Animal`): walk each.
    const targets = new Set<GraphQLCompositeType>();
    for (const owner of owners) {
      const field = 'getFields' in owner ? owner.getFields()[name] : undefined;
      if (field === undefined) continue;
      const named = getNamedType(field.type);
      restrict(fieldPolicy(owner, field, isRoot));
      if (isCompositeType(named)) targets.add(named);
    }
    if (targets.size === 0 || selectionSet === undefined) return;
    let child = node.children.get(responseKey);
    if (child === undefined) node.children.set(responseKey, (child = entityNode([...new Set([...targets].flatMap(concreteTypes))])));
    for (const target of targets) walk(target, selectionSet, child, false);
  }

  function fieldPolicy(owner: GraphQLCompositeType, field: Parameters<HintResolver['field']>[1], isRoot: boolean): Policy {
    const policy: Policy = { maxAge: undefined, scope: 'PUBLIC' };
    const named = getNamedType(field.type);
    let inherit = false;
    if (isCompositeType(named)) {
      const typeHint = options.hints.type(named);
      replace(policy, typeHint);
      inherit = typeHint.inheritMaxAge === true;
    }
    const fieldHint = options.hints.field(owner, field);
    if (fieldHint.inheritMaxAge === true && policy.maxAge === undefined) {
      inherit = true;
      if (fieldHint.scope !== undefined) policy.scope = fieldHint.scope;
    } else {
      replace(policy, fieldHint);
    }
    if (policy.maxAge === undefined && ((isCompositeType(named) && !inherit) || isRoot)) policy.maxAge = options.defaultMaxAge;
    return policy;
  }

  function restrict(policy: Policy): void {
    if (policy.maxAge !== undefined && (overall.maxAge === undefined || policy.maxAge < overall.maxAge)) overall.maxAge = policy.maxAge;
    if (policy.scope === 'PRIVATE') overall.scope = 'PRIVATE';
  }

  function concreteTypes(type: GraphQLCompositeType): string[] {
    return isObjectType(type) ? [type.name] : schema.getPossibleTypes(type).map((possible: GraphQLObjectType) => possible.name);
  }
}

/** What a hint sets by itself, without the defaults a field's position would add. */
function explicitPolicy(hint: CacheHint): Policy {
  return { maxAge: hint.maxAge, scope: hint.scope ?? 'PUBLIC' };
}

function replace(policy: Policy, hint: CacheHint): void {
  if (hint.maxAge !== undefined) policy.maxAge = hint.maxAge;
  if (hint.scope !== undefined) policy.scope = hint.scope;
}

function entityNode(types: readonly string[]): EntityNode {
  return { types, idKeys: [], typenameKey: undefined, children: new Map() };
}
