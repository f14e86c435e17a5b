import { getDirective } from '@graphql-tools/utils';
import { isInterfaceType, isObjectType, type GraphQLInterfaceType, type GraphQLObjectType, type GraphQLSchema } from 'graphql';
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

/** Every rule an occurrence of a field spends, keyed `Type.field`; fields without any are left out. */
export type SpentRules = ReadonlyMap<string, readonly RateLimitRule[]>;

/**
 * What a field selected on a type spends, once per schema: its own rule and the rule of the same
 * field on every interface the type implements, as auth does with requirements
 * (requirements.ts). `getInterfaces()` lists them all: a valid schema makes a type declare the
 * interfaces of its interfaces too. Selected through an interface, a field also spends what every
 * implementation it may resolve on spends; that depends on the selection, so the analysis adds it.
 */
export function collectSpentRules(schema: GraphQLSchema, rules: ReadonlyMap<string, RateLimitRule>): SpentRules {
  const spent = new Map<string, readonly RateLimitRule[]>();
  if (rules.size === 0) return spent;
  for (const type of Object.values(schema.getTypeMap())) {
    if (type.name.startsWith('__') || !(isObjectType(type) || isInterfaceType(type))) continue;
    for (const field of Object.keys(type.getFields())) {
      const declared = declaredRules(rules, type, field);
      if (declared.length > 0) spent.set(`${type.name}.${field}`, declared);
    }
  }
  return spent;
}

/** The rule of `field` on the type itself and on each of its interfaces, each rule once. */
function declaredRules(rules: ReadonlyMap<string, RateLimitRule>, type: GraphQLObjectType | GraphQLInterfaceType, field: string): RateLimitRule[] {
  const declared = new Set<RateLimitRule>();
  for (const declaring of [type, ...type.getInterfaces()]) {
    const rule = rules.get(`${declaring.name}.${field}`);
    if (rule !== undefined) declared.add(rule);
  }
  return [...declared];
}
