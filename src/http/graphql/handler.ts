import type { IncomingMessage, ServerResponse } from 'node:http';
import { NoSchemaIntrospectionCustomRule, type GraphQLError, type GraphQLSchema } from 'graphql';
import { createYoga, type Plugin } from 'graphql-yoga';
import type { GraphqlConfig } from '../../config/index.js';
import { clientSignalOf, type GatewayContext } from '../../context.js';
import type { Logger } from '../../logger.js';
import { readCappedBody } from '../read-capped-body.js';
import { headersOf, sendFetchResponse } from '../fetch-bridge.js';
import type { FastPathPolicies } from '../../../directives/index.js';
import type { OperationPlanner } from '../../compose/plan.js';
import { useCsrfPrevention } from './csrf.js';
import { createFastPath, type FastPathOptions, type RemoteSource } from './fast-path.js';
import { useForwardPlans } from './forward.js';
import { useQueryLimits } from './limits.js';
import { createMaskError, withoutSuggestion } from './mask-error.js';

export interface GraphqlHandlerOptions {
  config: GraphqlConfig;
  /** The schema in force; read per request so a reload swaps it between requests. */
  getSchema: () => GraphQLSchema;
  logger: Logger;
  /** Extra plugins (policies), in order. */
  plugins?: Plugin[];
  /** Cap for bodies sent without a Content-Length (those with one are checked by the server). */
  maxBodyBytes: number;
  /** Plans operations one source answers alone (they skip delegation). */
  planner?: () => OperationPlanner | undefined;
  /**
   * GraphQL sources the fast path may post to by name. Undefined turns the fast path off, as it
   * must be when a policy has no fast-path form.
   */
  fastPathSources?: (sourceName: string) => RemoteSource | undefined;
  /** The policies' work on the fast path (see directives/policy.ts). */
  fastPathPolicies?: FastPathPolicies;
  /** What execution plugins add to a stitched result the fast path executes (see fast-path.ts). */
  finishStitched?: FastPathOptions['finishStitched'];
}

/** What the HTTP server hands Yoga with each request. */
export interface GraphqlServerContext {
  req: IncomingMessage;
  res: ServerResponse;
  requestId: string;
}

export type GraphqlHandler = (req: IncomingMessage, res: ServerResponse, requestId: string) => Promise<void>;

/**
 * The GraphQL-over-HTTP surface (Yoga): parsing and validation cached per document, query
 * limits, CSRF prevention, introspection and suggestions off in production, errors masked.
 */
export function createGraphqlHandler(options: GraphqlHandlerOptions): GraphqlHandler {
  const { config, logger } = options;
  const production = config.mode === 'production';
  const introspection = config.introspection ?? !production;
  const mask = createMaskError({ logger, suggestions: !production, exposeDetails: config.exposeErrorDetails && !production });
  const fastPath = options.fastPathSources
    ? createFastPath({ schema: options.getSchema, remoteFor: options.fastPathSources, mask, policies: options.fastPathPolicies, finishStitched: options.finishStitched })
    : undefined;

  const yoga = createYoga<GraphqlServerContext, GatewayContext>({
    schema: () => options.getSchema(),
    graphqlEndpoint: config.path,
    graphiql: config.graphiql ?? introspection,
    landingPage: false,
    batching: false,
    healthCheckEndpoint: false as unknown as string,
    logging: false,
    maskedErrors: { maskError: (error) => mask(error, undefined) },
    context: ({ request, requestId }) => ({ requestId, clientHeaders: request.headers, signal: clientSignalOf(request.signal) }),
    plugins: [
      useCsrfPrevention(),
      useQueryLimits(config.limits),
      ...(introspection ? [] : [useNoIntrospection()]),
      ...(production ? [useNoSuggestions()] : []),
      useRequestIdOnErrors(mask),
      ...(options.plugins ?? []),
      ...(options.planner ? [useForwardPlans(options.planner, fastPath)] : []),
    ],
  });

  return async function handleGraphql(req, res, requestId) {
    if (req.method === 'POST' && (req.headers['content-length'] === undefined || fastPath !== undefined)) {
      const body = await readCappedBody(req, options.maxBodyBytes);
      if (fastPath !== undefined && isJsonRequest(req) && (await fastPath.serve(req, res, requestId, body))) return;
      const request = new Request(`http://gateway${req.url ?? '/'}`, {
        method: 'POST',
        headers: headersOf(req),
        body: body.toString('utf8'),
        signal: abortedWhenClientLeaves(res),
      });
      const response = await yoga.fetch(request, { req, res, requestId });
      await sendFetchResponse(res, response);
      return;
    }
    await yoga.handle(req, res, { req, res, requestId });
  };
}

/** A signal that aborts if the connection closes before the response is finished. */
function abortedWhenClientLeaves(res: ServerResponse): AbortSignal {
  const controller = new AbortController();
  res.once('close', () => {
    if (!res.writableFinished) controller.abort();
  });
  return controller.signal;
}

function isJsonRequest(req: IncomingMessage): boolean {
  const type = req.headers['content-type'];
  return type !== undefined && /^application\/json\s*(;|$)/i.test(type);
}

function useNoIntrospection(): Plugin {
  return {
    onValidate({ addValidationRule }) {
      addValidationRule(NoSchemaIntrospectionCustomRule);
    },
  };
}

/** Drops "Did you mean …?" from validation errors, so a schema cannot be guessed field by field. */
function useNoSuggestions(): Plugin {
  return {
    onValidate() {
      return ({ valid, result, setResult }) => {
        if (!valid) setResult(result.map((error) => withoutSuggestion(error as GraphQLError)));
      };
    },
  };
}

/** Masks execution errors where the request id is known, so a masked error names its request. */
function useRequestIdOnErrors(mask: ReturnType<typeof createMaskError>): Plugin<GatewayContext> {
  return {
    onExecute({ args }) {
      const requestId = args.contextValue.requestId;
      return {
        onExecuteDone({ result, setResult }) {
          if (Symbol.asyncIterator in result || !result.errors || result.errors.length === 0) return;
          setResult({ ...result, errors: result.errors.map((error) => mask(error, requestId)) });
        },
      };
    },
  };
}
