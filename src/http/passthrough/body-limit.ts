import type { IncomingMessage } from 'node:http';
import { Transform, type TransformCallback } from 'node:stream';
import { JunctionError } from '../../errors.js';

/** The 413 of a request body over a route's limit. */
export function payloadTooLarge(maxBytes: number): JunctionError {
  return new JunctionError('PAYLOAD_TOO_LARGE', `Request body is larger than ${maxBytes} bytes`, { headers: { connection: 'close' } });
}

/**
 * The request body to stream upstream, or `null` when there is none. A declared
 * `Content-Length` over the limit is refused before anything is sent; node's parser already
 * holds the body to its declared length, so it streams as is. A chunked body is counted as it
 * passes and fails with 413 the moment it goes over. Nothing is buffered beyond the streams'
 * own high-water marks, so back-pressure reaches the client.
 */
export function requestBody(req: IncomingMessage, maxBytes: number): IncomingMessage | Transform | null {
  const length = req.headers['content-length'];
  if (length !== undefined) {
    if (Number(length) > maxBytes) throw payloadTooLarge(maxBytes);
    return length === '0' ? null : req;
  }
  if (req.headers['transfer-encoding'] === undefined) return null;
  const counter = new ByteLimit(maxBytes);
  req.on('error', (error) => counter.destroy(error));
  return req.pipe(counter);
}

class ByteLimit extends Transform {
  private seen = 0;
  constructor(private readonly maxBytes: number) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.seen += chunk.length;
    if (this.seen > this.maxBytes) callback(payloadTooLarge(this.maxBytes));
    else callback(null, chunk);
  }
}
