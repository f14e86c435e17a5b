import { UpstreamTimeoutError, UpstreamUnavailableError } from '../errors.js';

/**
 * What an attempt says about the backend's health. Connect errors, resets, timeouts and 5xx are
 * failures; any other answer (4xx included: GraphQL validation errors arrive as 200/400) is a
 * success; a call the client abandoned says nothing.
 */
export type Outcome = 'success' | 'failure' | 'neutral';

export function outcomeOfStatus(statusCode: number): Outcome {
  return statusCode >= 500 ? 'failure' : 'success';
}

export function outcomeOfError(error: unknown): Outcome {
  return error instanceof UpstreamUnavailableError || error instanceof UpstreamTimeoutError ? 'failure' : 'neutral';
}
