/**
 * Turns the arguments of one field into a RestCall. Everything is prepared once per
 * operation (the path template split into literal parts and parameter slots, the
 * serialiser of each argument); a call only concatenates strings.
 */
import type { Converter } from './inputs.js';
import { headerSerializer, pathSerializer, querySerializer, type QuerySerializer, type ValueSerializer } from './serialize.js';

export interface RestCall {
  /** Upper case, e.g. `GET`. */
  method: string;
  /** The path with parameters substituted and URL-encoded, plus `?query` if any. */
  path: string;
  /** Header parameters from the arguments, and `content-type` when there is a body; lower-case names. */
  headers: Record<string, string>;
  /** JSON text of the request body. */
  body?: string;
  /** The GraphQL field name this call serves (for logs and metrics). */
  operationId: string;
}

export interface ParameterBinding {
  argName: string;
  /** The parameter name in the document. */
  name: string;
  in: 'path' | 'query' | 'header';
  style: string | undefined;
  explode: boolean | undefined;
  /** Sent as JSON (`content: application/json` instead of `schema`). */
  json: boolean;
  convert: Converter | undefined;
}

export interface BodyBinding {
  argName: string;
  contentType: string;
  convert: Converter | undefined;
}

export interface RequestPlan {
  method: string;
  path: string;
  operationId: string;
  parameters: ParameterBinding[];
  body: BodyBinding | undefined;
}

type Args = Record<string, unknown>;

function withConverter<T>(convert: Converter | undefined, serialize: (value: unknown) => T): (value: unknown) => T {
  return convert ? (value) => serialize(convert(value)) : serialize;
}

export function compileRequest(plan: RequestPlan): (args: Args) => RestCall {
  const byName = new Map(plan.parameters.filter((p) => p.in === 'path').map((p) => [p.name, p]));
  // `/products/{id}/reviews` → literals ['/products/', '/reviews'] and slots [id].
  const pieces = plan.path.split(/\{([^}]*)\}/);
  const literals: string[] = [];
  const slots: { argName: string; serialize: ValueSerializer }[] = [];
  pieces.forEach((piece, index) => {
    if (index % 2 === 0) return void literals.push(piece);
    const param = byName.get(piece);
    if (!param) throw new Error(`path parameter "${piece}" of ${plan.method} ${plan.path} is not declared`);
    const serialize = pathSerializer(param.argName, param.explode ?? false, param.json);
    slots.push({ argName: param.argName, serialize: withConverter(param.convert, serialize) });
  });

  const query = plan.parameters
    .filter((p) => p.in === 'query')
    .map((p) => {
      const style = p.style ?? 'form';
      const serialize = querySerializer(p.name, style, p.explode ?? style === 'form', p.json);
      const convert = p.convert;
      const write: QuerySerializer = convert ? (value, out) => serialize(convert(value), out) : serialize;
      return { argName: p.argName, write };
    });
  const headers = plan.parameters
    .filter((p) => p.in === 'header')
    .map((p) => ({
      argName: p.argName,
      header: p.name.toLowerCase(),
      serialize: withConverter(p.convert, headerSerializer(p.argName, p.explode ?? false, p.json)),
    }));
  const body = plan.body;
  const { method, operationId } = plan;

  return (args) => {
    let path = literals[0] ?? '';
    for (let i = 0; i < slots.length; i++) {
      const slot = slots[i]!;
      path += slot.serialize(args[slot.argName]) + (literals[i + 1] ?? '');
    }
    if (query.length > 0) {
      const parts: string[] = [];
      for (const { argName, write } of query) {
        const value = args[argName];
        if (value != null) write(value, parts);
      }
      if (parts.length > 0) path += `?${parts.join('&')}`;
    }
    const headerValues: Record<string, string> = {};
    for (const { argName, header, serialize } of headers) {
      const value = args[argName];
      if (value != null) headerValues[header] = serialize(value);
    }
    const call: RestCall = { method, path, headers: headerValues, operationId };
    if (body) {
      const value = args[body.argName];
      if (value != null) {
        call.body = JSON.stringify(body.convert ? body.convert(value) : value);
        headerValues['content-type'] = body.contentType;
      }
    }
    return call;
  };
}
