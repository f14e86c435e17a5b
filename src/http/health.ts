import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendJson } from './respond.js';

export interface SourceReadiness {
  name: string;
  upstream: string;
  /** The source's schema is part of the composed schema. */
  loaded: boolean;
  /** The upstream answered its last request or probe; `null` when not known yet. */
  reachable: boolean | null;
  /** Client-safe reason of the last failure. */
  error?: string;
}

export interface Readiness {
  /** `ready`: all sources loaded and reachable; `degraded`: serving without some; `unavailable`: not serving. */
  status: 'ready' | 'degraded' | 'unavailable';
  sources: SourceReadiness[];
}

/** `/healthz`: the process is alive and its event loop turns. */
export function healthzRoute(_req: IncomingMessage, res: ServerResponse): void {
  sendJson(res, 200, { status: 'ok' });
}

/** `/readyz`: 200 while the gateway serves (ready or degraded), 503 when it does not. */
export function readyzRoute(readiness: () => Promise<Readiness>) {
  return async function readyz(_req: IncomingMessage, res: ServerResponse): Promise<void> {
    const report = await readiness();
    sendJson(res, report.status === 'unavailable' ? 503 : 200, report, { 'cache-control': 'no-store' });
  };
}
