import type { ServerResponse } from 'node:http';
import { JunctionError, type ErrorCode } from '../errors.js';

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
