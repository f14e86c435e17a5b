import { getOperationAST, print, printSchema, type DocumentNode, type GraphQLSchema } from 'graphql';
import type { CacheConfig } from '../../src/config/cache.js';
import { analyseOperation, type EntityNode, type OperationPlan } from './analyse.js';
import { hashKey } from './entry.js';
import { createHintResolver, type HintResolver } from './hints.js';
import { purgeableTypes } from './purgeable.js';

/** An operation's plan plus what keys its entries. */
export interface CachedPlan extends OperationPlan {
  /** Hash of the schema and the document text: the same on every replica. */
  documentId: string;
  /** Set when a REST source answered `private` at run time: entries are keyed by principal from then on. */
  observedPrivate: boolean;
  /** The types its entries are tagged with (the purgeable ones its result can hold); undefined: all (see purgeable.ts). */
  taggedTypes: ReadonlySet<string> | undefined;
}

interface SchemaPlans {
  schemaId: string;
  taggedTypes: ReadonlySet<string> | undefined;
  hints: HintResolver;
  documents: WeakMap<DocumentNode, Map<string, CachedPlan | null>>;
}

export interface PlanCache {
  /** The plan of the operation to run, or undefined when the document has no such operation. */
  get(schema: GraphQLSchema, document: DocumentNode, operationName: string | null | undefined): CachedPlan | undefined;
}

/**
 * Plans memoised per schema (a reload brings a new schema and new plans) and per parsed document
 * (Yoga keeps one DocumentNode per distinct query text), so a request does a map lookup only.
 */
export function createPlanCache(
  config: Pick<CacheConfig, 'types' | 'fields' | 'privateDirectives' | 'defaultMaxAge' | 'idFields'>,
  privateCoordinates: ReadonlySet<string> = new Set(),
  options: { tagAllTypes: boolean } = { tagAllTypes: true },
): PlanCache {
  const schemas = new WeakMap<GraphQLSchema, SchemaPlans>();

  function forSchema(schema: GraphQLSchema): SchemaPlans {
    let plans = schemas.get(schema);
    if (plans === undefined) {
      plans = {
        schemaId: hashKey([printSchema(schema)]),
        taggedTypes: options.tagAllTypes ? undefined : purgeableTypes(schema),
        hints: createHintResolver(schema, { ...config, privateCoordinates }),
        documents: new WeakMap(),
      };
      schemas.set(schema, plans);
    }
    return plans;
  }

  return {
    get(schema, document, operationName) {
      const plans = forSchema(schema);
      let byName = plans.documents.get(document);
      if (byName === undefined) plans.documents.set(document, (byName = new Map()));
      const name = operationName ?? '';
      let plan = byName.get(name);
      if (plan === undefined) {
        plan = build(schema, plans, document, operationName);
        byName.set(name, plan);
      }
      return plan ?? undefined;
    },
  };

  function build(schema: GraphQLSchema, plans: SchemaPlans, document: DocumentNode, operationName: string | null | undefined): CachedPlan | null {
    const operation = getOperationAST(document, operationName);
    if (!operation) return null;
    const plan = analyseOperation(schema, operation, document, {
      hints: plans.hints,
      defaultMaxAge: config.defaultMaxAge,
      idFields: config.idFields,
    });
    const text = document.loc?.source.body ?? print(document);
    const taggedTypes = plans.taggedTypes === undefined ? undefined : taggedIn(plan.root, plans.taggedTypes);
    return { ...plan, documentId: hashKey([plans.schemaId, text, operationName ?? '']), observedPrivate: false, taggedTypes };
  }
}

/** The tagged types an operation's result can hold: none for most queries of a schema with few purgeable types, so their entries skip the walk. */
function taggedIn(root: EntityNode, tagged: ReadonlySet<string>): ReadonlySet<string> {
  const found = new Set<string>();
  const visit = (node: EntityNode): void => {
    for (const child of node.children.values()) {
      for (const type of child.types) if (tagged.has(type)) found.add(type);
      visit(child);
    }
  };
  visit(root);
  return found;
}
