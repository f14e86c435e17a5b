import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { access } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { startReviews, startUsers, type RunningService } from '../subgraphs/index.js';
import { postGraphql, ROOT } from './helpers/demo-gateway.js';
import { configText, tempConfig } from './helpers/reload-config.js';

const run = promisify(execFile);
const CLI = resolve(ROOT, 'src/cli.ts');
let child: ChildProcess | undefined;
let services: RunningService[] = [];
let temp: Awaited<ReturnType<typeof tempConfig>> | undefined;
afterEach(async () => {
  child?.kill('SIGKILL');
  await Promise.all(services.map((service) => service.close()));
  await temp?.remove();
  child = temp = undefined;
  services = [];
});

/** Every JSON log line of the process, and a way to wait for one matching `pattern`. */
function logLines(process: ChildProcess) {
  const lines: string[] = [];
  const waiters = new Set<() => void>();
  let buffered = '';
  process.stdout!.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    const parts = buffered.split('\n');
    buffered = parts.pop()!;
    lines.push(...parts);
    for (const wake of waiters) wake();
  });
  return (pattern: RegExp, timeoutMs = 15_000): Promise<string> => new Promise((found, reject) => {
    const timer = setTimeout(() => reject(new Error(`no log line matching ${pattern}`)), timeoutMs);
    const check = (): void => {
      const line = lines.find((candidate) => pattern.test(candidate));
      if (line === undefined) return;
      clearTimeout(timer);
      waiters.delete(check);
      found(line);
    };
    waiters.add(check);
    check();
  });
}

const sha12 = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 12);

describe('junction start --pid-file, then junction reload', () => {
  it('SIGHUP reloads the config file in the running process; an invalid file is refused before signalling', async () => {
    const users = await startUsers();
    const reviews = await startReviews();
    services.push(users, reviews);
    const first = configText({ usersUrl: users.url });
    temp = await tempConfig(first);
    const pidFile = join(temp.dir, 'junction.pid');
    child = spawn(process.execPath, ['--import', 'tsx', CLI, 'start', '--config', temp.file, '--pid-file', pidFile], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    const waitFor = logLines(child);
    const port = Number(/localhost:(\d+)/.exec(await waitFor(/gateway listening/))![1]);
    expect(await waitFor(new RegExp(`"configVersion":"${sha12(first)}".*config loaded`))).toBeTruthy();

    await temp.write('sources: [ { name: broken');
    await expect(run(process.execPath, ['--import', 'tsx', CLI, 'reload', '--config', temp.file, '--pid-file', pidFile], { cwd: ROOT })).rejects.toMatchObject({ code: 2 });

    const second = configText({ usersUrl: users.url, reviewsUrl: reviews.url });
    await temp.write(second);
    const { stdout } = await run(process.execPath, ['--import', 'tsx', CLI, 'reload', '--config', temp.file, '--pid-file', pidFile], { cwd: ROOT });
    expect(stdout).toContain(`asked gateway ${child.pid} to reload`);
    expect(await waitFor(new RegExp(`"configVersion":"${sha12(second)}".*"trigger":"SIGHUP".*config loaded`))).toBeTruthy();

    const answer = await postGraphql(`http://127.0.0.1:${port}/graphql`, '{ reviews { id author { id } } }');
    expect(answer.status).toBe(200);
    expect(answer.body.errors).toBeUndefined();
    const report = (await (await fetch(`http://127.0.0.1:${port}/readyz`)).json()) as { configVersion: string; reloads: { succeeded: number; failed: number } };
    expect(report).toMatchObject({ configVersion: sha12(second), reloads: { succeeded: 1, failed: 0 } });

    const exited = new Promise<number | null>((done) => child!.once('exit', (code) => done(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    await expect(access(pidFile)).rejects.toThrow();
  }, 60_000);
});
