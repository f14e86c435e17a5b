import type { Sample } from './measure.js';
import type { SoakResult } from './soak.js';
import type { Scenario } from './scenarios.js';

/** One line of the table: a target in a scenario, over all rounds. */
export interface Row {
  scenario: string;
  target: string;
  label: string;
  reference: boolean;
  skipped?: string;
  rounds: number;
  rpsPerCpuSecond?: number;
  rps?: number;
  /** Median of the per-round ratios to the reference, with min and max. */
  ratio?: { median: number; min: number; max: number };
  p50Ms?: number;
  p99Ms?: number;
  peakRssBytes?: number;
  upstreamCallsPerRequest?: number;
  errors: number;
  /** Memory over the soak, when the row is one. */
  soak?: SoakResult;
  flags: string[];
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const defined = (values: (number | undefined)[]): number[] => values.filter((v): v is number => v !== undefined);
const medianOf = (values: (number | undefined)[]): number | undefined => {
  const list = defined(values);
  return list.length > 0 ? median(list) : undefined;
};

export function summarise(scenario: Scenario, samples: Sample[]): Row[] {
  const mine = samples.filter((s) => s.scenario === scenario.name);
  const ids = [...new Set(mine.map((s) => s.target))];
  return ids.map((id) => {
    const list = mine.filter((s) => s.target === id);
    const measured = list.filter((s) => s.skipped === undefined);
    const ratios = measured.flatMap((s) => {
      const ref = mine.find((r) => r.target === scenario.reference && r.round === s.round && r.skipped === undefined);
      return ref?.rpsPerCpuSecond && s.rpsPerCpuSecond ? [s.rpsPerCpuSecond / ref.rpsPerCpuSecond] : [];
    });
    const peaks = defined(measured.map((s) => s.peakRssBytes));
    return {
      scenario: scenario.name,
      target: id,
      label: list[0]!.label,
      reference: id === scenario.reference,
      skipped: measured.length === 0 ? list[0]!.skipped : undefined,
      rounds: measured.length,
      rpsPerCpuSecond: medianOf(measured.map((s) => s.rpsPerCpuSecond)),
      rps: medianOf(measured.map((s) => s.rps)),
      ratio: ratios.length > 0 ? { median: median(ratios), min: Math.min(...ratios), max: Math.max(...ratios) } : undefined,
      p50Ms: medianOf(measured.map((s) => s.p50Ms)),
      p99Ms: medianOf(measured.map((s) => s.p99Ms)),
      peakRssBytes: peaks.length > 0 ? Math.max(...peaks) : undefined,
      upstreamCallsPerRequest: medianOf(measured.map((s) => s.upstreamCallsPerRequest)),
      errors: measured.reduce((sum, s) => sum + (s.errors ?? 0), 0),
      soak: measured.find((s) => s.soak)?.soak,
      flags: [...new Set(measured.flatMap((s) => s.flags.map((f) => `r${s.round}: ${f}`)))],
    };
  });
}

const fmt = (value: number | undefined, digits = 0): string => (value === undefined ? '—' : value.toFixed(digits));

function ratioText(row: Row): string {
  if (row.reference && row.ratio) return '1.00 (ref)';
  if (!row.ratio) return '—';
  const { median: m, min, max } = row.ratio;
  return min === max ? m.toFixed(2) : `${m.toFixed(2)} (${min.toFixed(2)}–${max.toFixed(2)})`;
}

/** The one table: scenario, process, req/CPU-s, ratio, p50/p99 at one connection, peak RSS, calls/req. */
export function table(rows: Row[], notes: { scenario: string; title: string; unavailable?: string }[]): string {
  const header = ['scenario', 'process', 'req/CPU-s', 'ratio to ref', 'p50/p99 ms (1 conn)', 'peak RSS MB', 'upstream calls/req', 'req/s'];
  const lines: string[][] = [];
  for (const note of notes) {
    if (note.unavailable) {
      lines.push([note.scenario, note.unavailable, '', '', '', '', '', '']);
      continue;
    }
    for (const row of rows.filter((r) => r.scenario === note.scenario)) {
      if (row.skipped) {
        lines.push([row.scenario, `${row.label}: ${row.skipped}`, '', '', '', '', '', '']);
        continue;
      }
      lines.push([
        row.scenario,
        row.label + (row.flags.length > 0 ? ' ⚑' : '') + (row.errors > 0 ? ` (${row.errors} errors)` : ''),
        fmt(row.rpsPerCpuSecond),
        ratioText(row),
        `${fmt(row.p50Ms, 2)} / ${fmt(row.p99Ms, 2)}`,
        row.peakRssBytes === undefined ? '—' : (row.peakRssBytes / 1048576).toFixed(0),
        fmt(row.upstreamCallsPerRequest, 2),
        fmt(row.rps),
      ]);
    }
  }
  return markdown(header, lines);
}

export function markdown(header: string[], lines: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] ?? '').length)));
  const line = (cells: string[]): string => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...lines.map(line)].join('\n');
}

/** Flags (noise, errors) listed under the table. */
export function flagNotes(rows: Row[]): string {
  const out: string[] = [];
  for (const row of rows) {
    for (const flag of row.flags) out.push(`⚑ ${row.scenario} / ${row.label}: ${flag}`);
  }
  return out.join('\n');
}
