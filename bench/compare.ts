/**
 * Compares two bench result files: for every scenario and process, req/CPU-s and the ratio to
 * the reference in A and in B, and B / A of each.
 *
 *   npm run bench:compare bench/results/A.json bench/results/B.json
 */
import { readFileSync } from 'node:fs';
import { markdown, type Row } from './lib/report.js';

interface ResultFile {
  date: string;
  git?: { commit?: string };
  rows: Row[];
}

function load(file: string): ResultFile {
  return JSON.parse(readFileSync(file, 'utf8')) as ResultFile;
}

const num = (value: number | undefined, digits: number): string => (value === undefined ? '—' : value.toFixed(digits));
const change = (a: number | undefined, b: number | undefined): string =>
  a === undefined || b === undefined || a === 0 ? '—' : `${(b / a).toFixed(2)}×`;

export function compare(a: ResultFile, b: ResultFile): string {
  const key = (row: Row): string => `${row.scenario}\u0000${row.target}`;
  const keys = [...new Set([...a.rows.map(key), ...b.rows.map(key)])];
  const lines = keys.map((k) => {
    const ra = a.rows.find((r) => key(r) === k);
    const rb = b.rows.find((r) => key(r) === k);
    const row = (ra ?? rb)!;
    return [
      row.scenario,
      row.label,
      num(ra?.rpsPerCpuSecond, 0),
      num(rb?.rpsPerCpuSecond, 0),
      change(ra?.rpsPerCpuSecond, rb?.rpsPerCpuSecond),
      num(ra?.ratio?.median, 2),
      num(rb?.ratio?.median, 2),
      change(ra?.ratio?.median, rb?.ratio?.median),
      `${num(ra?.p50Ms, 2)} → ${num(rb?.p50Ms, 2)}`,
    ];
  });
  const header = ['scenario', 'process', 'req/CPU-s A', 'req/CPU-s B', 'B/A', 'ratio A', 'ratio B', 'ratio B/A', 'p50 ms A → B'];
  return `A: ${a.date} ${a.git?.commit?.slice(0, 7) ?? ''}\nB: ${b.date} ${b.git?.commit?.slice(0, 7) ?? ''}\n\n${markdown(header, lines)}\n\nThe ratio columns are the ones to trust: absolute figures move with the machine's load.`;
}

const [fileA, fileB] = process.argv.slice(2);
if (!fileA || !fileB) {
  console.error('Usage: npm run bench:compare A.json B.json');
  process.exit(2);
}
console.log(compare(load(fileA), load(fileB)));
