import { GraphQLUnionType, graphql, printType, type GraphQLNamedType } from 'graphql';
import { describe, expect, it } from 'vitest';
import { openApiToSchema, validateOpenApiDocument, type RestCall, type RestResult } from './index.js';

function schemaOf(spec: Record<string, unknown>, reply: (call: RestCall) => RestResult = () => ({ status: 200, headers: {}, body: {} })) {
  const doc = validateOpenApiDocument({ openapi: '3.1.0', info: { title: 't', version: '1' }, ...spec }, 'inline');
  const calls: RestCall[] = [];
  const schema = openApiToSchema(doc, {
    sourceName: 'inline',
    call: async (call) => {
      calls.push(call);
      return reply(call);
    },
  });
  return { schema, calls };
}

const ok = (schema: Record<string, unknown>) => ({
  '200': { description: 'ok', content: { 'application/json': { schema } } },
});
const print = (type: GraphQLNamedType | null | undefined): string => (type ? printType(type) : 'missing');

describe('schema mapping details', () => {
  it('maps oneOf of scalars, mixed type arrays and maps to JSON; int64 to Float', () => {
    const { schema } = schemaOf({
      paths: {
        '/x': {
          get: {
            operationId: 'x',
            responses: ok({
              type: 'object',
              properties: {
                either: { oneOf: [{ type: 'string' }, { type: 'integer' }] },
                mixed: { type: ['string', 'integer'] },
                map: { type: 'object', additionalProperties: { type: 'integer' } },
                anything: {},
                big: { type: 'integer', format: 'int64' },
                small: { type: 'integer', format: 'int32' },
                codes: { type: 'integer', enum: [1, 2] },
              },
            }),
          },
        },
      },
    });
    expect(print(schema.getType('XResponse'))).toBe(
      'type XResponse {\n  either: JSON\n  mixed: JSON\n  map: JSON\n  anything: JSON\n  big: Float\n  small: Int\n  codes: XResponseCodes\n}',
    );
    expect(print(schema.getType('XResponseCodes'))).toBe('enum XResponseCodes {\n  _1\n  _2\n}');
  });

  it('resolves a discriminator by component name when there is no mapping, and uses JSON for oneOf input', async () => {
    const { schema, calls } = schemaOf(
      {
        paths: {
          '/shapes': {
            post: {
              operationId: 'addShape',
              requestBody: { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/Shape' } } } },
              responses: ok({ $ref: '#/components/schemas/Shape' }),
            },
            get: { operationId: 'shapes', responses: ok({ type: 'array', items: { $ref: '#/components/schemas/Shape' } }) },
          },
        },
        components: {
          schemas: {
            Shape: {
              oneOf: [{ $ref: '#/components/schemas/Circle' }, { $ref: '#/components/schemas/Square' }],
              discriminator: { propertyName: 'kind' },
            },
            Circle: { type: 'object', properties: { kind: { type: 'string' }, radius: { type: 'number' } } },
            Square: { type: 'object', properties: { kind: { type: 'string' }, side: { type: 'number' } } },
          },
        },
      },
      () => ({ status: 200, headers: {}, body: { kind: 'Square', side: 2 } }),
    );
    expect(schema.getType('Shape')).toBeInstanceOf(GraphQLUnionType);
    expect(String(schema.getMutationType()!.getFields()['addShape']!.args[0]!.type)).toBe('JSON!');
    const result = await graphql({
      schema,
      source: 'mutation { addShape(input: { kind: "Square", side: 2 }) { __typename ... on Square { side } } }',
    });
    expect(result).toEqual({ data: { addShape: { __typename: 'Square', side: 2 } } });
    expect(calls[0]!.body).toBe('{"kind":"Square","side":2}');
  });

  it('names fields without operationId from method and path and suffixes clashes deterministically', () => {
    const { schema } = schemaOf({
      paths: {
        '/a/{id}': {
          get: { responses: ok({ type: 'string' }) },
          delete: { operationId: 'getAById', responses: { '204': { description: 'gone' } } },
        },
        '/b': { get: { operationId: 'get-a-by-id', responses: ok({ type: 'string' }) } },
      },
    });
    expect(Object.keys(schema.getQueryType()!.getFields())).toEqual(['getAById', 'getAById3']);
    expect(Object.keys(schema.getMutationType()!.getFields())).toEqual(['getAById2']);
  });

  it('adds an argument for an undeclared path parameter and skips operations with a required non-JSON body', async () => {
    const { schema, calls } = schemaOf({
      paths: {
        '/files/{name}': { get: { operationId: 'file', responses: ok({ type: 'string' }) } },
        '/upload': {
          post: {
            operationId: 'upload',
            requestBody: { required: true, content: { 'multipart/form-data': { schema: { type: 'object' } } } },
            responses: ok({ type: 'string' }),
          },
        },
      },
    });
    expect(schema.getMutationType()).toBeUndefined();
    const file = schema.getQueryType()!.getFields()['file']!;
    expect(file.args.map((a) => `${a.name}: ${String(a.type)}`)).toEqual(['name: String!']);
    await graphql({ schema, source: '{ file(name: "a b") }' });
    expect(calls[0]!.path).toBe('/files/a%20b');
  });

  it('treats a nullable reference (allOf + nullable, 3.0 style) as nullable and a required one as non-null', () => {
    const { schema } = schemaOf({
      openapi: '3.0.3',
      paths: {
        '/p': {
          get: {
            operationId: 'p',
            responses: ok({
              type: 'object',
              required: ['a', 'b'],
              properties: {
                a: { allOf: [{ $ref: '#/components/schemas/Box' }], nullable: true },
                b: { $ref: '#/components/schemas/Box' },
              },
            }),
          },
        },
      },
      components: { schemas: { Box: { type: 'object', properties: { v: { type: 'string' } } } } },
    });
    expect(print(schema.getType('PResponse'))).toBe('type PResponse {\n  a: Box\n  b: Box!\n}');
  });

  it('refuses a document without GET operations', () => {
    expect(() =>
      schemaOf({ paths: { '/x': { post: { operationId: 'x', responses: { '204': { description: 'ok' } } } } } }),
    ).toThrow('OpenAPI source "inline" has no GET operation');
  });

  it('ends a schema that only refers to itself as JSON instead of looping', () => {
    const { schema } = schemaOf({
      paths: { '/x': { get: { operationId: 'x', responses: ok({ $ref: '#/components/schemas/Loop' }) } } },
      components: { schemas: { Loop: { allOf: [{ $ref: '#/components/schemas/Loop' }] } } },
    });
    expect(String(schema.getQueryType()!.getFields()['x']!.type)).toBe('JSON');
  });
});
