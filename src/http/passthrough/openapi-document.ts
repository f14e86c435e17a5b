import { Kind, parse, print, type OperationDefinitionNode, type TypeNode } from 'graphql';
import type { RouteConfig } from '../../config/routes.js';
import { OPERATION_METHODS, type OpenApiDocument, type OperationObject, type PathItemObject } from '../../sources/openapi/document.js';
import { namespacedComponents, withNamespacedRefs } from './openapi-refs.js';
import type { CompiledRoute } from './route-table.js';

/** An upstream's own OpenAPI document, from an `openapi` source on that upstream. */
export interface UpstreamDocument {
  upstream: string;
  source: string;
  document: OpenApiDocument;
}

type Operation = Record<string, unknown>;
type Paths = Record<string, Record<string, Operation>>;

const ERROR_SCHEMA = {
  type: 'object',
  properties: { error: { type: 'object', properties: { code: { type: 'string' }, message: { type: 'string' }, requestId: { type: 'string' } } } },
};
const ERROR_RESPONSE = { description: 'Gateway error', content: { 'application/json': { schema: { $ref: '#/components/schemas/JunctionError' } } } };

/**
 * `GET /openapi.json`: every passthrough and aggregation route. A passthrough route whose
 * upstream has an OpenAPI source shows that document's operations at their public paths (its
 * rewrite undone); other routes get a generic entry. Built once at startup.
 */
export function buildOpenApiDocument(routes: readonly CompiledRoute[], documents: readonly UpstreamDocument[], title: string): Record<string, unknown> {
  const paths: Paths = {};
  const components: Record<string, Record<string, unknown>> = { schemas: { JunctionError: ERROR_SCHEMA } };
  for (const document of documents) {
    for (const [kind, entries] of Object.entries(namespacedComponents(document.document, document.source))) {
      components[kind] = { ...components[kind], ...entries };
    }
  }
  for (const route of routes) {
    const entries = route.config.operation !== undefined
      ? aggregationEntries(route)
      : documentedEntries(route, documents.filter((d) => d.upstream === route.config.upstream)) ?? genericEntries(route);
    for (const [path, operations] of entries) {
      const item = (paths[path] ??= {});
      for (const [method, operation] of Object.entries(operations)) item[method] ??= operation;
    }
  }
  return { openapi: '3.0.3', info: { title, version: '1.0.0' }, paths, components };
}

function methodsOf(route: CompiledRoute): string[] {
  const methods = route.methods === undefined ? [...OPERATION_METHODS] : [...route.methods].map((m) => m.toLowerCase());
  return methods.filter((method) => method !== 'head');
}

function openApiPath(template: string): string {
  return template.replace(/:([A-Za-z_][A-Za-z0-9_]*)/g, '{$1}');
}

function pathParameters(template: string): Operation[] {
  return [...template.matchAll(/\{([^}]+)\}/g)].map((match) => ({ name: match[1], in: 'path', required: true, schema: { type: 'string' } }));
}

function genericEntries(route: CompiledRoute): [string, Record<string, Operation>][] {
  const prefix = route.path.kind === 'prefix';
  const path = prefix ? `${route.path.template === '/' ? '' : route.path.template}/{path}` : openApiPath(route.path.template);
  const operations: Record<string, Operation> = {};
  for (const method of methodsOf(route)) {
    operations[method] = {
      operationId: `${route.config.name}_${method}`,
      summary: `Proxied to upstream "${route.config.upstream}"${prefix ? ' (any path below this prefix)' : ''}`,
      tags: [route.config.name],
      parameters: pathParameters(path),
      responses: { default: { description: 'The upstream answer' }, '502': ERROR_RESPONSE, '504': ERROR_RESPONSE },
    };
  }
  return [[path, operations]];
}

