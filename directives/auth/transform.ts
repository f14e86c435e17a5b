import { MapperKind, mapSchema } from '@graphql-tools/utils';
import { defaultFieldResolver, type GraphQLFieldResolver, type GraphQLSchema } from 'graphql';
import { gatewayContextOf } from '../../src/context.js';
import { forbidden, missingCredentials } from './errors.js';
import { evaluate } from './evaluate.js';
import type { RequirementIndex } from './requirements.js';

/**
 * A copy of the schema whose protected fields resolve to null with an UNAUTHENTICATED or
 * FORBIDDEN error when the caller does not qualify: the enforcement that holds whatever the
 * per-request plan decided (in `reject` mode a denied request never gets this far). A protected
 * root field is refused before its upstream call. The copy (rather than wrapping in place) lets
 * later stages see which fields the gateway now resolves itself; an open schema is returned as is.
 */
export function guardResolvers(schema: GraphQLSchema, index: RequirementIndex, realm: string): GraphQLSchema {
  if (index.size === 0) return schema;
  return mapSchema(schema, {
    [MapperKind.OBJECT_FIELD]: (field, fieldName, typeName) => {
      const coordinate = `${typeName}.${fieldName}`;
      const requirement = index.get(coordinate);
      if (requirement === undefined) return field;
      const check = (context: unknown): void => {
        const denial = evaluate(requirement, gatewayContextOf(context)?.policy?.principal);
        if (denial === 'UNAUTHENTICATED') throw missingCredentials(realm, `Field "${coordinate}"`);
        if (denial === 'FORBIDDEN') throw forbidden(realm, `field "${coordinate}"`);
      };
      const resolve: GraphQLFieldResolver<unknown, unknown> = field.resolve ?? defaultFieldResolver;
      const subscribe = field.subscribe;
      return {
        ...field,
        resolve: function authorisedField(source, args, context, info) {
          check(context);
          return resolve(source, args, context, info);
        },
        // A protected subscription is refused before it is opened upstream, not only per event.
        subscribe: subscribe === undefined ? undefined : function authorisedSubscription(source, args, context, info) {
          check(context);
          return subscribe(source, args, context, info);
        },
      };
    },
  });
}
