import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { measurePaired, pairedNotes, quartiles, type PairedRow } from './paired.js';
import { FLAT_MARKER, FLAT_QUERY, graphqlSpec } from './request-specs.js';
import { benchTools, clockTicks } from './sys.js';
import { subgraphDirect, type BenchContext } from './targets.js';
import type { Scenario } from './scenarios.js';

const root = join(import.meta.dirname, '../..');
const tools = benchTools('the paired measurement (bench/lib/paired.test.ts)');

describe('paired figures', () => {
  it('takes the median and the middle half of the pairs', () => {
    expect(quartiles([3, 1, 2])).toEqual({ median: 2, q1: 1, q3: 3 });
    expect(quartiles([0.1, 0.4, 0.2, 0.3])).toEqual({ median: 0.25, q1: 0.15000000000000002, q3: 0.35 });
    expect(quartiles([5])).toEqual({ median: 5, q1: 5, q3: 5 });
  });

  it('prints the figure, its spread, the target and the floor, or why it is missing', () => {
    const row: PairedRow = {
      scenario: 'policies', label: 'X vs Y', kind: 'cpu-overhead', a: 'x', b: 'y', values: [0.02, 0.04, 0.03],
      median: 0.03, q1: 0.02, q3: 0.04, goal: '≤ 5%', met: true, floor: 0.01, floorLabel: 'the check', flaggedPairs: 1,
    };
    expect(pairedNotes([row])).toBe('policies: X vs Y, paired: +3.0% CPU per request (median of 3 pairs; middle half +2.0% … +4.0%); target ≤ 5%: met; the check alone: +1.0% ⚑ flagged in 1 of the pairs');
    expect(pairedNotes([{ ...row, values: [], median: undefined, skipped: 'a row is not run here (--only)' }])).toBe('policies: X vs Y, paired: — (a row is not run here (--only))');
    expect(pairedNotes([{ ...row, starts: 3, floor: undefined, flaggedPairs: 0 }])).toBe('policies: X vs Y, paired: +3.0% CPU per request (median of 3 pairs over 3 starts; middle half +2.0% … +4.0%); target ≤ 5%: met');
  });
});

describe.skipIf(tools.skip)('paired measurement over real processes', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  it('runs both processes, alternates their windows, starts them afresh between groups of pairs and finds two copies of one server alike', async () => {
    tools.require();
    dir = mkdtempSync(join(tmpdir(), 'bench-paired-'));
    const ctx = { root, core: 1 } as BenchContext;
    const one = subgraphDirect(ctx);
    const scenario: Scenario = {
      name: 'same',
      title: 'one server twice',
      reference: 'one',
      connections: 4,
      spec: graphqlSpec(dir, 'flat', FLAT_QUERY, FLAT_MARKER),
      targets: [{ ...one, id: 'one' }, { ...one, id: 'two' }],
      callSources: [],
    };
    const log: string[] = [];
    const deps = { ticksPerSecond: clockTicks(), loadCore: 0, busyCore: 1, timing: { warmupS: 1, measureS: 1, latencyS: 1, soakS: 4 }, log: (line: string) => void log.push(line) };
    const row = await measurePaired(scenario, { label: 'one / two', kind: 'ratio', a: 'one', b: 'two' }, { pairs: 3, windowS: 1, pairsPerStart: 2 }, deps);
    expect(row.skipped).toBeUndefined();
    expect(row.values).toHaveLength(3);
    expect(row.starts).toBe(2);
    // The same server on the same core: far apart only if a window measured nothing real.
    for (const value of row.values) {
      expect(value).toBeGreaterThan(0.33);
      expect(value).toBeLessThan(3);
    }
    const missing = await measurePaired(scenario, { label: 'one / three', kind: 'ratio', a: 'one', b: 'three' }, { pairs: 2, windowS: 1 }, deps);
    expect(missing.skipped).toBe('a row is not run here (--only)');
  }, 60_000);
});
