/** The OpenAPI → GraphQL converter of the `openapi` source kind. */
export type { RestCall } from './request.js';
export type { RestResult } from './response.js';
export type { RestCaller } from './operations.js';
export type { OpenApiSchemaOptions } from './schema.js';
export type { OpenApiDocument } from './document.js';
export { loadOpenApiDocument, validateOpenApiDocument } from './load.js';
export { openApiToSchema } from './schema.js';
export { GraphQLJSON } from './json-scalar.js';
