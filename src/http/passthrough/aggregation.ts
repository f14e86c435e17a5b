import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  execute, GraphQLError, Kind, parse, validate, typeFromAST,
  type DocumentNode, type ExecutionResult, type GraphQLInputType, type GraphQLSchema, type OperationDefinitionNode,
} from 'graphql';
import type { PolicyState, RouteOperation } from '../../../directives/policy.js';
import { createPolicyState } from '../../../directives/state.js';
import type { RouteConfig } from '../../config/routes.js';
import { ResponseCloseSignal, type GatewayContext } from '../../context.js';
import { ERROR_CODES, JunctionError, type ErrorCode } from '../../errors.js';
import type { Logger } from '../../logger.js';
import { createMaskError } from '../graphql/mask-error.js';
import { sendJson } from '../respond.js';
import { coerceVariable } from './coerce-variable.js';

export type Aggregation = (
  req: IncomingMessage, res: ServerResponse, requestId: string, params: Readonly<Record<string, string>>, search: string,
  state: PolicyState | undefined,
) => Promise<void>;

export interface AggregationDeps {
  /** The composed schema in force (read per request, so a reload swaps it). */
  getSchema: () => GraphQLSchema;
  logger: Logger;
  /** The client address after trusted proxy hops, for a request no route guard has seen. */
  clientIp: (req: IncomingMessage) => string;
}

/**
 * An aggregation route: its GraphQL operation, parsed and validated once at startup (and again
 * only if the schema object changes), runs against the composed schema with the same context a
 * GraphQL request gets, so links batch the same way. Its policies, the route's own and those of
 * the fields it selects (`routeOperations`), ran before: they leave the caller in the policy state
 * the operation runs with. Path parameters and query parameters are its variables, coerced by
 * their declared types. Answers: the `data` object as the body (200); partial data adds an
 * `errors` array beside the root fields (200); no data (or only null root fields, with errors)
 * answers the first error in the REST error shape with its status (502 upstream down, 503
 * circuit open, 400 bad variables...).
 */
export function createAggregation(route: RouteConfig, deps: AggregationDeps): Aggregation {
  const document = parseOperation(route);
  const operation = pickOperation(document, route);
  const mask = createMaskError({ logger: deps.logger, suggestions: false, exposeDetails: false });
  let validFor: GraphQLSchema | undefined;
  checkValid(deps.getSchema());

  function checkValid(schema: GraphQLSchema): void {
    if (validFor === schema) return;
    const errors = validate(schema, document);
    if (errors.length > 0) throw invalidOperation(route, errors);
    validFor = schema;
  }

  return async function aggregate(req, res, requestId, params, search, routeState) {
    const schema = deps.getSchema();
    try {
      checkValid(schema);
    } catch (error) {
      throw new JunctionError('INTERNAL_SERVER_ERROR', 'Unexpected error', { cause: error, extensions: { requestId } });
    }
    const state = routeState ?? createPolicyState(deps.clientIp(req));
    const variableValues = variablesOf(schema, operation, params, search);
    const contextValue: GatewayContext = { requestId, clientHeaders: headerReader(req), signal: new ResponseCloseSignal(res), policy: state };
    const result = (await execute({ schema, document, operationName: route.operationName, variableValues, contextValue })) as ExecutionResult;
    if (res.destroyed) return;
    answer(res, requestId, result);
  };

  function answer(res: ServerResponse, requestId: string, result: ExecutionResult): void {
    const raw = result.errors ?? [];
    if (result.data === undefined || result.data === null || (raw.length > 0 && Object.values(result.data).every((value) => value === null))) {
      throw errorOf(raw[0], raw[0] === undefined ? undefined : mask(raw[0], requestId), result.data === undefined);
    }
    if (raw.length === 0) return sendJson(res, 200, result.data);
    sendJson(res, 200, { ...result.data, errors: raw.map((error) => mask(error, requestId).toJSON()) });
  }
}

