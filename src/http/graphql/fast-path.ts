import type { IncomingMessage, ServerResponse } from 'node:http';
import { execute, getOperationAST, getVariableValues, print, type DocumentNode, type ExecutionResult, type GraphQLError, type GraphQLSchema, type OperationDefinitionNode } from 'graphql';
import { LRUCache } from 'lru-cache';
import type { FastPathPolicies } from '../../../directives/index.js';
import type { FastPathAfter, FastPathAnswer, FastPathReply, FastPathRequest, FastPathStep, HeaderLookup } from '../../../directives/policy.js';
import { createPolicyState } from '../../../directives/state.js';
import type { JunctionError } from '../../errors.js';
import type { ForwardPlan } from '../../compose/plan.js';
import type { GraphqlSourceConfig } from '../../config/index.js';
import { ResponseCloseSignal, type GatewayContext } from '../../context.js';
import { parseSourceResult, postToGraphqlSource } from '../../sources/graphql-executor.js';
import type { Upstream } from '../../upstream/index.js';
import { failedRootFields } from './forward.js';

/** A GraphQL source the fast path can post to. */
export interface RemoteSource {
  source: GraphqlSourceConfig;
  upstream: Upstream;
}

/** A document already validated by the full pipeline, keyed by its text. */
interface FastRoute {
  operation: OperationDefinitionNode;
  /** One source answers it alone; undefined: it is executed on the gateway schema (stitched). */
  plan: ForwardPlan | undefined;
  remote: RemoteSource | undefined;
  /** The accepted document and operation name, for a stitched execution. */
  document: DocumentNode;
  operationName: string | undefined;
  /** `{"query":…,"operationName":…,"variables":` — the upstream body up to the variables (forwarded only). */
  bodyPrefix: string;
  /** The policies' work per request, in their order. */
  steps: readonly FastPathStep[];
}

export interface FastPathOptions {
  schema: () => GraphQLSchema;
  remoteFor: (sourceName: string) => RemoteSource | undefined;
  mask: (error: unknown, requestId: string) => GraphQLError;
  /** The policies' steps per document; without it no policy is in force. */
  policies?: FastPathPolicies;
  /**
   * What plugins hooking into execution add to the result of a document several sources answer,
   * which the fast path executes on the gateway schema itself (field fallbacks add
   * `extensions.fallbacks`). Every such plugin must have its step here.
   */
  finishStitched?: (result: ExecutionResult, context: GatewayContext) => ExecutionResult;
  /** Distinct documents remembered. Default 1000. */
  maxDocuments?: number;
  /** Characters of query text and upstream body prefixes remembered. Default 16 Mi. */
  maxBytes?: number;
}

export interface FastPath {
  /**
   * Called by the full pipeline once a document has passed parsing, validation and planning;
   * `plan` undefined: no single source answers it (executed on the gateway schema).
   */
  remember(query: string, operationName: string | undefined, plan: ForwardPlan | undefined, accepted: DocumentNode): void;
  /** Serves the request and resolves true, or resolves false to let the full pipeline serve it. */
  serve(req: IncomingMessage, res: ServerResponse, requestId: string, body: Buffer): Promise<boolean>;
}

const JSON_TYPE = 'application/json; charset=utf-8';
const GRAPHQL_RESPONSE_TYPE = 'application/graphql-response+json; charset=utf-8';
const DATA_START = Buffer.from('{"data":');

/**
 * The hot path for documents one source answers alone: no Fetch objects, no envelop run, no
 * execution; the body goes to the source and the source's bytes come back unchanged unless they
 * carry errors (then they are parsed and redacted exactly as on the full path). Only documents
 * the full pipeline has already accepted are served here, and each policy does its work through
 * the step it gave for the document (auth → rate limit → cache), so nothing the pipeline checks is
 * skipped. A step may hand a request to the full pipeline before anything was spent.
 */
