import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { applyMemorySettings, MEMORY_FLAGS } from './memory-settings.js';

const ROOT = resolve(import.meta.dirname, '..');

describe('applyMemorySettings', () => {
  it('sets every memory flag by default', () => {
    const set: string[] = [];
    expect(applyMemorySettings({ env: {}, execArgv: [], setFlag: (flag) => set.push(flag) })).toEqual([...MEMORY_FLAGS]);
    expect(set).toEqual([...MEMORY_FLAGS]);
  });

  it('keeps V8 defaults with JUNCTION_V8_DEFAULTS=1', () => {
    const set: string[] = [];
    expect(applyMemorySettings({ env: { JUNCTION_V8_DEFAULTS: '1' }, execArgv: [], setFlag: (flag) => set.push(flag) })).toEqual([]);
    expect(set).toEqual([]);
  });

  it('leaves a flag given on node\'s command line alone, in either spelling or negated', () => {
    const set: string[] = [];
    const execArgv = ['--heap_growing_percent=80', '--no-liftoff-only', '--import', 'tsx'];
    expect(applyMemorySettings({ env: {}, execArgv, setFlag: (flag) => set.push(flag) })).toEqual([]);
    expect(set).toEqual([]);
  });

  it('npm start (the demo, which does not go through the CLI) passes the same flags to node', () => {
    const scripts = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
    for (const flag of MEMORY_FLAGS) expect(scripts['start']).toContain(` ${flag} `);
  });
});

describe('junction start', () => {
  let child: ChildProcess | undefined;
  let temp: string | undefined;
  afterEach(async () => {
    child?.kill('SIGKILL');
    if (temp) await rm(temp, { recursive: true, force: true });
    child = temp = undefined;
  });

  async function listeningLine(env: NodeJS.ProcessEnv): Promise<{ v8Flags: string[] }> {
    temp = await mkdtemp(join(tmpdir(), 'junction-memory-'));
    const config = join(temp, 'gateway.yaml');
    // The source's SDL is a file: the gateway starts without its upstream answering.
    await writeFile(config, `
server: { port: 0, host: 127.0.0.1 }
upstreams: { users: { url: "http://127.0.0.1:9" } }
sources: [{ name: users, type: graphql, upstream: users, schema: { file: ${resolve(ROOT, 'subgraphs/users/schema.graphql')} } }]
`);
    const started = spawn(process.execPath, ['--import', 'tsx', resolve(ROOT, 'src/cli.ts'), 'start', '--config', config], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = started;
    const line = await new Promise<string>((found, fail) => {
      let output = '';
      started.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        const match = output.split('\n').find((candidate) => candidate.includes('gateway listening'));
        if (match !== undefined) found(match);
      });
      started.once('exit', (code) => fail(new Error(`exited with ${code}: ${output}`)));
    });
    return JSON.parse(line) as { v8Flags: string[] };
  }

  it('applies the memory flags and logs them', async () => {
    expect((await listeningLine({ JUNCTION_V8_DEFAULTS: '' })).v8Flags).toEqual([...MEMORY_FLAGS]);
  });

  it('logs none with JUNCTION_V8_DEFAULTS=1', async () => {
    expect((await listeningLine({ JUNCTION_V8_DEFAULTS: '1' })).v8Flags).toEqual([]);
  });
});
