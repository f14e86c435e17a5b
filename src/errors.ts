import { GraphQLError } from 'graphql';

/**
 * The one table of error codes Junction emits, with the HTTP status each maps to.
 * GraphQL puts the code in `extensions.code` (and the status in `extensions.http.status`
 * where the whole request fails); REST answers `{ error: { code, message, requestId } }`.
 */
export const ERROR_CODES = {
  GRAPHQL_PARSE_FAILED: 400,
  GRAPHQL_VALIDATION_FAILED: 400,
  BAD_USER_INPUT: 400,
  BAD_REQUEST: 400,
  MAX_DEPTH_LIMIT: 400,
  MAX_ALIASES_LIMIT: 400,
  MAX_TOKENS_LIMIT: 400,
  MAX_DIRECTIVES_LIMIT: 400,
  MAX_ROOT_FIELDS_LIMIT: 400,
  COST_ESTIMATED_TOO_EXPENSIVE: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  ROUTE_NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  REQUEST_TIMEOUT: 408,
  PAYLOAD_TOO_LARGE: 413,
  RATE_LIMITED: 429,
  HEADERS_TOO_LARGE: 431,
  INTERNAL_SERVER_ERROR: 500,
  UPSTREAM_ERROR: 502,
  UPSTREAM_UNAVAILABLE: 502,
  UPSTREAM_CIRCUIT_OPEN: 503,
  AUTH_UNAVAILABLE: 503,
  SERVICE_UNAVAILABLE: 503,
  GATEWAY_TIMEOUT: 504,
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export interface JunctionErrorOptions {
  /** Extra, client-safe fields for `extensions` (never upstream bodies or hosts). */
  extensions?: Record<string, unknown>;
  /** Response headers the error implies (e.g. `Retry-After`). */
  headers?: Record<string, string>;
  /** Kept for logs only; never sent to a client. */
  cause?: unknown;
}

/**
 * An error whose message is safe to show a client. Anything that is not a JunctionError
 * (or a GraphQLError produced by graphql-js for the client's own document) is masked.
 */
export class JunctionError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly extensions: Record<string, unknown>;
  readonly headers: Record<string, string>;

  constructor(code: ErrorCode, message: string, options: JunctionErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'JunctionError';
    this.code = code;
    this.status = ERROR_CODES[code];
    this.extensions = options.extensions ?? {};
    this.headers = options.headers ?? {};
  }

  /** The GraphQL form: `extensions.code`, plus `extensions.http` for whole-request failures. */
  toGraphQLError(wholeRequest = false): GraphQLError {
    const extensions: Record<string, unknown> = { ...this.extensions, code: this.code };
    if (wholeRequest) extensions['http'] = { status: this.status, headers: this.headers };
    return new GraphQLError(this.message, { extensions, originalError: this });
  }

  /** The REST form: the JSON body of ../shared/BEHAVIOUR.md. */
  toRestBody(requestId: string): { error: { code: ErrorCode; message: string; requestId: string } } {
    return { error: { code: this.code, message: this.message, requestId } };
  }
}

/** The upstream could not be reached: refused, reset, DNS failure, TLS failure. */
export class UpstreamUnavailableError extends JunctionError {
  constructor(upstream: string, cause?: unknown) {
    super('UPSTREAM_UNAVAILABLE', `Upstream "${upstream}" is unavailable`, { cause, extensions: { upstream } });
  }
}

/** The upstream answered, but with a 5xx, a malformed body or a protocol error. */
export class UpstreamResponseError extends JunctionError {
  readonly upstreamStatus: number | undefined;
  constructor(upstream: string, upstreamStatus?: number, cause?: unknown) {
    const detail = upstreamStatus === undefined ? 'an invalid response' : `HTTP ${upstreamStatus}`;
    super('UPSTREAM_ERROR', `Upstream "${upstream}" answered with ${detail}`, {
      cause,
      extensions: upstreamStatus === undefined ? { upstream } : { upstream, upstreamStatus },
    });
    this.upstreamStatus = upstreamStatus;
  }
}

/** The upstream did not answer within its timeout or the request deadline. */
export class UpstreamTimeoutError extends JunctionError {
  constructor(upstream: string, timeoutMs: number) {
    super('GATEWAY_TIMEOUT', `Upstream "${upstream}" did not answer within ${timeoutMs} ms`, {
      extensions: { upstream },
    });
  }
}

/** The upstream's circuit breaker is open: no network call was made. */
export class CircuitOpenError extends JunctionError {
  constructor(upstream: string, retryAfterSeconds: number) {
    super('UPSTREAM_CIRCUIT_OPEN', `Upstream "${upstream}" is failing; its circuit is open`, {
      extensions: { upstream, retryAfter: retryAfterSeconds },
      headers: { 'retry-after': String(retryAfterSeconds) },
    });
  }
}

/** Wraps anything unexpected: the message is replaced, the original is kept for the log. */
export function maskUnexpected(error: unknown, requestId: string): JunctionError {
  if (error instanceof JunctionError) return error;
  return new JunctionError('INTERNAL_SERVER_ERROR', 'Unexpected error', {
    cause: error,
    extensions: { requestId },
  });
}

/** The Junction error an error wraps (a GraphQL error located on a field, say), if any. */
export function findJunctionError(error: unknown): JunctionError | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 8 && current !== undefined && current !== null; depth++) {
    if (current instanceof JunctionError) return current;
    current = (current as { originalError?: unknown }).originalError;
  }
  return undefined;
}
