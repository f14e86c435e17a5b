import {
  Kind,
  getNamedType,
  isAbstractType,
  isInterfaceType,
  isObjectType,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLNamedType,
  type GraphQLObjectType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import type { RateLimitRule } from './args.js';
import { collectSpentRules, type SpentRules } from './field-rules.js';
import type { Charge } from './limiter.js';

/** Bounds the walk of one document (fragments spread many times); validation has already limited depth. */
const MAX_VISITS = 100_000;

/** Whether the caller is denied the field of an object type at `Type.field` (PolicyState.deniedField). */
export type DeniedField = (coordinate: string) => boolean;

/**
 * How many times each limited field occurs in an operation: every alias counts, every spread of a
 * fragment counts. An occurrence spends each rule that applies to it once: the field's own rule
 * and that of the same field on every interface of its type (collectSpentRules), so a limit on
 * `Priced.price` holds for `{ product { price } }` too. Selected through an interface (or a
 * fragment on one, inside a union), it also spends the rules of the field on every concrete type
 * the object can have there: which one it will be is only known at run time. Computed once per
 * (schema, document, operation) and cached on the parsed document, which Yoga itself caches, so a
 * repeated document costs one WeakMap lookup; the rules of each field, once per schema.
 *
 * With `deniedField`, a root field the caller is denied is not charged, nor is anything selected
 * under it: auth's guard answers it null before any upstream call. A denied nested field is charged
 * like any other: the source still resolves it (stitching forwards the parent's whole selection)
 * and only the gateway nulls it afterwards. Such an analysis depends on the caller, so it is not
 * cached (only requests denied some field pay it).
 */
export function createDocumentAnalyser(rules: ReadonlyMap<string, RateLimitRule>) {
  const cache = new WeakMap<DocumentNode, Map<string, readonly Charge[]>>();
  const indexes = new WeakMap<GraphQLSchema, FieldRuleIndex>();
  const indexOf = (schema: GraphQLSchema): FieldRuleIndex => {
    let index = indexes.get(schema);
    if (index === undefined) {
      index = fieldRuleIndex(schema, rules);
      indexes.set(schema, index);
    }
    return index;
  };

  return function chargesOf(schema: GraphQLSchema, document: DocumentNode, operationName: string | null | undefined, deniedField?: DeniedField): readonly Charge[] {
    if (rules.size === 0) return [];
    if (deniedField !== undefined) return analyse(schema, document, operationName ?? '', indexOf(schema), deniedField);
    let perOperation = cache.get(document);
    if (perOperation === undefined) {
      perOperation = new Map();
      cache.set(document, perOperation);
    }
    const name = operationName ?? '';
    let charges = perOperation.get(name);
    if (charges === undefined) {
      charges = analyse(schema, document, name, indexOf(schema));
      perOperation.set(name, charges);
    }
    return charges;
  };
}

interface FieldRuleIndex {
  spent: SpentRules;
  /** Field names some rule applies to, to skip the per-type lookups for every other field. */
  limitedFields: ReadonlySet<string>;
}

function fieldRuleIndex(schema: GraphQLSchema, rules: ReadonlyMap<string, RateLimitRule>): FieldRuleIndex {
  const spent = collectSpentRules(schema, rules);
  const limitedFields = new Set([...spent.keys()].map((coordinate) => coordinate.slice(coordinate.indexOf('.') + 1)));
  return { spent, limitedFields };
}

function analyse(schema: GraphQLSchema, document: DocumentNode, operationName: string, index: FieldRuleIndex, deniedField?: DeniedField): Charge[] {
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
  const walk = { visits: 0, fragments, schema, ...index, counts, deniedField };
  visit(walk, operation.selectionSet, root, [root], new Set(), true);
  return [...counts].map(([rule, units]) => ({ rule, units }));
}

interface Walk extends FieldRuleIndex {
  visits: number;
  fragments: ReadonlyMap<string, FragmentDefinitionNode>;
  schema: GraphQLSchema;
  counts: Map<RateLimitRule, number>;
  deniedField: DeniedField | undefined;
}

/**
 * `possible`: the concrete types the object whose selection set this is can have at run time;
 * `atRoot`: this is the operation's own selection set (fragments spread there included).
 */
function visit(
  walk: Walk,
  selectionSet: SelectionSetNode,
  parent: GraphQLNamedType,
  possible: readonly GraphQLObjectType[],
  spreading: Set<string>,
  atRoot: boolean,
): void {
  for (const selection of selectionSet.selections) {
    if (++walk.visits > MAX_VISITS) return;
    if (selection.kind === Kind.FIELD) {
      if (!(isObjectType(parent) || isInterfaceType(parent))) continue;
      const field = parent.getFields()[selection.name.value];
      if (field === undefined) continue;
      if (atRoot && walk.deniedField?.(`${parent.name}.${field.name}`) === true) continue;
      if (walk.limitedFields.has(field.name)) charge(walk, parent, field.name, possible);
      if (selection.selectionSet) {
        const type = getNamedType(field.type);
        visit(walk, selection.selectionSet, type, possibleTypes(walk.schema, type), spreading, false);
      }
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      const condition = selection.typeCondition ? walk.schema.getType(selection.typeCondition.name.value) : parent;
      const narrowed = condition ? narrow(walk.schema, possible, condition) : possible;
      visit(walk, selection.selectionSet, condition ?? parent, narrowed, spreading, atRoot);
    } else {
      const fragment = walk.fragments.get(selection.name.value);
      if (fragment === undefined || spreading.has(fragment.name.value)) continue;
      const condition = walk.schema.getType(fragment.typeCondition.name.value);
      const narrowed = condition ? narrow(walk.schema, possible, condition) : possible;
      spreading.add(fragment.name.value);
      visit(walk, fragment.selectionSet, condition ?? parent, narrowed, spreading, atRoot);
      spreading.delete(fragment.name.value);
    }
  }
}

/**
 * One occurrence of `field`: the rules it spends on the parent and, selected through an interface,
 * on each possible concrete type; each rule once, however many of those types it applies to.
 */
function charge(walk: Walk, parent: GraphQLNamedType, field: string, possible: readonly GraphQLObjectType[]): void {
  const charged = new Set<RateLimitRule>(walk.spent.get(`${parent.name}.${field}`));
  if (isInterfaceType(parent)) {
    for (const type of possible) {
      for (const rule of walk.spent.get(`${type.name}.${field}`) ?? []) charged.add(rule);
    }
  }
  for (const rule of charged) walk.counts.set(rule, (walk.counts.get(rule) ?? 0) + 1);
}

function possibleTypes(schema: GraphQLSchema, type: GraphQLNamedType): readonly GraphQLObjectType[] {
  if (isObjectType(type)) return [type];
  return isAbstractType(type) ? schema.getPossibleTypes(type) : [];
}

function narrow(schema: GraphQLSchema, possible: readonly GraphQLObjectType[], condition: GraphQLNamedType): readonly GraphQLObjectType[] {
  const allowed = possibleTypes(schema, condition);
  return possible.filter((type) => allowed.includes(type));
}
