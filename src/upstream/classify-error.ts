import { JunctionError, UpstreamTimeoutError, UpstreamUnavailableError } from '../errors.js';

const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

/**
 * Turns a transport error from undici into the error a client may see. Aborts caused by the
 * client itself are returned unchanged: nobody is left to answer.
 */
export function classifyTransportError(
  error: unknown,
  upstream: string,
  timeoutMs: number,
  signal: AbortSignal | undefined,
): unknown {
  if (error instanceof JunctionError) return error;
  if (signal?.aborted) return signal.reason ?? error;
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && TIMEOUT_CODES.has(code)) return new UpstreamTimeoutError(upstream, timeoutMs);
  return new UpstreamUnavailableError(upstream, error);
}

/** A short, client-safe label of a failure for health reports. */
export function failureLabel(error: unknown): string {
  if (error instanceof JunctionError) return error.code;
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : 'ERROR';
}
