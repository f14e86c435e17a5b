import { getDirective } from '@graphql-tools/utils';
import { isInterfaceType, isObjectType, type GraphQLSchema } from 'graphql';
import type { RateLimitRuleConfig } from '../../src/config/rate-limit.js';
import type { Logger } from '../../src/logger.js';
import { compileRule, parseRateLimitArgs, type RateLimitRule } from './args.js';

/**
 * Every limited field of a schema by coordinate (`Product.price`): from `@rateLimit` in SDL (kept
 * through stitching) and from `rateLimit.fields` in config, config winning where both name a field.
 * A directive with bad arguments fails here, at start, with its coordinate in the message.
 */
export function collectFieldRules(
  schema: GraphQLSchema,
  configured: Readonly<Record<string, RateLimitRuleConfig>>,
  logger: Logger,
): Map<string, RateLimitRule> {
  const rules = new Map<string, RateLimitRule>();
  for (const type of Object.values(schema.getTypeMap())) {
    if (type.name.startsWith('__') || !(isObjectType(type) || isInterfaceType(type))) continue;
    for (const field of Object.values(type.getFields())) {
      const usage = getDirective(schema, field, 'rateLimit')?.[0];
      if (usage === undefined) continue;
      const coordinate = `${type.name}.${field.name}`;
      try {
        rules.set(coordinate, compileRule(`field:${coordinate}`, parseRateLimitArgs(usage)));
      } catch (error) {
        throw new Error(`@rateLimit on ${coordinate}: ${(error as Error).message}`);
      }
    }
  }
  for (const [coordinate, rule] of Object.entries(configured)) {
    const [typeName, fieldName] = coordinate.split('.') as [string, string];
    const type = schema.getType(typeName);
    if (!(isObjectType(type) || isInterfaceType(type)) || type.getFields()[fieldName] === undefined) {
      logger.warn({ coordinate }, 'rateLimit.fields names a field the schema does not have (yet); it is not limited');
    }
    rules.set(coordinate, compileRule(`field:${coordinate}`, rule));
  }
  return rules;
}
