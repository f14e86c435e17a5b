import { GraphQLError } from 'graphql';
import { findJunctionError } from '../../errors.js';
import type { Logger } from '../../logger.js';

const SUGGESTION = / Did you mean .+\?$/;

export interface MaskOptions {
  logger: Logger;
  /** Keep "Did you mean …?" hints in validation errors (development only). */
  suggestions: boolean;
  /** Show unexpected errors' messages (development flag; never in production). */
  exposeDetails: boolean;
}

/**
 * Maps every error to its client form exactly once. Junction errors keep their message and
 * code; errors graphql-js raised about the client's own document pass through; anything else
 * is masked as INTERNAL_SERVER_ERROR with the request id and logged in full.
 */
export function createMaskError(options: MaskOptions): (error: unknown, requestId: string | undefined) => GraphQLError {
  return function maskError(error, requestId) {
    if (!(error instanceof GraphQLError)) return unexpected(error, undefined, requestId);
    const junction = findJunctionError(error);
    if (junction !== undefined) {
      return new GraphQLError(junction.message, {
        nodes: error.nodes,
        path: error.path,
        extensions: { ...junction.extensions, ...error.extensions, code: junction.code },
      });
    }
    if (error.originalError === undefined || error.originalError === null || error.originalError instanceof GraphQLError) {
      return options.suggestions ? error : withoutSuggestion(error);
    }
    return unexpected(error.originalError, error, requestId);
  };

  function unexpected(cause: unknown, located: GraphQLError | undefined, requestId = 'unknown'): GraphQLError {
    // A client that went away aborts its upstream calls: expected, and nobody is left to answer.
    if (isAbort(cause)) options.logger.debug({ requestId }, 'request aborted by the client');
    else options.logger.error({ err: cause, requestId, path: located?.path }, 'unexpected error');
    const message = options.exposeDetails && cause instanceof Error ? cause.message : 'Unexpected error';
    return new GraphQLError(message, {
      nodes: located?.nodes,
      path: located?.path,
      extensions: { code: 'INTERNAL_SERVER_ERROR', requestId },
    });
  }
}

export function withoutSuggestion(error: GraphQLError): GraphQLError {
  if (!SUGGESTION.test(error.message)) return error;
  return new GraphQLError(error.message.replace(SUGGESTION, ''), {
    nodes: error.nodes,
    path: error.path,
    extensions: error.extensions,
  });
}

function isAbort(error: unknown): boolean {
  return (error as { name?: unknown } | null)?.name === 'AbortError';
}