/** The upstream documents' operations that this route reaches, at their public paths; `undefined` when none. */
function documentedEntries(route: CompiledRoute, documents: readonly UpstreamDocument[]): [string, Record<string, Operation>][] | undefined {
  const entries: [string, Record<string, Operation>][] = [];
  const methods = new Set(methodsOf(route));
  for (const { document, source } of documents) {
    for (const [upstreamPath, item] of Object.entries(document.paths ?? {})) {
      const publicPath = publicPathOf(route, upstreamPath);
      if (publicPath === undefined) continue;
      const operations = documentedOperations(route, item, methods, source);
      if (Object.keys(operations).length > 0) entries.push([publicPath, operations]);
    }
  }
  return entries.length > 0 ? entries : undefined;
}

function documentedOperations(route: CompiledRoute, item: PathItemObject, methods: ReadonlySet<string>, source: string): Record<string, Operation> {
  const operations: Record<string, Operation> = {};
  for (const method of OPERATION_METHODS) {
    const operation = item[method] as OperationObject | undefined;
    if (operation === undefined || !methods.has(method)) continue;
    const copy = withNamespacedRefs({ ...operation, parameters: [...(item.parameters ?? []), ...(operation.parameters ?? [])] }, source);
    operations[method] = {
      ...copy,
      operationId: `${route.config.name}_${operation.operationId ?? method}`,
      tags: [route.config.name],
      responses: { ...copy.responses, '502': ERROR_RESPONSE, '504': ERROR_RESPONSE },
    };
  }
  return operations;
}

/** Undoes the route's rewrite for one upstream path template; `undefined` when the route cannot reach it. */
function publicPathOf(route: CompiledRoute, upstreamPath: string): string | undefined {
  const { rewrite } = route.config;
  const add = rewrite.addPrefix?.replace(/\/+$/, '') ?? '';
  if (add !== '' && upstreamPath !== add && !upstreamPath.startsWith(`${add}/`)) return undefined;
  const rest = upstreamPath.slice(add.length) || '/';
  if (rewrite.replacePath !== undefined) {
    const shape = (path: string): string => path.replace(/\{[^}]+\}/g, '{}');
    return shape(openApiPath(rewrite.replacePath)) === shape(rest) ? openApiPath(route.path.template) : undefined;
  }
  const strip = rewrite.stripPrefix === true ? route.path.literalPrefix : typeof rewrite.stripPrefix === 'string' ? rewrite.stripPrefix.replace(/\/+$/, '') : '';
  const candidate = strip + (rest === '/' && strip !== '' ? '' : rest);
  const sample = candidate.replace(/\{[^}]+\}/g, 'x');
  return route.path.match(sample) !== undefined ? candidate : undefined;
}

function aggregationEntries(route: CompiledRoute): [string, Record<string, Operation>][] {
  const path = openApiPath(route.path.template);
  const document = parse(route.config.operation ?? '');
  const operation = document.definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION
    && (route.config.operationName === undefined || d.name?.value === route.config.operationName));
  const pathNames = new Set(route.path.params);
  const query = (operation?.variableDefinitions ?? [])
    .filter((v) => !pathNames.has(v.variable.name.value))
    .map((v) => ({ name: v.variable.name.value, in: 'query', required: v.type.kind === Kind.NON_NULL_TYPE && v.defaultValue === undefined, schema: jsonType(v.type) }));
  const operations: Record<string, Operation> = {};
  for (const method of methodsOf(route)) {
    operations[method] = {
      operationId: route.config.name,
      summary: 'Aggregation: runs a GraphQL operation against the composed schema',
      description: `\`\`\`graphql\n${operation === undefined ? route.config.operation : print(operation)}\n\`\`\``,
      tags: [route.config.name],
      parameters: [...pathParameters(path), ...query],
      responses: { '200': { description: 'The operation\'s `data`; partial data adds an `errors` array', content: { 'application/json': { schema: { type: 'object' } } } }, '400': ERROR_RESPONSE, '502': ERROR_RESPONSE },
    };
  }
  return [[path, operations]];
}

function jsonType(type: TypeNode): Record<string, unknown> {
  if (type.kind === Kind.NON_NULL_TYPE) return jsonType(type.type);
  if (type.kind === Kind.LIST_TYPE) return { type: 'array', items: jsonType(type.type) };
  const scalar: Record<string, string> = { Int: 'integer', Float: 'number', Boolean: 'boolean' };
  return { type: scalar[type.name.value] ?? 'string' };
}
