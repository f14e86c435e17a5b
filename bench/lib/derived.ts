import type { Sample } from './measure.js';
import { median, type Row } from './report.js';
import type { Scenario } from './scenarios.js';

/** A derived figure of one scenario over its rounds (see `DerivedSpec`). */
export interface DerivedRow {
  scenario: string;
  label: string;
  kind: 'ratio' | 'cpu-overhead';
  a: string;
  b: string;
  rounds: number;
  median?: number;
  min?: number;
  max?: number;
  goal?: string;
  met?: boolean;
  /** Median over rounds of the overhead the unavoidable work alone adds to b (`floorCpuUs`). */
  floor?: number;
  floorLabel?: string;
  /** A round it was taken from is flagged (the bottleneck was elsewhere, or bad answers). */
  flagged: boolean;
}

const usable = (s: Sample | undefined): s is Sample & { rpsPerCpuSecond: number } =>
  s !== undefined && s.skipped === undefined && (s.rpsPerCpuSecond ?? 0) > 0;

/** Per round: a / b in req/CPU-s (`ratio`), or CPU per request of a over b minus 1 (`cpu-overhead`). */
export function derive(scenario: Scenario, samples: Sample[]): DerivedRow[] {
  const mine = samples.filter((s) => s.scenario === scenario.name);
  const rounds = [...new Set(mine.map((s) => s.round))];
  return (scenario.derived ?? []).map((spec) => {
    const values: number[] = [];
    const floors: number[] = [];
    const floorUs = spec.floorCpuUs?.();
    let flagged = false;
    for (const round of rounds) {
      const a = mine.find((s) => s.target === spec.a && s.round === round);
      const b = mine.find((s) => s.target === spec.b && s.round === round);
      if (!usable(a) || !usable(b)) continue;
      values.push(spec.kind === 'ratio' ? a.rpsPerCpuSecond / b.rpsPerCpuSecond : b.rpsPerCpuSecond / a.rpsPerCpuSecond - 1);
      if (floorUs !== undefined) floors.push((floorUs * b.rpsPerCpuSecond) / 1e6);
      flagged ||= a.flags.length > 0 || b.flags.length > 0;
    }
    const m = values.length > 0 ? median(values) : undefined;
    return {
      scenario: scenario.name,
      label: spec.label,
      kind: spec.kind,
      a: spec.a,
      b: spec.b,
      rounds: values.length,
      median: m,
      min: values.length > 0 ? Math.min(...values) : undefined,
      max: values.length > 0 ? Math.max(...values) : undefined,
      goal: spec.goal?.text,
      met: m === undefined || spec.goal === undefined ? undefined : spec.goal.met(m),
      floor: floors.length > 0 ? median(floors) : undefined,
      floorLabel: spec.floorLabel,
      flagged,
    };
  });
}

/** A figure as printed: `1.23×` for a ratio, `+4.5%` for an overhead. */
export const show = (kind: DerivedRow['kind'], v: number): string =>
  kind === 'ratio' ? `${v.toFixed(2)}×` : `${v >= 0 ? '+' : ''}${(100 * v).toFixed(1)}%`;

/** One line per derived figure, under the table. */
export function derivedNotes(rows: DerivedRow[]): string {
  return rows
    .map((row) => {
      if (row.median === undefined) return `${row.scenario}: ${row.label}: — (a row is missing)`;
      const range = row.rounds > 1 ? ` (${show(row.kind, row.min!)} … ${show(row.kind, row.max!)}, ${row.rounds} rounds)` : ' (1 round)';
      const what = row.kind === 'cpu-overhead' ? ' CPU per request' : ' in req/CPU-s';
      const goal = row.goal ? `; target ${row.goal}: ${row.met ? 'met' : 'NOT met'}` : '';
      const floor = row.floor === undefined ? '' : `; ${row.floorLabel ?? 'unavoidable work'} alone: ${show('cpu-overhead', row.floor)}`;
      return `${row.scenario}: ${row.label}: ${show(row.kind, row.median)}${what}${range}${goal}${floor}${row.flagged ? ' ⚑ from flagged rounds' : ''}`;
    })
    .join('\n');
}

const mb = (bytes: number): string => `${(bytes / 1048576).toFixed(0)} MB`;

/** The soak's memory line (scenario 5c). */
export function soakNotes(rows: Row[]): string {
  return rows
    .filter((row) => row.soak)
    .map(({ scenario, soak }) => {
      const s = soak!;
      return `${scenario}: soak ${s.seconds} s: VmRSS after warm-up ${mb(s.baselineRssBytes)}, peak under load ${mb(s.peakRssBytes)}, ` +
        `end of load ${mb(s.endRssBytes)}, after 6 s idle ${mb(s.idleRssBytes)} (${s.samples.length} samples, every 2 s): ` +
        `${s.returned ? 'back within 10% of the baseline' : 'NOT back within 10% of the baseline'}`;
    })
    .join('\n');
}