/** The operation of every aggregation route, by route name, for the policies of the fields it selects. */
export function routeOperations(routes: readonly RouteConfig[], schema: GraphQLSchema): Map<string, RouteOperation> {
  const operations = new Map<string, RouteOperation>();
  for (const route of routes) {
    if (route.operation === undefined) continue;
    const document = parseOperation(route);
    pickOperation(document, route);
    const errors = validate(schema, document);
    if (errors.length > 0) throw invalidOperation(route, errors);
    operations.set(route.name, { schema, document, operationName: route.operationName });
  }
  return operations;
}

function invalidOperation(route: RouteConfig, errors: readonly GraphQLError[]): Error {
  return new Error(`route "${route.name}": operation is not valid against the composed schema: ${errors.map((e) => e.message).join('; ')}`);
}

function parseOperation(route: RouteConfig): DocumentNode {
  try {
    return parse(route.operation ?? '');
  } catch (error) {
    throw new Error(`route "${route.name}": operation does not parse: ${(error as Error).message}`);
  }
}

function pickOperation(document: DocumentNode, route: RouteConfig): OperationDefinitionNode {
  const operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  const chosen = route.operationName === undefined ? (operations.length === 1 ? operations[0] : undefined) : operations.find((o) => o.name?.value === route.operationName);
  if (chosen === undefined) throw new Error(`route "${route.name}": name one operation with "operationName"`);
  if (chosen.operation !== 'query') throw new Error(`route "${route.name}": only query operations can back a route`);
  for (const selection of chosen.selectionSet.selections) {
    if (selection.kind === Kind.FIELD && (selection.alias ?? selection.name).value === 'errors') {
      throw new Error(`route "${route.name}": a root field named "errors" would clash with the partial-result errors; alias it`);
    }
  }
  return chosen;
}

function variablesOf(schema: GraphQLSchema, operation: OperationDefinitionNode, params: Readonly<Record<string, string>>, search: string): Record<string, unknown> {
  const query = search.length > 1 ? new URLSearchParams(search.slice(1)) : undefined;
  const values: Record<string, unknown> = {};
  for (const definition of operation.variableDefinitions ?? []) {
    const name = definition.variable.name.value;
    const type = typeFromAST(schema, definition.type as never) as GraphQLInputType | undefined;
    if (type === undefined) continue;
    const fromPath = params[name];
    const raw = fromPath !== undefined ? [decode(fromPath)] : query?.getAll(name) ?? [];
    if (raw.length === 0) continue;
    values[name] = coerceVariable(type, raw);
  }
  return values;
}

function decode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    throw new JunctionError('BAD_USER_INPUT', 'A path parameter is not valid percent-encoding');
  }
}

function headerReader(req: IncomingMessage): GatewayContext['clientHeaders'] {
  return {
    get(name) {
      const value = req.headers[name.toLowerCase()];
      if (value === undefined) return null;
      return Array.isArray(value) ? value.join(', ') : value;
    },
  };
}

/**
 * The REST error of a result without data: the Junction error behind the first error (with its
 * status and headers, e.g. 503 + Retry-After), else its masked code; variables that do not
 * coerce (no execution happened) are the client's mistake: 400.
 */
function errorOf(raw: GraphQLError | undefined, masked: GraphQLError | undefined, beforeExecution: boolean): JunctionError {
  let current: unknown = raw;
  for (let depth = 0; depth < 8 && current !== undefined && current !== null; depth++) {
    if (current instanceof JunctionError) return current;
    current = (current as { originalError?: unknown }).originalError;
  }
  if (masked === undefined) return new JunctionError('INTERNAL_SERVER_ERROR', 'Unexpected error');
  if (beforeExecution) return new JunctionError('BAD_USER_INPUT', masked.message);
  const code = masked.extensions['code'];
  if (typeof code === 'string' && code in ERROR_CODES) return new JunctionError(code as ErrorCode, masked.message);
  return new JunctionError('INTERNAL_SERVER_ERROR', 'Unexpected error');
}
