import { getDirective } from '@graphql-tools/utils';
import { isInterfaceType, isObjectType, type GraphQLSchema } from 'graphql';
import type { RateLimitRuleConfig } from '../../src/config/rate-limit.js';
import type { Logger } from '../../src/logger.js';
import { checkCoordinates, type SchemaBuild } from '../coordinates.js';
import { compileRule, parseRateLimitArgs, type RateLimitRule } from './args.js';

/**
 * Every limited field of a schema by coordinate (`Product.price`): from `@rateLimit` in SDL (kept
 * through stitching) and from `rateLimit.fields` in config, config winning where both name a field.
 * A directive with bad arguments, or a config coordinate naming no field (checkCoordinates), fails
 * here, at start, with its coordinate in the message.
 */
export function collectFieldRules(
  schema: GraphQLSchema,
  configured: Readonly<Record<string, RateLimitRuleConfig>>,
  logger: Logger,
  build?: SchemaBuild,
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
  for (const coordinate of checkCoordinates(schema, Object.keys(configured), { section: 'rateLimit.fields', build, logger })) {
    rules.set(coordinate, compileRule(`field:${coordinate}`, configured[coordinate]!));
  }
  return rules;
}
