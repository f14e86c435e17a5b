import { isInterfaceType, isObjectType, isUnionType, type GraphQLNamedType, type GraphQLSchema } from 'graphql';
import type { Logger } from '../src/logger.js';

/** What the schema a policy transforms was built from. */
export interface SchemaBuild {
  /** Sources left out of it (down, with no snapshot): a type only they define is missing, not misspelt. */
  missingSources: readonly string[];
}

export interface CoordinateCheck {
  /** The config section, named in messages: `rateLimit.fields`. */
  section: string;
  /** Whether a type entry (`Product`, no field) may name a union too (cache hints). Default false. */
  unions?: boolean;
  /** Undefined when the schema's origin is unknown: then a missing type is logged, never thrown. */
  build: SchemaBuild | undefined;
  logger: Logger;
}

/**
 * Checks config entries naming a field (`Type.field`) or a type (`Type`) against the schema. A type
 * without that field, or of a kind the entry cannot apply to, is a typo: it throws, naming the
 * entry, so the start or the reload fails (a rule silently applying to nothing is worse than no
 * start). A type the schema lacks throws as well when every source is in the schema; while one is
 * missing the type may be its, so it is logged and left out. Returns the entries that apply.
 */
export function checkCoordinates(schema: GraphQLSchema, entries: Iterable<string>, check: CoordinateCheck): string[] {
  const applied: string[] = [];
  for (const entry of entries) {
    const [typeName, fieldName] = entry.split('.') as [string, string | undefined];
    const type = schema.getType(typeName);
    if (type === undefined) {
      if (check.build !== undefined && check.build.missingSources.length === 0) {
        throw new Error(`${check.section}."${entry}": the schema has no type "${typeName}"`);
      }
      check.logger.error({ coordinate: entry, missingSources: check.build?.missingSources }, `${check.section} names a type not in the schema (source down?); rule not applied`);
      continue;
    }
    if (fieldName === undefined) checkType(type, entry, check);
    else checkField(type, fieldName, entry, check);
    applied.push(entry);
  }
  return applied;
}

function checkType(type: GraphQLNamedType, entry: string, check: CoordinateCheck): void {
  if (isObjectType(type) || isInterfaceType(type) || (check.unions === true && isUnionType(type))) return;
  throw new Error(`${check.section}."${entry}": ${type.name} is not an object${check.unions === true ? ', interface or union' : ' or interface'} type`);
}

function checkField(type: GraphQLNamedType, fieldName: string, entry: string, check: CoordinateCheck): void {
  if (!isObjectType(type) && !isInterfaceType(type)) throw new Error(`${check.section}."${entry}": ${type.name} is not an object or interface type`);
  if (type.getFields()[fieldName] === undefined) throw new Error(`${check.section}."${entry}": type ${type.name} has no field "${fieldName}"`);
}
