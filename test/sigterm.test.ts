import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startUsers, type RunningService } from '../subgraphs/index.js';
import { postGraphql, ROOT } from './helpers/demo-gateway.js';

let child: ChildProcess | undefined;
let users: RunningService | undefined;
let temp: string | undefined;
afterEach(async () => {
  child?.kill('SIGKILL');
  await users?.close();
  if (temp) await rm(temp, { recursive: true, force: true });
  child = users = temp = undefined;
});

/** Resolves with the first line of output matching `pattern`. */
function waitForLine(process: ChildProcess, pattern: RegExp): Promise<string> {
  return new Promise((resolveLine, reject) => {
    let buffered = '';
    const onData = (chunk: Buffer) => {
      buffered += chunk.toString();
      const line = buffered.split('\n').find((candidate) => pattern.test(candidate));
      if (line !== undefined) {
        process.stdout?.off('data', onData);
        resolveLine(line);
      }
    };
    process.stdout?.on('data', onData);
    process.once('exit', (code) => reject(new Error(`exited with ${code} before printing ${pattern}`)));
  });
}

describe('SIGTERM on a running gateway process', () => {
  it('finishes the requests in flight, then exits 0', async () => {
    users = await startUsers({ latencyMs: 400 });
    temp = await mkdtemp(join(tmpdir(), 'junction-sigterm-'));
    const config = join(temp, 'gateway.yaml');
    await writeFile(config, `
server: { port: 0, host: 127.0.0.1, shutdownGraceMs: 5000 }
upstreams: { users: { url: "${users.url}" } }
sources: [{ name: users, type: graphql, upstream: users, schema: { file: ${resolve(ROOT, 'subgraphs/users/schema.graphql')} } }]
`);
    child = spawn(process.execPath, ['--import', 'tsx', resolve(ROOT, 'src/cli.ts'), 'start', '--config', config], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    const line = await waitForLine(child, /gateway listening/);
    const port = Number(/localhost:(\d+)/.exec(line)![1]);

    const inFlight = Array.from({ length: 5 }, () => postGraphql(`http://127.0.0.1:${port}/graphql`, '{ users { id } }'));
    await new Promise<void>((ready) => {
      const check = () => (users!.calls.total >= 5 ? ready() : setTimeout(check, 5));
      check();
    });
    const exited = new Promise<number | null>((done) => child!.once('exit', (code) => done(code)));
    child.kill('SIGTERM');

    const answers = await Promise.all(inFlight);
    for (const answer of answers) {
      expect(answer.status).toBe(200);
      expect((answer.body.data!['users'] as unknown[]).length).toBe(10);
    }
    expect(await exited).toBe(0);
  }, 30_000);
});
