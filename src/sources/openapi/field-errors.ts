/**
 * The errors resolvers throw. They are JunctionErrors (so the gateway's error masking
 * keeps their message and code); the code is also put into `extensions`, because
 * graphql-js copies a thrown error's `extensions` into the field error it reports.
 * Messages never carry the upstream body, URL or host.
 */
import { JunctionError, UpstreamResponseError, type ErrorCode } from '../../errors.js';

function withCode<T extends JunctionError>(error: T): T {
  error.extensions['code'] = error.code;
  return error;
}

/** A non-2xx answer: 400/422 → BAD_USER_INPUT, 401 → UNAUTHENTICATED, 403 → FORBIDDEN, else UPSTREAM_ERROR. */
export function statusError(sourceName: string, status: number): JunctionError {
  const extensions = { upstream: sourceName, upstreamStatus: status };
  const junction = (code: ErrorCode, message: string): JunctionError => new JunctionError(code, message, { extensions });
  if (status === 400 || status === 422) {
    return withCode(junction('BAD_USER_INPUT', `Upstream "${sourceName}" rejected the request as invalid (HTTP ${status})`));
  }
  if (status === 401) return withCode(junction('UNAUTHENTICATED', `Upstream "${sourceName}" requires authentication`));
  if (status === 403) return withCode(junction('FORBIDDEN', `Upstream "${sourceName}" refused access`));
  return withCode(new UpstreamResponseError(sourceName, status));
}

/** A 2xx answer whose body does not have the documented shape. */
export function invalidResponse(sourceName: string): JunctionError {
  return withCode(new UpstreamResponseError(sourceName));
}

/** An argument value that cannot be sent (e.g. an empty path segment, a line break in a header). */
export function badArgument(argName: string, problem: string): JunctionError {
  return withCode(new JunctionError('BAD_USER_INPUT', `Argument "${argName}" ${problem}`));
}
