import type { SubschemaConfig } from '@graphql-tools/delegate';
import type { OpenapiSourceConfig } from '../config/index.js';
import { forwardedHeaders, gatewayContextOf, withoutIdentityHeaders } from '../context.js';
import { recordCacheHeaders } from '../stores/cache-hints.js';
import { callBuffered, parseJsonBody, type Upstream } from '../upstream/index.js';
import { loadOpenApiDocument, openApiToSchema, type RestCaller } from './openapi/index.js';

const IDEMPOTENT_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * A REST upstream described by OpenAPI, as a local subschema whose resolvers call the backend
 * through its `Upstream` (the same pool, timeouts and breaker as the passthrough routes).
 */
export async function loadOpenapiSource(source: OpenapiSourceConfig, upstream: Upstream): Promise<SubschemaConfig> {
  const document = await loadOpenApiDocument(source.spec);
  const schema = openApiToSchema(document, { sourceName: source.name, call: createRestCaller(source, upstream) });
  return { name: source.name, schema };
}

export function createRestCaller(source: OpenapiSourceConfig, upstream: Upstream): RestCaller {
  const maxBytes = upstream.config.maxResponseBytes;
  return async function restCall(call, context) {
    const response = await callBuffered(upstream, {
      method: call.method,
      path: call.path,
      // Header parameters are the caller's: they never carry an identity header, under any spelling.
      headers: { ...argumentHeaders(call.headers, context), ...forwardedHeaders(context, source.forwardHeaders), accept: 'application/json' },
      body: call.body ?? null,
      idempotent: IDEMPOTENT_METHODS.has(call.method),
    }, { signal: gatewayContextOf(context)?.signal, maxBytes, wantsBody: isSuccess });
    recordCacheHeaders(context, response.headers);
    const body = isSuccess(response.statusCode) ? parseJsonBody(upstream.name, response.statusCode, response.body) : undefined;
    return { status: response.statusCode, headers: response.headers, body };
  };
}

function argumentHeaders(headers: Readonly<Record<string, string>>, context: unknown): Record<string, string> {
  return withoutIdentityHeaders(headers, gatewayContextOf(context)?.policy?.identity?.strip);
}

function isSuccess(statusCode: number): boolean {
  return statusCode >= 200 && statusCode < 300;
}
