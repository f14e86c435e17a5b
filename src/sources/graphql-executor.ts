import type { Executor, ExecutionRequest, ExecutionResult } from '@graphql-tools/utils';
import { GraphQLError, print, type DocumentNode } from 'graphql';
import type { GraphqlSourceConfig } from '../config/index.js';
import { forwardedHeaders, gatewayContextOf } from '../context.js';
import { UpstreamResponseError } from '../errors.js';
import { callBuffered, type Upstream } from '../upstream/index.js';

const ACCEPT = 'application/graphql-response+json, application/json';

/** Documents printed once: delegation re-uses the same document objects for the same plan. */
const printed = new WeakMap<DocumentNode, string>();
function printOnce(document: DocumentNode): string {
  let text = printed.get(document);
  if (text === undefined) {
    text = print(document);
    printed.set(document, text);
  }
  return text;
}

/**
 * Sends delegated operations to a GraphQL upstream over its pool. Transport failures and 5xx
 * become typed errors (so the field is null with a code); GraphQL errors of the upstream are
 * kept with their path, their message replaced unless the source opts in to forwarding them.
 */
export function createGraphqlExecutor(source: GraphqlSourceConfig, upstream: Upstream): Executor {
  return async function graphqlExecutor(request: ExecutionRequest): Promise<ExecutionResult> {
    const body = JSON.stringify({
      query: printOnce(request.document),
      variables: request.variables,
      operationName: request.operationName,
    });
    const payload = await postToGraphqlSource(source, upstream, body, request.context, request.operationType === 'query');
    return parseSourceResult(source, upstream.name, payload);
  };
}

/** One POST of a GraphQL request body to the source; resolves with the raw answer of a non-5xx. */
export async function postToGraphqlSource(source: GraphqlSourceConfig, upstream: Upstream, body: string, context: unknown, idempotent: boolean): Promise<Buffer> {
  const headers: Record<string, string> = {
    ...forwardedHeaders(context, source.forwardHeaders),
    'content-type': 'application/json',
    accept: ACCEPT,
  };
  const response = await callBuffered(
    upstream,
    { method: 'POST', path: source.path, headers, body, idempotent },
    { signal: gatewayContextOf(context)?.signal, maxBytes: upstream.config.maxResponseBytes, wantsBody: below500 },
  );
  if (response.statusCode >= 500) throw new UpstreamResponseError(upstream.name, response.statusCode);
  return response.body;
}

function below500(statusCode: number): boolean {
  return statusCode < 500;
}

/**
 * The source's answer as an execution result: malformed is an upstream error. Only `data` and
 * `errors` are kept (never the source's `extensions`, which Yoga would read as HTTP instructions),
 * and each error becomes a GraphQLError with its path and an upper-case code; its text is kept
 * only when the source opts in to forwarding messages.
 */
export function parseSourceResult(source: GraphqlSourceConfig, upstreamName: string, payload: Buffer): ExecutionResult {
  let result: unknown;
  try {
    result = JSON.parse(payload.toString('utf8'));
  } catch (error) {
    throw new UpstreamResponseError(upstreamName, undefined, error);
  }
  if (!isExecutionResult(result)) throw new UpstreamResponseError(upstreamName);
  const data = result.data as ExecutionResult['data'];
  if (!Array.isArray(result.errors) || result.errors.length === 0) return { data };
  return { data, errors: result.errors.map((error) => sourceError(error, source)) };
}

interface RawResult {
  data?: unknown;
  errors?: unknown;
}

function isExecutionResult(value: unknown): value is RawResult {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const result = value as Record<string, unknown>;
  return ('data' in result || Array.isArray(result['errors']));
}

function sourceError(error: unknown, source: GraphqlSourceConfig): GraphQLError {
  const raw = (error ?? {}) as { message?: unknown; path?: unknown; extensions?: { code?: unknown } };
  const upstreamCode = raw.extensions?.code;
  const code = typeof upstreamCode === 'string' && /^[A-Z][A-Z0-9_]*$/.test(upstreamCode) ? upstreamCode : 'UPSTREAM_ERROR';
  const message = source.forwardErrorMessages && typeof raw.message === 'string' ? raw.message : `Source "${source.name}" returned an error`;
  const path = Array.isArray(raw.path) && raw.path.every((part) => typeof part === 'string' || typeof part === 'number') ? raw.path : undefined;
  return new GraphQLError(message, { path, extensions: { code, source: source.name } });
}
