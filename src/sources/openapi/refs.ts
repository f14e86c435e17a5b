/**
 * Local `$ref` handling: JSON-pointer resolution inside the document, following chains
 * of references, and the load-time check that every reference is local and resolvable.
 */
import type { OpenApiDocument } from './document.js';

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/** Resolves a local reference (`#/components/schemas/Pet`); throws a clear Error otherwise. */
export function resolvePointer(doc: OpenApiDocument, ref: string): unknown {
  if (!ref.startsWith('#')) {
    throw new Error(`Remote $ref "${ref}" is not supported; only local references (#/components/...) are`);
  }
  const pointer = ref.slice(1);
  if (pointer === '') return doc;
  if (!pointer.startsWith('/')) throw new Error(`$ref "${ref}" is not a valid JSON pointer`);
  let current: unknown = doc;
  for (const rawToken of pointer.slice(1).split('/')) {
    const token = decodeURIComponent(rawToken).replace(/~1/g, '/').replace(/~0/g, '~');
    if (!isObject(current) || !Object.prototype.hasOwnProperty.call(current, token)) {
      throw new Error(`$ref "${ref}" does not resolve to anything in the document`);
    }
    current = current[token];
  }
  return current;
}

/**
 * Follows `$ref` until a non-reference object is reached. A cycle made only of references
 * (`A → B → A`) is an error rather than an endless loop.
 */
export function deref<T extends object>(doc: OpenApiDocument, value: T): T {
  let current: unknown = value;
  const seen = new Set<string>();
  while (isObject(current) && typeof current['$ref'] === 'string') {
    const ref = current['$ref'];
    if (seen.has(ref)) throw new Error(`$ref "${ref}" refers to itself`);
    seen.add(ref);
    current = resolvePointer(doc, ref);
  }
  if (!isObject(current)) throw new Error(`$ref "${[...seen].pop() ?? ''}" does not point to an object`);
  return current as T;
}

function escapeToken(token: string): string {
  return token.replace(/~/g, '~0').replace(/\//g, '~1');
}

/**
 * Walks the whole document and checks every `$ref`: remote ones (another file or URL)
 * are rejected, local ones must resolve. The error names where the reference sits.
 */
export function checkReferences(doc: OpenApiDocument): void {
  const visited = new Set<object>();
  const walk = (node: unknown, at: string): void => {
    if (!isObject(node) || visited.has(node)) return;
    visited.add(node);
    const ref = node['$ref'];
    if (typeof ref === 'string') {
      if (!ref.startsWith('#')) {
        throw new Error(`Remote $ref "${ref}" at ${at || '#'} is not supported; only local references (#/components/...) are`);
      }
      try {
        resolvePointer(doc, ref);
      } catch (error) {
        throw new Error(`${(error as Error).message} (at ${at || '#'})`);
      }
    }
    for (const [key, child] of Object.entries(node)) walk(child, `${at}/${escapeToken(key)}`);
  };
  walk(doc, '#');
}
