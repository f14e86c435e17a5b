import type { ServerResponse } from 'node:http';
import { JunctionError, maskUnexpected, type ErrorCode } from '../errors.js';
import type { Logger } from '../logger.js';

/** Sends a JSON body with a length, in one write. */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const payload = JSON.stringify(body);
  res.writeHead(status, {
    ...headers,
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(payload),
  });
  res.end(payload);
}

/** The REST error shape: `{ error: { code, message, requestId } }` with the code's status. */
export function sendError(res: ServerResponse, requestId: string, error: JunctionError): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  sendJson(res, error.status, error.toRestBody(requestId), error.headers);
}

export function sendErrorCode(res: ServerResponse, requestId: string, code: ErrorCode, message: string): void {
  sendError(res, requestId, new JunctionError(code, message));
}

/** Answers a request that failed: a JunctionError as is, anything else masked (and logged in full). */
export function sendFailure(res: ServerResponse, requestId: string, error: unknown, logger: Logger): void {
  const masked = maskUnexpected(error, requestId);
  if (masked !== error) logger.error({ err: error, requestId }, 'unhandled error in route');
  sendError(res, requestId, masked);
}
