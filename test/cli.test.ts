import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { configJsonSchema } from '../src/config/index.js';
import { ROOT } from './helpers/demo-gateway.js';

const run = promisify(execFile);
const CLI = resolve(ROOT, 'src/cli.ts');

async function junction(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', CLI, ...args], { cwd: ROOT, env: { ...process.env, NODE_ENV: 'test' } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

let temp: string | undefined;
afterEach(async () => {
  if (temp) await rm(temp, { recursive: true, force: true });
  temp = undefined;
});

describe('junction CLI', () => {
  it('validate accepts the demo config', async () => {
    const result = await junction('validate', 'gateway.yaml');
    expect(result).toMatchObject({ code: 0 });
    expect(result.stdout).toContain('is valid');
  });

  it('validate lists every problem and exits 2', async () => {
    temp = await mkdtemp(join(tmpdir(), 'junction-cli-'));
    const file = join(temp, 'bad.yaml');
    await writeFile(file, 'server: { port: "x" }\nupstreams: { a: { url: "ftp://a" } }\nsurprise: 1\n');
    const result = await junction('validate', file);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('server.port');
    expect(result.stderr).toContain('upstreams.a.url');
    expect(result.stderr).toContain('surprise');
  });

  it('start with an invalid config exits 2 before listening', async () => {
    temp = await mkdtemp(join(tmpdir(), 'junction-cli-'));
    const file = join(temp, 'bad.yaml');
    await writeFile(file, 'graphql: { path: "no-slash" }\n');
    const result = await junction('start', '--config', file);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('graphql.path');
  });

  it('compose prints the composed SDL, links included, without contacting upstreams', async () => {
    const result = await junction('compose', '--config', 'gateway.yaml');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/type Review \{[^}]*author: User/s);
    expect(result.stdout).toMatch(/type Product \{[^}]*reviews: \[Review!\]!/s);
    expect(result.stdout).toMatch(/type User \{[^}]*orders: \[Order!\]!/s);
  });

  it('compose --out writes the snapshot, and the committed snapshot is current', async () => {
    temp = await mkdtemp(join(tmpdir(), 'junction-cli-'));
    const out = join(temp, 'composed.graphql');
    expect((await junction('compose', '--out', out)).code).toBe(0);
    const written = await readFile(out, 'utf8');
    expect(written, 'schema/composed.graphql is stale: run `npm run generate`').toBe(await readFile(resolve(ROOT, 'schema/composed.graphql'), 'utf8'));
  });

  it('the committed gateway.schema.json matches the config schema', async () => {
    const committed = JSON.parse(await readFile(resolve(ROOT, 'gateway.schema.json'), 'utf8')) as unknown;
    expect(committed, 'gateway.schema.json is stale: run `npm run generate`').toEqual(configJsonSchema());
  });

  it('an unknown command is a usage error', async () => {
    const result = await junction('frobnicate');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('Usage');
  });
});
