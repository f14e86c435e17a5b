import { show } from './derived.js';
import { loadedFlags, loadedWindow, loadOf, type Load, type LoadedWindow, type MeasureDeps } from './measure.js';
import { freePort, waitReady, type Started } from './process.js';
import type { DerivedSpec, Scenario } from './scenarios.js';
import type { Target } from './targets.js';
import { median } from './report.js';
import { runWrk } from './wrk.js';

export interface PairedOptions {
  /** Pairs of windows (A then B, B then A, …). */
  pairs: number;
  /** Seconds of each window. */
  windowS: number;
  /**
   * Pairs measured on one start of the two processes; both are started afresh for the next ones
   * (the one started first taking turns). Default: all pairs on one start.
   */
  pairsPerStart?: number;
}

/** A derived figure measured with both processes alive and short windows alternated. */
export interface PairedRow {
  scenario: string;
  label: string;
  kind: DerivedSpec['kind'];
  a: string;
  b: string;
  /** One value per pair, in the order measured. */
  values: number[];
  median?: number;
  /** The middle half of the values (first and third quartiles). */
  q1?: number;
  q3?: number;
  goal?: string;
  met?: boolean;
  /** Median over pairs of the overhead the unavoidable work alone adds to b (`floorCpuUs`). */
  floor?: number;
  floorLabel?: string;
  /** Pairs with a flagged window (the bottleneck was elsewhere, or bad answers). */
  flaggedPairs: number;
  /** Times both processes were started for the pairs. */
  starts?: number;
  skipped?: string;
}

/**
 * On a shared host, throughput drifts by tens of percent over tens of seconds, so two rows
 * measured a minute apart can differ by more than a policy costs. Here both processes run at
 * once (on the same core, only one loaded at a time) and windows of a few seconds alternate,
 * each pair giving one value: drift slower than a pair cancels out of it. A process also has a
 * speed of its own, set at its start (where its heap and code land in memory): two starts of the
 * same config differ by a few percent for as long as they run. So the pairs are spread over
 * several starts of both processes (`pairsPerStart`), and that difference averages out too.
 */
export async function measurePaired(scenario: Scenario, spec: DerivedSpec, options: PairedOptions, deps: MeasureDeps): Promise<PairedRow> {
  const row: PairedRow = { scenario: scenario.name, label: spec.label, kind: spec.kind, a: spec.a, b: spec.b, values: [], goal: spec.goal?.text, floorLabel: spec.floorLabel, flaggedPairs: 0, starts: 0 };
  const targets = [spec.a, spec.b].map((id) => scenario.targets.find((target) => target.id === id));
  const [a, b] = targets;
  if (a === undefined || b === undefined) return { ...row, skipped: 'a row is not run here (--only)' };
  const unfit = targets.find((target) => target!.window !== undefined || target!.once === true || target!.unavailable?.() !== undefined);
  if (unfit !== undefined) return { ...row, skipped: `${unfit.id} has no plain loaded window` };

  const loads = [a, b].map((target) => loadOf(scenario, target));
  const perStart = Math.max(1, Math.min(options.pairs, options.pairsPerStart ?? options.pairs));
  const floorUs = spec.floorCpuUs?.();
  const floors: number[] = [];
  try {
    for (let first = 0; first < options.pairs; first += perStart) {
      const started: Started[] = [];
      try {
        for (const index of row.starts! % 2 === 0 ? [0, 1] : [1, 0]) started[index] = await startWarm([a, b][index]!, loads[index]!, deps);
        row.starts!++;
        for (let pair = first; pair < Math.min(options.pairs, first + perStart); pair++) {
          const order = pair % 2 === 0 ? [0, 1] : [1, 0];
          const windows: LoadedWindow[] = [];
          for (const index of order) windows[index] = await loadedWindow(started[index]!, loads[index]!, deps, options.windowS);
          const [rateA, rateB] = windows.map((w) => (w.cpuSeconds > 0 ? w.result.requests / w.cpuSeconds : 0));
          if (!rateA || !rateB) continue;
          row.values.push(spec.kind === 'ratio' ? rateA / rateB : rateB / rateA - 1);
          if (floorUs !== undefined) floors.push((floorUs * rateB) / 1e6);
          if (windows.some((w) => loadedFlags(w, deps, w.errors).length > 0)) row.flaggedPairs++;
        }
      } finally {
        await Promise.all(started.filter(Boolean).map((running) => running.stop()));
      }
    }
    return { ...row, ...summary(row.values, spec), floor: floors.length > 0 ? median(floors) : undefined };
  } catch (err) {
    return { ...row, skipped: `failed: ${(err as Error).message}` };
  }
}

async function startWarm(target: Target, load: Load, deps: MeasureDeps): Promise<Started> {
  const started = target.start(await freePort());
  try {
    await waitReady(started, load.spec, 90_000);
    await target.prime?.(started, load.spec);
    if (deps.timing.warmupS > 0) await runWrk({ url: started.url, spec: load.spec, core: deps.loadCore, connections: load.connections, durationS: deps.timing.warmupS });
    return started;
  } catch (err) {
    await started.stop();
    throw err;
  }
}

function summary(values: number[], spec: DerivedSpec): Pick<PairedRow, 'median' | 'q1' | 'q3' | 'met'> {
  if (values.length === 0) return {};
  const { median, q1, q3 } = quartiles(values);
  return { median, q1, q3, met: spec.goal?.met(median) };
}

/** Median and quartiles (medians of the lower and upper halves). */
export function quartiles(values: readonly number[]): { median: number; q1: number; q3: number } {
  const sorted = [...values].sort((x, y) => x - y);
  const half = Math.max(1, Math.floor(sorted.length / 2));
  return { median: median(sorted), q1: median(sorted.slice(0, half)), q3: median(sorted.slice(sorted.length - half)) };
}

/** One line per paired figure. */
export function pairedNotes(rows: PairedRow[]): string {
  return rows
    .map((row) => {
      const head = `${row.scenario}: ${row.label}, paired`;
      if (row.skipped !== undefined) return `${head}: — (${row.skipped})`;
      if (row.median === undefined) return `${head}: — (no usable pair)`;
      const what = row.kind === 'cpu-overhead' ? ' CPU per request' : ' in req/CPU-s';
      const starts = (row.starts ?? 1) > 1 ? ` over ${row.starts} starts` : '';
      const spread = ` (median of ${row.values.length} pairs${starts}; middle half ${show(row.kind, row.q1!)} … ${show(row.kind, row.q3!)})`;
      const goal = row.goal ? `; target ${row.goal}: ${row.met ? 'met' : 'NOT met'}` : '';
      const floor = row.floor === undefined ? '' : `; ${row.floorLabel ?? 'unavoidable work'} alone: ${show('cpu-overhead', row.floor)}`;
      const flagged = row.flaggedPairs > 0 ? ` ⚑ flagged in ${row.flaggedPairs} of the pairs` : '';
      return `${head}: ${show(row.kind, row.median)}${what}${spread}${goal}${floor}${flagged}`;
    })
    .join('\n');
}
