import { describe, expect, it } from 'vitest';
import { JunctionError } from '../../errors.js';
import { compileRequest, type ParameterBinding } from './request.js';

function param(name: string, where: ParameterBinding['in'], extra: Partial<ParameterBinding> = {}): ParameterBinding {
  return { argName: name, name, in: where, style: undefined, explode: undefined, json: false, convert: undefined, ...extra };
}

const build = (path: string, parameters: ParameterBinding[]) =>
  compileRequest({ method: 'GET', path, operationId: 'op', parameters, body: undefined });

describe('compileRequest', () => {
  it('substitutes several path parameters, encoding each value', () => {
    const call = build('/a/{x}/b/{y}.json', [param('x', 'path'), param('y', 'path')]);
    expect(call({ x: 'ä/ö', y: 'v1.2' }).path).toBe('/a/%C3%A4%2F%C3%B6/b/v1.2.json');
    expect(call({ x: '.', y: '..' }).path).toBe('/a/%2E/b/%2E%2E.json');
    expect(call({ x: ['a', 'b/c'], y: 1 }).path).toBe('/a/a,b%2Fc/b/1.json');
  });

  it('refuses an empty path parameter instead of collapsing the path', () => {
    const call = build('/items/{id}', [param('id', 'path')]);
    expect(() => call({ id: '' })).toThrow(JunctionError);
    expect(() => call({ id: '' })).toThrow('Argument "id" must not be empty');
  });

  it('serialises query parameters by style and explode', () => {
    const call = build('/q', [
      param('ids', 'query'),
      param('csv', 'query', { style: 'form', explode: false }),
      param('space', 'query', { style: 'spaceDelimited', explode: false }),
      param('pipe', 'query', { style: 'pipeDelimited', explode: false }),
      param('filter', 'query', { style: 'deepObject', explode: true }),
      param('spread', 'query'),
      param('where', 'query', { json: true }),
      param('flag', 'query'),
      param('skipped', 'query'),
    ]);
    const { path } = call({
      ids: [1, 2],
      csv: ['a,b', 'c'],
      space: ['x', 'y'],
      pipe: ['x', 'y'],
      filter: { color: 'red', size: null },
      spread: { page: 2 },
      where: { a: 1 },
      flag: false,
      skipped: null,
    });
    expect(path).toBe(
      '/q?ids=1&ids=2&csv=a%2Cb,c&space=x%20y&pipe=x|y&filter[color]=red&page=2&where=%7B%22a%22%3A1%7D&flag=false',
    );
    expect(call({}).path).toBe('/q');
    expect(call({ ids: [] }).path).toBe('/q');
  });

  it('encodes query keys and values', () => {
    expect(build('/q', [param('a b', 'query')])({ 'a b': 'x&y=z' }).path).toBe('/q?a%20b=x%26y%3Dz');
  });

  it('lower-cases header names, joins arrays and refuses line breaks', () => {
    const call = build('/h', [param('X-Trace', 'header'), param('X-List', 'header')]);
    expect(call({ 'X-Trace': 'abc', 'X-List': ['a', 'b'] }).headers).toEqual({ 'x-trace': 'abc', 'x-list': 'a,b' });
    expect(() => call({ 'X-Trace': 'a\nb' })).toThrow('contains characters not allowed in a header');
  });

  it('applies converters and writes the body with its content type only when given', () => {
    const call = compileRequest({
      method: 'PATCH',
      path: '/p',
      operationId: 'patchP',
      parameters: [],
      body: { argName: 'input', contentType: 'application/json', convert: (v) => ({ renamed: v }) },
    });
    expect(call({ input: 1 })).toEqual({
      method: 'PATCH',
      path: '/p',
      headers: { 'content-type': 'application/json' },
      body: '{"renamed":1}',
      operationId: 'patchP',
    });
    expect(call({})).toEqual({ method: 'PATCH', path: '/p', headers: {}, operationId: 'patchP' });
  });
});
