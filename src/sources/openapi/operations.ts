/**
 * Operations → root fields. GET becomes a Query field, POST/PUT/PATCH/DELETE Mutation
 * fields; the field name is the sanitised operationId (or derived from method and path),
 * path/query/header parameters become arguments, a JSON request body the `input`
 * argument, and the success response the return type (`Boolean` when it has no body).
 */
import { GraphQLBoolean, GraphQLNonNull, type GraphQLFieldConfig, type GraphQLFieldConfigArgumentMap, type GraphQLOutputType } from 'graphql';
import type { BuildContext } from './context.js';
import { OPERATION_METHODS, type OperationMethod, type OperationObject, type ParameterObject, type PathItemObject, type RequestBodyObject } from './document.js';
import { InputTypes } from './inputs.js';
import { GraphQLJSON } from './json-scalar.js';
import { NameRegistry, deriveOperationName, pascal, toFieldName } from './names.js';
import { deref } from './refs.js';
import { compileRequest, type BodyBinding, type ParameterBinding, type RestCall } from './request.js';
import { jsonMedia, resultHandler, successResponse, type RestResult, type ResultKind } from './response.js';
import { OutputTypes } from './types.js';

/** `context` is the GraphQL context value, passed through untouched. */
export type RestCaller = (call: RestCall, context: unknown) => Promise<RestResult>;

export interface OperationField {
  root: 'Query' | 'Mutation';
  name: string;
  config: GraphQLFieldConfig<unknown, unknown>;
}

/** Header parameters the spec says to ignore: they are set by the transport. */
const IGNORED_HEADERS = new Set(['accept', 'content-type', 'authorization']);

function describe(...parts: (string | undefined)[]): string | undefined {
  const text = parts.filter((part): part is string => typeof part === 'string' && part.trim() !== '');
  return text.length > 0 ? text.join('\n\n') : undefined;
}

/** Path-item parameters overridden by operation parameters of the same name and location. */
function parametersOf(context: BuildContext, path: string, item: PathItemObject, operation: OperationObject): ParameterObject[] {
  const merged = new Map<string, ParameterObject>();
  for (const raw of [...(item.parameters ?? []), ...(operation.parameters ?? [])]) {
    const param = deref(context.doc, raw);
    merged.set(`${param.in}:${param.name}`, param);
  }
  // A `{name}` in the path that no parameter declares still needs an argument.
  for (const match of path.matchAll(/\{([^}]*)\}/g)) {
    const name = match[1] ?? '';
    if (!merged.has(`path:${name}`)) merged.set(`path:${name}`, { name, in: 'path', required: true, schema: { type: 'string' } });
  }
  return [...merged.values()].filter(
    (p) => p.in === 'path' || p.in === 'query' || (p.in === 'header' && !IGNORED_HEADERS.has(p.name.toLowerCase())),
  );
}

class OperationBuilder {
  private readonly fieldNames = new NameRegistry();
  private readonly outputs: OutputTypes;
  private readonly inputs: InputTypes;

  constructor(private readonly context: BuildContext, private readonly call: RestCaller) {
    this.outputs = new OutputTypes(context);
    this.inputs = new InputTypes(context);
  }

  build(): OperationField[] {
    const fields: OperationField[] = [];
    for (const [path, rawItem] of Object.entries(this.context.doc.paths ?? {})) {
      if (typeof rawItem !== 'object' || rawItem === null) continue;
      const item = deref(this.context.doc, rawItem);
      for (const method of Object.keys(item)) {
        const operation = item[method];
        if (!(OPERATION_METHODS as readonly string[]).includes(method) || typeof operation !== 'object' || !operation) continue;
        const field = this.operation(path, method as OperationMethod, item, operation as OperationObject);
        if (field) fields.push(field);
      }
    }
    return fields;
  }

  private operation(path: string, method: OperationMethod, item: PathItemObject, operation: OperationObject): OperationField | undefined {
    const { doc, sourceName } = this.context;
    let body: RequestBodyObject | undefined = operation.requestBody ? deref(doc, operation.requestBody) : undefined;
    const bodyMedia = body ? jsonMedia(body.content) : undefined;
    // A required body we cannot express (form data, files…) makes the operation unusable.
    if (body && !bodyMedia && body.required === true) return undefined;
    if (!bodyMedia) body = undefined;

    const name = this.fieldNames.claim(
      typeof operation.operationId === 'string' && operation.operationId !== ''
        ? toFieldName(operation.operationId)
        : deriveOperationName(method, path),
    );
    const typeBase = pascal(name);
    const argNames = new NameRegistry();
    const args: GraphQLFieldConfigArgumentMap = {};
    const parameters: ParameterBinding[] = [];

    for (const param of parametersOf(this.context, path, item, operation)) {
      const media = param.schema ? undefined : jsonMedia(param.content);
      const schema = param.schema ?? media?.[1].schema ?? {};
      const argName = argNames.claim(toFieldName(param.name));
      const input = this.inputs.type(schema, `${typeBase}${pascal(param.name)}`);
      const required = (param.required === true || param.in === 'path') && !input.nullable;
      args[argName] = {
        type: required ? new GraphQLNonNull(input.type) : input.type,
        description: param.description,
        deprecationReason: param.deprecated === true && !required ? 'Deprecated in the OpenAPI document' : undefined,
      };
      parameters.push({
        argName,
        name: param.name,
        in: param.in as ParameterBinding['in'],
        style: param.style,
        explode: param.explode,
        json: media !== undefined,
        convert: this.inputs.converter(input.type),
      });
    }

    let bodyBinding: BodyBinding | undefined;
    if (body && bodyMedia) {
      const argName = argNames.claim(argNames.has('input') ? 'body' : 'input');
      const input = this.inputs.type(bodyMedia[1].schema ?? {}, typeBase);
      const required = body.required === true && !input.nullable;
      args[argName] = { type: required ? new GraphQLNonNull(input.type) : input.type, description: body.description };
      bodyBinding = { argName, contentType: bodyMedia[0], convert: this.inputs.converter(input.type) };
    }

    const { type, kind } = this.returnType(operation, typeBase);
    const buildCall = compileRequest({ method: method.toUpperCase(), path, operationId: name, parameters, body: bodyBinding });
    const handle = resultHandler(sourceName, kind);
    const call = this.call;
    return {
      root: method === 'get' ? 'Query' : 'Mutation',
      name,
      config: {
        type,
        args,
        description: describe(operation.summary, operation.description),
        deprecationReason: operation.deprecated === true ? 'Deprecated in the OpenAPI document' : undefined,
        resolve: async (_source, fieldArgs, context) => handle(await call(buildCall(fieldArgs), context)),
      },
    };
  }

  private returnType(operation: OperationObject, typeBase: string): { type: GraphQLOutputType; kind: ResultKind } {
    const response = successResponse(this.context.doc, operation);
    const content = response?.content;
    if (!content || Object.keys(content).length === 0) return { type: GraphQLBoolean, kind: 'boolean' };
    const schema = jsonMedia(content)?.[1].schema;
    if (!schema) return { type: GraphQLJSON, kind: 'value' };
    const output = this.outputs.type(schema, `${typeBase}Response`);
    const kind = output.shape.kind;
    return { type: output.type, kind: kind === 'object' || kind === 'union' ? 'object' : kind === 'array' ? 'list' : 'value' };
  }
}

export function buildOperations(context: BuildContext, call: RestCaller): OperationField[] {
  return new OperationBuilder(context, call).build();
}
