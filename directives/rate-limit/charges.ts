import type { DocumentNode, GraphQLSchema } from 'graphql';
import type { RateLimitConfig } from '../../src/config/rate-limit.js';
import type { Logger } from '../../src/logger.js';
import { compileRule } from './args.js';
import { createDocumentAnalyser, type DeniedField } from './analyse.js';
import { collectFieldRules } from './field-rules.js';
import type { Charge } from './limiter.js';

/**
 * What one operation of a document spends: each limited field per occurrence, plus the `operations`
 * rule once; root fields the caller is denied (`deniedField`, set by auth) are left out.
 */
export type ChargePlanner = (
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  deniedField?: DeniedField,
) => readonly Charge[];

/** Field rules are collected once per schema (a reload brings a new one), charges once per document. */
export function createChargePlanner(config: RateLimitConfig, logger: Logger): ChargePlanner {
  const analysers = new WeakMap<GraphQLSchema, ReturnType<typeof createDocumentAnalyser>>();
  const operationCharge: Charge | undefined = config.operations ? { rule: compileRule('operations', config.operations), units: 1 } : undefined;
  return function chargesOf(schema, document, operationName, deniedField) {
    let analyse = analysers.get(schema);
    if (analyse === undefined) {
      analyse = createDocumentAnalyser(collectFieldRules(schema, config.fields, logger));
      analysers.set(schema, analyse);
    }
    const fieldCharges = analyse(schema, document, operationName, deniedField);
    return operationCharge ? [...fieldCharges, operationCharge] : fieldCharges;
  };
}
