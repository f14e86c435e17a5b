/**
 * The OpenAPI → GraphQL converter of the `openapi` source kind.
 *
 * Mapping, in short:
 * - GET → Query field; POST/PUT/PATCH/DELETE → Mutation field (HEAD/OPTIONS/TRACE are
 *   ignored). Field name: the operationId (sanitised), else derived from method and path
 *   (`GET /products/{id}` → `getProductsById`); clashes get `2`, `3`… in document order.
 * - Path, query and header parameters → arguments (required → non-null); a JSON request
 *   body → the `input` argument (`body` if a parameter is already called `input`).
 *   Cookie parameters and non-JSON bodies are not supported (an operation whose required
 *   body is not JSON is left out).
 * - Return type: the JSON schema of 200, 201, other 2xx, `2XX`, else `default`. An
 *   operation documented without a response body returns `Boolean` (`true` on success).
 * - Types: component schemas keep their (sanitised) name; inline ones are named after
 *   where they sit: `<Field>Response`, `<Parent><Property>`, list elements in the singular
 *   (`<Parent><Property>` minus the plural `s`, or `…Item`), union members without a
 *   component `<Union>Option<n>`, input objects `<Name>Input`. integer → Int (int64 →
 *   Float), number → Float, string (any format) → String, boolean → Boolean; enums →
 *   enums with sanitised value names (`in-stock` → `in_stock`); allOf → merged object;
 *   oneOf/anyOf of objects → union; maps, untyped and mixed schemas → `JSON`.
 * - Non-2xx answers become field errors (see `field-errors.ts`); a 404 on a field that
 *   returns a single object gives `null`.
 */
export type { RestCall } from './request.js';
export type { RestResult } from './response.js';
export type { RestCaller } from './operations.js';
export type { OpenApiSchemaOptions } from './schema.js';
export type { OpenApiDocument } from './document.js';
export { loadOpenApiDocument, validateOpenApiDocument } from './load.js';
export { openApiToSchema } from './schema.js';
export { GraphQLJSON } from './json-scalar.js';
