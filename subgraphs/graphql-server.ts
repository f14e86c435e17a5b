import type { IncomingMessage, ServerResponse } from 'node:http';
import { readFileSync } from 'node:fs';
import {
  buildSchema,
  execute,
  GraphQLError,
  Kind,
  parse,
  validate,
  type DocumentNode,
  type ExecutionResult,
  type FragmentDefinitionNode,
  type GraphQLSchema,
  type SelectionSetNode,
} from 'graphql';
import { CallCounter, readBody, sendError, sendRaw, splitUrl, type Handler } from './service.js';

/** Builds a schema from an SDL file (e.g. `new URL('./schema.graphql', import.meta.url)`). */
export function loadSchema(path: URL | string): GraphQLSchema {
  return buildSchema(readFileSync(path, 'utf8'));
}

interface CachedDocument {
  document?: DocumentNode;
  /** Syntax or validation errors; when set the document is never executed. */
  errors?: readonly GraphQLError[];
  /** Root field names per operation ('' for the anonymous one); used for call counting. */
  rootFields: Map<string, string[]>;
  /** Operation kind per operation name, to refuse mutations over GET. */
  kinds: Map<string, string>;
}

/** Bound on the document cache; the oldest entry is evicted first. */
export const DOCUMENT_CACHE_SIZE = 1000;

const GRAPHQL_RESPONSE_JSON = 'application/graphql-response+json';
const APPLICATION_JSON = 'application/json';

function collectRootFields(
  selectionSet: SelectionSetNode,
  fragments: Map<string, FragmentDefinitionNode>,
  out: string[],
  seen: Set<string>,
): void {
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) {
      if (!selection.name.value.startsWith('__')) out.push(selection.name.value);
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      collectRootFields(selection.selectionSet, fragments, out, seen);
    } else {
      const name = selection.name.value;
      const fragment = fragments.get(name);
      if (fragment && !seen.has(name)) {
        seen.add(name);
        collectRootFields(fragment.selectionSet, fragments, out, seen);
      }
    }
  }
}

function prepare(schema: GraphQLSchema, query: string): CachedDocument {
  const rootFields = new Map<string, string[]>();
  const kinds = new Map<string, string>();
  let document: DocumentNode;
  try {
    document = parse(query);
  } catch (err) {
    if (err instanceof GraphQLError) return { errors: [err], rootFields, kinds };
    throw err;
  }
  const errors = validate(schema, document);
  if (errors.length > 0) return { errors, rootFields, kinds };

  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const def of document.definitions) {
    if (def.kind === Kind.FRAGMENT_DEFINITION) fragments.set(def.name.value, def);
  }
  for (const def of document.definitions) {
    if (def.kind !== Kind.OPERATION_DEFINITION) continue;
    const fields: string[] = [];
    collectRootFields(def.selectionSet, fragments, fields, new Set());
    const key = def.name?.value ?? '';
    rootFields.set(key, fields);
    kinds.set(key, def.operation);
  }
  return { document, rootFields, kinds };
}

/** Picks the response media type from the Accept header (default application/json). */
function pickMediaType(accept: string | undefined): string {
  if (!accept) return APPLICATION_JSON;
  const gql = accept.indexOf(GRAPHQL_RESPONSE_JSON);
  // Whichever of the two is listed first wins ('application/graphql-response+json' does not
  // contain the substring 'application/json', so indexOf is enough).
  const json = accept.indexOf(APPLICATION_JSON);
  if (gql !== -1 && (json === -1 || gql < json)) return GRAPHQL_RESPONSE_JSON;
  return APPLICATION_JSON;
}

interface GraphQLParams {
  query: string;
  variables: Record<string, unknown> | undefined;
  operationName: string | undefined;
}

class RequestError extends Error {}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function toParams(raw: Record<string, unknown>): GraphQLParams {
  const { query, variables, operationName, extensions } = raw;
  if (extensions !== undefined && extensions !== null && !isPlainObject(extensions)) {
    throw new RequestError('"extensions" must be an object');
  }
  if (typeof query !== 'string' || query.length === 0) throw new RequestError('Missing "query" string');
  if (variables !== undefined && variables !== null && !isPlainObject(variables)) {
    throw new RequestError('"variables" must be an object');
  }
  if (operationName !== undefined && operationName !== null && typeof operationName !== 'string') {
    throw new RequestError('"operationName" must be a string');
  }
  return {
    query,
    variables: (variables ?? undefined) as Record<string, unknown> | undefined,
    operationName: (operationName ?? undefined) as string | undefined,
  };
}

