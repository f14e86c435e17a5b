import { describe, expect, it } from 'vitest';
import { derive, derivedNotes } from './derived.js';
import type { Sample } from './measure.js';
import type { Scenario } from './scenarios.js';

const sample = (target: string, round: number, rpsPerCpuSecond: number, flags: string[] = []): Sample =>
  ({ scenario: 's', target, label: target, round, rpsPerCpuSecond, flags });

const scenario = {
  name: 's',
  derived: [
    { label: 'policy', kind: 'cpu-overhead', a: 'junction+p', b: 'junction', goal: { text: '≤ 5%', met: (v: number) => v <= 0.05 } },
    { label: 'hit/miss', kind: 'ratio', a: 'junction+hit', b: 'junction+miss', goal: { text: '≥ 3×', met: (v: number) => v >= 3 } },
  ],
} as unknown as Scenario;

describe('derived figures', () => {
  it('takes each figure per round from the same round, then the median', () => {
    const samples = [
      sample('junction', 1, 1000), sample('junction+p', 1, 800),
      sample('junction', 2, 2000), sample('junction+p', 2, 1960),
      sample('junction', 3, 1500), sample('junction+p', 3, 1500),
      sample('junction+hit', 1, 4000), sample('junction+miss', 1, 1000),
    ];
    const [policy, hit] = derive(scenario, samples);
    // CPU per request: 1000/800 - 1 = 25%, 2000/1960 - 1 ≈ 2%, 0%: median ≈ 2%.
    expect(policy!.rounds).toBe(3);
    expect(policy!.median).toBeCloseTo(2000 / 1960 - 1, 6);
    expect(policy!.max).toBeCloseTo(0.25, 6);
    expect(policy!.met).toBe(true);
    expect(hit!.median).toBe(4);
    expect(hit!.met).toBe(true);
    expect(derivedNotes([policy!, hit!])).toContain('hit/miss: 4.00× in req/CPU-s (1 round); target ≥ 3×: met');
  });

  it('marks a figure from a flagged round, and says so when a row is missing', () => {
    const [policy, hit] = derive(scenario, [sample('junction', 1, 1000), sample('junction+p', 1, 500, ['core 0 at 99%'])]);
    expect(policy!.flagged).toBe(true);
    expect(policy!.met).toBe(false);
    expect(hit!.median).toBeUndefined();
    expect(derivedNotes([policy!, hit!])).toMatch(/NOT met ⚑ from flagged rounds\n.*hit\/miss: — \(a row is missing\)/);
  });

  it('shows the overhead unavoidable work alone adds, from the reference of each round', () => {
    const withFloor = { name: 's', derived: [{ label: 'verify', kind: 'cpu-overhead', a: 'junction+p', b: 'junction', floorCpuUs: () => 50, floorLabel: 'the signature check' }] } as unknown as Scenario;
    // 50 µs against 2000 and 4000 req/CPU-s (500 and 250 µs a request): +10% and +20%, median +15%.
    const [row] = derive(withFloor, [sample('junction', 1, 2000), sample('junction+p', 1, 1000), sample('junction', 2, 4000), sample('junction+p', 2, 2000)]);
    expect(row!.floor).toBeCloseTo(0.15, 6);
    expect(derivedNotes([row!])).toContain('; the signature check alone: +15.0%');
  });
});
