import type { IncomingMessage } from 'node:http';
import { JunctionError } from '../errors.js';

/**
 * Reads a request body that came without a Content-Length (chunked), refusing it with 413 as
 * soon as it grows past the cap, so a client cannot make the gateway buffer without bound. The
 * rest of the body is left unread; the refusal closes the connection.
 */
export function readCappedBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size <= maxBytes) {
        chunks.push(chunk);
        return;
      }
      cleanup();
      req.pause();
      reject(new JunctionError('PAYLOAD_TOO_LARGE', 'Request body is too large', { headers: { connection: 'close' } }));
    };
    const onEnd = (): void => {
      cleanup();
      resolve(Buffer.concat(chunks, size));
    };
    const onError = (error: Error): void => {
      cleanup();
      reject(error);
    };
    function cleanup(): void {
      req.off('data', onData).off('end', onEnd).off('error', onError);
    }
    req.on('data', onData).on('end', onEnd).on('error', onError);
  });
}