export function createFastPath(options: FastPathOptions): FastPath {
  const finishStitched = options.finishStitched ?? ((result: ExecutionResult) => result);
  // Bounded by count and by the bytes of the keys (client query text) and upstream bodies.
  const routes = new LRUCache<string, FastRoute>({
    max: options.maxDocuments ?? 1000,
    maxSize: options.maxBytes ?? 16 * 1024 * 1024,
    sizeCalculation: (route, key) => key.length + route.bodyPrefix.length,
  });

  return {
    remember(query, operationName, plan, accepted) {
      const key = routeKey(query, operationName);
      if (routes.has(key)) return;
      const operation = plan?.operation ?? getOperationAST(accepted, operationName);
      if (!operation || (plan === undefined && operation.operation === 'subscription')) return;
      const steps = options.policies === undefined ? [] : options.policies.steps(options.schema(), accepted, operationName);
      if (steps === undefined) return;
      const bodyPrefix = plan === undefined ? '' : `{"query":${JSON.stringify(print(plan.document))},"operationName":${JSON.stringify(operationName ?? null)},"variables":`;
      routes.set(key, { operation, plan, remote: plan && options.remoteFor(plan.source), document: accepted, operationName, bodyPrefix, steps });
    },
    async serve(req, res, requestId, body) {
      const request = parseRequest(body);
      const route = request && routes.get(routeKey(request.query, request.operationName));
      const contentType = route && negotiate(req.headers.accept);
      if (!request || !route || !contentType) return false;
      const definitions = route.operation.variableDefinitions ?? [];
      if (definitions.length > 0 && getVariableValues(options.schema(), definitions, request.variables ?? {}).errors) return false;
      const headers = headerLookup(req);
      const context: PendingContext = { requestId, clientHeaders: headers };
      let afters: FastPathAfter[] | undefined;
      if (route.steps.length > 0) {
        const state = createPolicyState(req.socket.remoteAddress ?? '');
        context.policy = state;
        const policyRequest: FastPathRequest = { req, headers, state, variables: request.variables, context: context as unknown as Record<string, unknown> };
        for (const step of route.steps) {
          let verdict = step(policyRequest);
          if (verdict instanceof Promise) verdict = await verdict;
          if (verdict === undefined) continue;
          if (verdict === 'pipeline') {
            await settle(afters, undefined);
            return false;
          }
          if ('after' in verdict) {
            (afters ??= []).push(verdict.after);
            continue;
          }
          await settle(afters, undefined);
          if ('refuse' in verdict) send(res, requestId, contentType, state.responseHeaders, refusal(verdict.refuse, requestId), verdict.refuse);
          else send(res, requestId, contentType, state.responseHeaders, verdict.reply);
          return true;
        }
      }
      const calling = abortableOnClose(context, res);
      let answer: FastPathAnswer | undefined;
      try {
        if (route.plan === undefined) answer = answerOf(finishStitched(await runStitched(route, options.schema(), request.variables, calling), calling), options.mask, requestId, true);
        else if (route.remote) answer = await forward(route, route.plan, route.remote, request.variables, calling);
        else answer = answerOf(await runLocally(route.plan, request.variables, calling), options.mask, requestId);
      } finally {
        if (answer === undefined) await settle(afters, undefined);
      }
      const reply = (await settle(afters, answer)) ?? { status: 200, body: answer.body };
      send(res, requestId, contentType, context.policy?.responseHeaders, reply);
      return true;
    },
  };

  /** The document's one upstream call. */
  async function forward(route: FastRoute, plan: ForwardPlan, remote: RemoteSource, variables: unknown, context: GatewayContext): Promise<FastPathAnswer> {
    const idempotent = plan.operation.operation === 'query';
    try {
      const upstreamBody = `${route.bodyPrefix}${JSON.stringify(variables ?? null)}}`;
      const payload = await postToGraphqlSource(remote.source, remote.upstream, upstreamBody, context, idempotent);
      const clean = cleanResult(payload);
      if (clean !== undefined) return { body: payload, result: clean };
      return answerOf(parseSourceResult(remote.source, remote.upstream.name, payload), options.mask, context.requestId);
    } catch (error) {
      const schema = options.schema();
      return answerOf(failedRootFields(plan, { schema, document: plan.document }, error), options.mask, context.requestId);
    }
  }

  /** A whole-request refusal, as the full pipeline renders it (no `extensions.http`: that became the status and headers). */
  function refusal(error: JunctionError, requestId: string): FastPathReply {
    const json = options.mask(error.toGraphQLError(), requestId).toJSON();
    return { status: error.status, body: JSON.stringify({ errors: [json] }) };
  }
}

/** Runs the steps' after parts, last first; the reply the last one to replace it chose. */
async function settle(afters: readonly FastPathAfter[] | undefined, answer: FastPathAnswer | undefined): Promise<FastPathReply | undefined> {
  let reply: FastPathReply | undefined;
  if (afters === undefined) return reply;
  for (let index = afters.length - 1; index >= 0; index--) reply = (await afters[index]!(answer)) ?? reply;
  return reply;
}

