/**
 * The response side of an operation: which documented response gives the return type,
 * and how an upstream answer becomes a field value or a field error.
 *
 * - 2xx: the parsed JSON body; operations documented without a response body return
 *   `true` (type `Boolean`).
 * - 404 when the field returns a single object (or union): `null`.
 * - 400/422 → BAD_USER_INPUT, 401 → UNAUTHENTICATED, 403 → FORBIDDEN, any other status
 *   → UPSTREAM_ERROR. Messages never carry the upstream body, URL or host.
 */
import type { MediaTypeObject, OpenApiDocument, OperationObject, ResponseObject } from './document.js';
import { invalidResponse, statusError } from './field-errors.js';
import { deref } from './refs.js';

export interface RestResult {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** Parsed JSON, or undefined for an empty body. */
  body: unknown;
}

/** The content of a JSON media type: `application/json`, `*+json`, or a wildcard. */
export function jsonMedia(content: Record<string, MediaTypeObject> | undefined): [string, MediaTypeObject] | undefined {
  const entries = Object.entries(content ?? {});
  const isJson = (type: string): boolean => {
    const base = type.split(';')[0]!.trim().toLowerCase();
    return base === 'application/json' || base.endsWith('+json');
  };
  return entries.find(([type]) => isJson(type)) ?? entries.find(([type]) => type === '*/*' || type === 'application/*');
}

/** The response that defines the return type: 200, 201, other 2xx, `2XX`, then `default`. */
export function successResponse(doc: OpenApiDocument, operation: OperationObject): ResponseObject | undefined {
  const responses = operation.responses ?? {};
  const codes = Object.keys(responses);
  const twoXX = codes.filter((code) => /^2\d\d$/.test(code)).sort((a, b) => rank(a) - rank(b));
  const chosen = twoXX[0] ?? codes.find((code) => code.toUpperCase() === '2XX') ?? (codes.includes('default') ? 'default' : undefined);
  const response = chosen === undefined ? undefined : responses[chosen];
  return response && typeof response === 'object' ? deref(doc, response) : undefined;
}

function rank(code: string): number {
  return code === '200' ? 0 : code === '201' ? 1 : Number(code);
}

/** How the field's value relates to the upstream body. */
export type ResultKind = 'boolean' | 'object' | 'list' | 'value';

/** Compiles the status and body handling for one field. */
export function resultHandler(sourceName: string, kind: ResultKind): (result: RestResult) => unknown {
  return (result) => {
    const { status, body } = result;
    if (status >= 200 && status < 300) {
      if (kind === 'boolean') return true;
      if (body === undefined || body === null) return null;
      if (kind === 'object' && (typeof body !== 'object' || Array.isArray(body))) throw invalidResponse(sourceName);
      if (kind === 'list' && !Array.isArray(body)) throw invalidResponse(sourceName);
      return body;
    }
    if (status === 404 && kind === 'object') return null;
    throw statusError(sourceName, status);
  };
}