function paramsFromBody(body: string): GraphQLParams {
  let raw: unknown;
  try {
    raw = JSON.parse(body);
  } catch {
    throw new RequestError('Request body is not valid JSON');
  }
  if (!isPlainObject(raw)) throw new RequestError('Request body must be a JSON object');
  return toParams(raw);
}

function paramsFromQuery(query: URLSearchParams): GraphQLParams {
  const raw: Record<string, unknown> = {
    query: query.get('query') ?? undefined,
    operationName: query.get('operationName') ?? undefined,
  };
  const variables = query.get('variables');
  if (variables) {
    try {
      raw.variables = JSON.parse(variables);
    } catch {
      throw new RequestError('"variables" is not valid JSON');
    }
  }
  return toParams(raw);
}

function sendGraphQL(res: ServerResponse, status: number, mediaType: string, result: ExecutionResult): void {
  sendRaw(res, status, JSON.stringify(result), {}, `${mediaType}; charset=utf-8`);
}

/**
 * A small, fast GraphQL-over-HTTP handler on plain graphql-js: `POST /graphql` (JSON body) and
 * `GET /graphql?query=…`. Parsed and validated documents are cached by query string.
 * Counts `'POST /graphql'` / `'GET /graphql'` and every root field selected by the executed
 * operation (each occurrence, so two aliased `user` fields count 2).
 */
export function createGraphQLHandler(
  schema: GraphQLSchema,
  rootValue: Record<string, unknown>,
  counter: CallCounter,
  path = '/graphql',
): Handler {
  const cache = new Map<string, CachedDocument>();

  const lookup = (query: string): CachedDocument => {
    let entry = cache.get(query);
    if (entry === undefined) {
      entry = prepare(schema, query);
      if (cache.size >= DOCUMENT_CACHE_SIZE) {
        const oldest = cache.keys().next();
        if (!oldest.done) cache.delete(oldest.value);
      }
      cache.set(query, entry);
    }
    return entry;
  };

  return async (req: IncomingMessage, res: ServerResponse) => {
    const { path: reqPath, query } = splitUrl(req.url);
    if (reqPath !== path && reqPath !== `${path}/`) {
      sendError(res, 404, 'ROUTE_NOT_FOUND', `No route for ${req.method} ${reqPath}`);
      return;
    }
    const method = req.method ?? 'GET';
    if (method !== 'POST' && method !== 'GET') {
      sendError(res, 405, 'METHOD_NOT_ALLOWED', `Method ${method} not allowed`, { allow: 'GET, POST' });
      return;
    }
    counter.hit(`${method} ${path}`);
    const mediaType = pickMediaType(req.headers.accept);

    if (method === 'POST' && !req.headers['content-type']?.includes('json')) {
      sendGraphQL(res, 415, mediaType, { errors: [new GraphQLError('POST requires Content-Type: application/json')] });
      return;
    }

    let params: GraphQLParams;
    try {
      params = method === 'POST' ? paramsFromBody(await readBody(req)) : paramsFromQuery(query);
    } catch (err) {
      if (err instanceof RequestError) {
        sendGraphQL(res, 400, mediaType, { errors: [new GraphQLError(err.message)] });
        return;
      }
      throw err;
    }

    const entry = lookup(params.query);
    if (entry.errors) {
      // graphql-response+json: request errors are 4xx; application/json: 200 (GraphQL-over-HTTP spec).
      sendGraphQL(res, mediaType === GRAPHQL_RESPONSE_JSON ? 400 : 200, mediaType, { errors: entry.errors });
      return;
    }

    const opKey =
      params.operationName ?? (entry.rootFields.size === 1 ? entry.rootFields.keys().next().value! : undefined);
    if (opKey !== undefined) {
      if (method === 'GET' && entry.kinds.get(opKey) === 'mutation') {
        sendError(res, 405, 'METHOD_NOT_ALLOWED', 'Mutations are not allowed over GET', { allow: 'POST' });
        return;
      }
      const fields = entry.rootFields.get(opKey);
      if (fields) for (const field of fields) counter.hit(field);
    }

    const result = await execute({
      schema,
      document: entry.document!,
      rootValue,
      variableValues: params.variables,
      operationName: params.operationName,
    });
    // No `data` means the request itself failed (bad variables, unknown operation).
    const status = !('data' in result) && mediaType === GRAPHQL_RESPONSE_JSON ? 400 : 200;
    sendGraphQL(res, status, mediaType, result);
  };
}
