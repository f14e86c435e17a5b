import type { Executor, ExecutionRequest, ExecutionResult } from '@graphql-tools/utils';
import { GraphQLError, print, type DocumentNode } from 'graphql';
import type { GraphqlSourceConfig } from '../config/index.js';
import { forwardedHeaders, gatewayContextOf } from '../context.js';
import { UpstreamResponseError } from '../errors.js';
import { readBody, type Upstream } from '../upstream/index.js';

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
export async function postToGraphqlSource(
  source: GraphqlSourceConfig,
  upstream: Upstream,
  body: string,
  context: unknown,
  idempotent: boolean,
): Promise<Buffer> {
  const headers: Record<string, string> = {
    ...forwardedHeaders(context, source.forwardHeaders),
    'content-type': 'application/json',
    accept: ACCEPT,
  };
  const response = await upstream.request({
    method: 'POST',
    path: source.path,
    headers,
    body,
    signal: gatewayContextOf(context)?.signal,
    idempotent,
  });
  if (response.statusCode >= 500) {
    await response.body.dump();
    throw new UpstreamResponseError(upstream.name, response.statusCode);
  }
  return readBody(upstream.name, response, upstream.config.maxResponseBytes);
}

/** The source's answer as an execution result: malformed is an upstream error; errors redacted. */
export function parseSourceResult(source: GraphqlSourceConfig, upstreamName: string, payload: Buffer): ExecutionResult {
  let result: unknown;
  try {
    result = JSON.parse(payload.toString('utf8'));
  } catch (error) {
    throw new UpstreamResponseError(upstreamName, undefined, error);
  }
  if (!isExecutionResult(result)) throw new UpstreamResponseError(upstreamName);
  return source.forwardErrorMessages ? result : redactErrors(result, source.name);
}

function isExecutionResult(value: unknown): value is ExecutionResult {
  if (value === null || typeof value !== 'object') return false;
  const result = value as Record<string, unknown>;
  return ('data' in result || Array.isArray(result['errors']));
}

/** Keeps an upstream error's path and code but not its text, which may leak internals. */
function redactErrors(result: ExecutionResult, sourceName: string): ExecutionResult {
  if (!result.errors || result.errors.length === 0) return result;
  const errors = result.errors.map((error) => {
    const raw = error as unknown as { path?: (string | number)[]; extensions?: Record<string, unknown> };
    const upstreamCode = raw.extensions?.['code'];
    const code = typeof upstreamCode === 'string' && /^[A-Z][A-Z0-9_]*$/.test(upstreamCode) ? upstreamCode : 'UPSTREAM_ERROR';
    return new GraphQLError(`Source "${sourceName}" returned an error`, {
      path: raw.path,
      extensions: { code, source: sourceName },
    });
  });
  return { ...result, errors };
}