function send(res: ServerResponse, requestId: string, contentType: string, policyHeaders: Record<string, string> | undefined, reply: FastPathReply, error?: JunctionError): void {
  if (reply.status === 304) {
    res.writeHead(304, policyHeaders);
    res.end();
    return;
  }
  const length = typeof reply.body === 'string' ? Buffer.byteLength(reply.body) : reply.body.length;
  // The request id here rather than by GatewayResponse: `headers` is this reply's own object, no copy needed.
  const headers: Record<string, string | number> = { 'content-type': contentType, 'content-length': length, 'x-request-id': requestId };
  if (policyHeaders !== undefined) for (const name in policyHeaders) headers[name] = policyHeaders[name]!;
  if (error?.headers !== undefined) for (const name in error.headers) headers[name] = error.headers[name]!;
  res.writeHead(reply.status, headers);
  res.end(reply.body);
}

/**
 * The result of bytes that are exactly `{"data":…}` (no errors, no extensions, no other key):
 * those go to the client unchanged; anything else is rebuilt from the parsed result.
 */
function cleanResult(payload: Buffer): ExecutionResult | undefined {
  if (!payload.subarray(0, DATA_START.length).equals(DATA_START)) return undefined;
  try {
    const value: unknown = JSON.parse(payload.toString('utf8'));
    return value !== null && typeof value === 'object' && Object.keys(value).length === 1 ? (value as ExecutionResult) : undefined;
  } catch {
    return undefined;
  }
}

interface ParsedRequest {
  query: string;
  operationName: string | undefined;
  variables: Record<string, unknown> | undefined;
}

function parseRequest(body: Buffer): ParsedRequest | undefined {
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const { query, operationName, variables, extensions } = value as Record<string, unknown>;
  if (typeof query !== 'string' || extensions !== undefined) return undefined;
  if (operationName !== undefined && operationName !== null && typeof operationName !== 'string') return undefined;
  if (variables !== undefined && variables !== null && (typeof variables !== 'object' || Array.isArray(variables))) return undefined;
  return { query, operationName: operationName ?? undefined, variables: (variables ?? undefined) as Record<string, unknown> | undefined };
}

/** NUL cannot appear in a GraphQL document, so no query text can pose as another key. */
function routeKey(query: string, operationName: string | undefined): string {
  return `${operationName ?? ''}\u0000${query}`;
}

/**
 * The response type Yoga would choose when the client's first listed type is one of the JSON
 * types (or anything); for any other first choice the full pipeline negotiates.
 */
function negotiate(accept: string | undefined): string | undefined {
  if (accept === undefined || accept === '' || accept === '*/*') return JSON_TYPE;
  const first = accept.split(',', 1)[0]!.split(';', 1)[0]!.trim().toLowerCase();
  if (first === 'application/json' || first === '*/*') return JSON_TYPE;
  if (first === 'application/graphql-response+json') return GRAPHQL_RESPONSE_TYPE;
  return undefined;
}

function headerLookup(req: IncomingMessage): HeaderLookup {
  return { get: (name) => headerValue(req.headers[name]) };
}

/** The request's context while the policy steps run: no signal yet, since an answer from the steps (a cache hit) needs none. */
type PendingContext = Omit<GatewayContext, 'signal'>;
/** Gives the same context object (the steps may have put things in it) its signal, aborted when the client leaves (or already left). */
function abortableOnClose(context: PendingContext, res: ServerResponse): GatewayContext {
  return Object.assign(context, { signal: new ResponseCloseSignal(res) });
}

function headerValue(value: string | string[] | undefined): string | null {
  if (value === undefined) return null;
  return Array.isArray(value) ? value.join(', ') : value;
}

/** A document several sources answer: executed on the gateway schema, as Yoga would (its delegations and links). */
function runStitched(route: FastRoute, schema: GraphQLSchema, variables: Record<string, unknown> | undefined, context: GatewayContext): Promise<ExecutionResult> | ExecutionResult {
  return execute({ schema, document: route.document, operationName: route.operationName, variableValues: variables, contextValue: context });
}

async function runLocally(plan: ForwardPlan, variables: Record<string, unknown> | undefined, context: GatewayContext): Promise<ExecutionResult> {
  return execute({ schema: plan.subschema.schema, document: plan.document, variableValues: variables, contextValue: context });
}

/**
 * The bytes of a result with its errors masked, and the result itself (errors unmasked) for the
 * policies. Its `extensions` are sent only when `withExtensions`: those of a stitched execution
 * are the gateway's own (field fallbacks); a source's never pass.
 */
function answerOf(result: ExecutionResult, mask: FastPathOptions['mask'], requestId: string, withExtensions = false): FastPathAnswer {
  const errors = result.errors?.map((error) => mask(error, requestId).toJSON());
  const sent: Record<string, unknown> = errors === undefined ? { data: result.data } : { data: result.data, errors };
  if (withExtensions && result.extensions !== undefined) sent['extensions'] = result.extensions;
  return { body: Buffer.from(JSON.stringify(sent)), result };
}
