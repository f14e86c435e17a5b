/**
 * Reading an OpenAPI document from disk (JSON or YAML) and checking it is something the
 * converter can use: OpenAPI 3.0.x or 3.1.x, with only local references.
 */
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { OpenApiDocument } from './document.js';
import { checkReferences } from './refs.js';

const SUPPORTED_VERSION = /^3\.[01]\.\d+/;

/**
 * Checks a parsed value is an OpenAPI 3.0/3.1 document with only local, resolvable
 * references. `origin` (a file name) appears in error messages.
 */
export function validateOpenApiDocument(value: unknown, origin: string): OpenApiDocument {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Error(`${origin} is not an OpenAPI document: expected an object at the top level`);
  }
  const doc = value as Record<string, unknown>;
  if (doc['swagger'] !== undefined) {
    throw new Error(`${origin} is Swagger ${String(doc['swagger'])}; only OpenAPI 3.0.x and 3.1.x are supported`);
  }
  const version = doc['openapi'];
  if (version === undefined) {
    throw new Error(`${origin} is not an OpenAPI document: the "openapi" version field is missing`);
  }
  if (typeof version !== 'string' || !SUPPORTED_VERSION.test(version)) {
    throw new Error(`${origin} has OpenAPI version "${String(version)}"; only 3.0.x and 3.1.x are supported`);
  }
  const paths = doc['paths'];
  if (paths !== undefined && (typeof paths !== 'object' || paths === null || Array.isArray(paths))) {
    throw new Error(`${origin} is not a valid OpenAPI document: "paths" must be an object`);
  }
  const openApi = value as OpenApiDocument;
  try {
    checkReferences(openApi);
  } catch (error) {
    throw new Error(`${origin}: ${(error as Error).message}`);
  }
  return openApi;
}

/** Parses document text: JSON when the file ends in `.json` or the text starts with `{`, YAML otherwise. */
export function parseOpenApiText(text: string, origin: string): OpenApiDocument {
  const json = extname(origin).toLowerCase() === '.json' || text.trimStart().startsWith('{');
  let value: unknown;
  try {
    value = json ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    throw new Error(`${origin} could not be parsed as ${json ? 'JSON' : 'YAML'}: ${(error as Error).message}`);
  }
  return validateOpenApiDocument(value, origin);
}

/** Reads a JSON or YAML OpenAPI 3.0.x/3.1.x document; throws a clear Error otherwise. */
export async function loadOpenApiDocument(file: string): Promise<OpenApiDocument> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new Error(`OpenAPI document ${file} could not be read: ${(error as Error).message}`);
  }
  return parseOpenApiText(text, file);
}
