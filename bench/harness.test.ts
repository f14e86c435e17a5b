import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Row } from './lib/report.js';
import { benchTools } from './lib/sys.js';

const root = join(import.meta.dirname, '..');
const tools = benchTools('the bench smoke test (bench/harness.test.ts)');

function runBench(args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'bench/run.ts'), ...args], { cwd: root });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('close', (code) => resolve({ code, output }));
  });
}

describe.skipIf(tools.skip)('bench harness', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  it('measures Junction on the flat query: checked bodies, CPU, RSS, one upstream call per request', async () => {
    tools.require();
    dir = mkdtempSync(join(tmpdir(), 'bench-test-'));
    const out = join(dir, 'result.json');
    const args = ['--quick', '--scenario', 'flat', '--only', 'junction', '--no-peers', '--junction', 'tsx'];
    const { code, output } = await runBench([...args, '--warmup', '1', '--duration', '2', '--latency', '1', '--out', out]);
    expect(code, output).toBe(0);
    expect(output).toContain('| flat');
    const result = JSON.parse(readFileSync(out, 'utf8')) as { rows: Row[]; git: { commit?: string }; versions: Record<string, string> };
    const row = result.rows.find((r) => r.target === 'junction');
    expect(row?.skipped, output).toBeUndefined();
    expect(row!.errors).toBe(0);
    expect(row!.rpsPerCpuSecond).toBeGreaterThan(0);
    expect(row!.peakRssBytes).toBeGreaterThan(10 * 1024 * 1024);
    expect(row!.p50Ms).toBeGreaterThan(0);
    // One connection: each request makes exactly one call to the products subgraph.
    expect(row!.upstreamCallsPerRequest).toBeGreaterThan(0.8);
    expect(row!.upstreamCallsPerRequest).toBeLessThan(1.25);
    expect(result.versions.node).toBe(process.version);
    expect(result.git.commit).toMatch(/^[0-9a-f]{40}$/);
  }, 60_000);
});
