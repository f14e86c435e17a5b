import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import type { MetricsConfig } from '../config/index.js';
import type { Logger } from '../logger.js';

export interface MetricsListener {
  listen(): Promise<AddressInfo>;
  /** The bound address; undefined until `listen` resolved and after `close`. */
  address(): AddressInfo | undefined;
  close(): Promise<void>;
}

/**
 * The metrics endpoint on a listener of its own (`metrics.host`, `metrics.port`), so that it is
 * never reachable through the public one. Answers GET and HEAD of `metrics.path` only.
 */
export function createMetricsListener(config: MetricsConfig, registry: Registry, logger: Logger): MetricsListener {
  const server = createServer((req, res) => void answer(req, res));
  let bound: AddressInfo | undefined;

  async function answer(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (pathOf(req.url) !== config.path) return plain(res, 404, 'Not found');
    if (req.method !== 'GET' && req.method !== 'HEAD') return plain(res, 405, 'Method not allowed', { allow: 'GET, HEAD' });
    let text: string;
    try {
      text = await registry.metrics();
    } catch (error) {
      logger.error({ err: error }, 'collecting metrics failed');
      return plain(res, 500, 'Collecting metrics failed');
    }
    res.writeHead(200, { 'content-type': registry.contentType, 'cache-control': 'no-store' });
    res.end(req.method === 'HEAD' ? undefined : text);
  }

  return {
    listen: () => new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(config.port, config.host, () => {
        server.off('error', reject);
        bound = server.address() as AddressInfo;
        resolve(bound);
      });
    }),
    address: () => bound,
    close: () => new Promise((resolve) => {
      if (!server.listening) return resolve();
      bound = undefined;
      server.close(() => resolve());
      // Scrapers keep their connection open between scrapes.
      server.closeAllConnections();
    }),
  };
}

function plain(res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', ...headers });
  res.end(`${text}\n`);
}

function pathOf(url = '/'): string {
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}
