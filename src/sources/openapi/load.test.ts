import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadOpenApiDocument, validateOpenApiDocument } from './index.js';

describe('loadOpenApiDocument', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'junction-openapi-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function write(name: string, text: string): Promise<string> {
    const file = join(dir, name);
    await writeFile(file, text);
    return file;
  }

  it('reads YAML and JSON documents', async () => {
    const yaml = await write('a.yaml', 'openapi: 3.0.3\ninfo: { title: t, version: "1" }\npaths: {}\n');
    const json = await write('b.json', JSON.stringify({ openapi: '3.1.0', info: { title: 't', version: '1' }, paths: {} }));
    expect((await loadOpenApiDocument(yaml)).openapi).toBe('3.0.3');
    expect((await loadOpenApiDocument(json)).openapi).toBe('3.1.0');
  });

  it('rejects a document that is not OpenAPI', async () => {
    const file = await write('c.yaml', 'name: my-service\nversion: 2\n');
    await expect(loadOpenApiDocument(file)).rejects.toThrow(`${file} is not an OpenAPI document: the "openapi" version field is missing`);
    const list = await write('d.json', '[1, 2]');
    await expect(loadOpenApiDocument(list)).rejects.toThrow('expected an object at the top level');
  });

  it('rejects unsupported versions and Swagger 2.0', async () => {
    const v2 = await write('e.yaml', 'openapi: 2.0.0\npaths: {}\n');
    await expect(loadOpenApiDocument(v2)).rejects.toThrow('has OpenAPI version "2.0.0"; only 3.0.x and 3.1.x are supported');
    const v32 = await write('f.yaml', 'openapi: 3.2.0\npaths: {}\n');
    await expect(loadOpenApiDocument(v32)).rejects.toThrow('only 3.0.x and 3.1.x are supported');
    const swagger = await write('g.yaml', 'swagger: "2.0"\npaths: {}\n');
    await expect(loadOpenApiDocument(swagger)).rejects.toThrow('is Swagger 2.0; only OpenAPI 3.0.x and 3.1.x are supported');
  });

  it('rejects remote references, naming where they are', async () => {
    const file = await write(
      'h.yaml',
      [
        'openapi: 3.0.3',
        'paths:',
        '  /pets:',
        '    get:',
        '      responses:',
        "        '200':",
        '          description: ok',
        '          content:',
        '            application/json:',
        '              schema:',
        "                $ref: 'https://example.com/schemas.yaml#/Pet'",
      ].join('\n'),
    );
    await expect(loadOpenApiDocument(file)).rejects.toThrow(
      'Remote $ref "https://example.com/schemas.yaml#/Pet" at #/paths/~1pets/get/responses/200/content/application~1json/schema is not supported',
    );
    const relative = await write('i.json', JSON.stringify({ openapi: '3.1.0', components: { schemas: { A: { $ref: 'common.json#/A' } } } }));
    await expect(loadOpenApiDocument(relative)).rejects.toThrow('Remote $ref "common.json#/A"');
  });

  it('rejects local references that resolve to nothing', () => {
    const doc = { openapi: '3.0.0', paths: {}, components: { schemas: { A: { $ref: '#/components/schemas/Missing' } } } };
    expect(() => validateOpenApiDocument(doc, 'doc')).toThrow(
      'doc: $ref "#/components/schemas/Missing" does not resolve to anything in the document (at #/components/schemas/A)',
    );
  });

  it('reports unreadable files and syntax errors clearly', async () => {
    await expect(loadOpenApiDocument(join(dir, 'missing.yaml'))).rejects.toThrow(/OpenAPI document .*missing\.yaml could not be read/);
    const broken = await write('j.json', '{"openapi": ');
    await expect(loadOpenApiDocument(broken)).rejects.toThrow(`${broken} could not be parsed as JSON`);
  });
});
