import type { IncomingMessage, ServerResponse } from 'node:http';
import { CallCounter, HttpError, sendError, splitUrl, type Handler } from './service.js';

export interface RouteContext {
  req: IncomingMessage;
  res: ServerResponse;
  /** Decoded path parameters, e.g. `{ id: 'p1' }` for `/products/{id}`. */
  params: Record<string, string>;
  query: URLSearchParams;
}

export interface Route {
  method: string;
  /** Path template such as `/products/{id}`; also the call-counter key (`'GET /products/{id}'`). */
  template: string;
  handle(ctx: RouteContext): void | Promise<void>;
}

interface CompiledRoute extends Route {
  key: string;
  segments: string[];
}

function segmentsOf(path: string): string[] {
  const trimmed = path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
  return trimmed.split('/').slice(1);
}

function match(route: CompiledRoute, segments: string[]): Record<string, string> | undefined {
  if (route.segments.length !== segments.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < segments.length; i++) {
    const expected = route.segments[i]!;
    const actual = segments[i]!;
    if (expected.startsWith('{') && expected.endsWith('}')) {
      if (actual === '') return undefined;
      try {
        params[expected.slice(1, -1)] = decodeURIComponent(actual);
      } catch {
        throw new HttpError(400, 'Malformed path');
      }
    } else if (expected !== actual) {
      return undefined;
    }
  }
  return params;
}

/**
 * A tiny router: counts `'<METHOD> <template>'` for every matched route, answers 405 (with `Allow`)
 * when the path exists under another method and a JSON 404 otherwise.
 */
export function createRestHandler(routes: Route[], counter: CallCounter): Handler {
  const compiled: CompiledRoute[] = routes.map((r) => ({
    ...r,
    key: `${r.method} ${r.template}`,
    segments: segmentsOf(r.template),
  }));
  return async (req, res) => {
    const { path, query } = splitUrl(req.url);
    const segments = segmentsOf(path);
    const method = req.method ?? 'GET';
    const allowed: string[] = [];
    for (const route of compiled) {
      const params = match(route, segments);
      if (!params) continue;
      if (route.method !== method) {
        allowed.push(route.method);
        continue;
      }
      counter.hit(route.key);
      await route.handle({ req, res, params, query });
      return;
    }
    if (allowed.length > 0) {
      sendError(res, 405, 'METHOD_NOT_ALLOWED', `Method ${method} not allowed`, { allow: allowed.join(', ') });
    } else {
      sendError(res, 404, 'ROUTE_NOT_FOUND', `No route for ${method} ${path}`);
    }
  };
}
