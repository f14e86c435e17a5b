/**
 * The benchmark harness (method: BENCHMARK.md). `npm run bench -- --help` for options.
 * wrk and the mocks run on core 0, exactly one process under test on core 1; every figure is a
 * ratio to a peer measured in the same round.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseBenchArgs, USAGE, type BenchArgs } from './lib/args.js';
import { measure, type MeasureDeps, type Sample } from './lib/measure.js';
import { measurePaired, pairedNotes, type PairedRow } from './lib/paired.js';
import { flagNotes, summarise, table, type Row } from './lib/report.js';
import { scenarios as allScenarios, type Scenario } from './lib/scenarios.js';
import { derive, derivedNotes, soakNotes, type DerivedRow } from './lib/derived.js';
import { resultFile, runInfo } from './lib/info.js';
import { buildJunction, composeSupergraphs, ensurePeers, startMocks, tsxJunction } from './lib/setup.js';
import { clockTicks, pinSelf, which } from './lib/sys.js';
import { baseId, type BenchContext } from './lib/targets.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const LOAD_CORE = 0;
const TEST_CORE = 1;
const log = (line: string): void => void process.stderr.write(`[bench] ${line}\n`);

function shuffle<T>(list: T[]): T[] {
  const out = [...list];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

function missingTools(): string | undefined {
  const missing = ['wrk', 'taskset'].filter((tool) => !which(tool));
  if (missing.length === 0) return undefined;
  return `missing ${missing.join(', ')}: run bench/install-tools.sh (apt-get install -y wrk nginx-light util-linux)`;
}

function select(list: Scenario[], args: BenchArgs): Scenario[] {
  const chosen = args.scenarios.length === 0 ? list : list.filter((s) => args.scenarios.some((n) => s.name === n || s.name.startsWith(`${n}-`)));
  if (chosen.length === 0) throw new Error(`no scenario matches ${args.scenarios.join(', ')}: ${list.map((s) => s.name).join(', ')}`);
  const wanted = (id: string): boolean => args.only.length === 0 || args.only.includes(id) || args.only.includes(baseId(id));
  return chosen.map((s) => ({ ...s, targets: s.targets.filter((t) => wanted(t.id) && (args.peers || baseId(t.id) === 'junction')) }));
}

async function main(argv: string[]): Promise<number> {
  const args = parseBenchArgs(argv);
  if (args.help) return console.log(USAGE), 0;
  const missing = missingTools();
  if (missing) return console.error(missing), 2;
  if (!pinSelf(LOAD_CORE)) log(`could not pin the harness to core ${LOAD_CORE}`);

  const tmp = mkdtempSync(join(tmpdir(), 'junction-bench-'));
  const peersDir = join(ROOT, 'bench/peers');
  const ctx: BenchContext = { root: ROOT, peersDir, tmp, core: TEST_CORE, junction: tsxJunction(ROOT), nginx: which('nginx'), urls: {} };
  if (!ctx.nginx) log('nginx not installed: the nginx peer is skipped and the REST mock is Node (apt-get install -y nginx-light)');
  if (args.junction === 'build') {
    log('building Junction into bench/.build …');
    ctx.junction = await buildJunction(ROOT, log);
  }
  if (args.peers && (args.only.length === 0 || args.only.some((id) => baseId(id) !== 'junction'))) ctx.peersUnavailable = await ensurePeers(peersDir, log);
  else ctx.peersUnavailable = 'peers not run (--no-peers / --only)';

  const mocks = await startMocks(ctx);
  ctx.urls = mocks.urls;
  try {
    const supergraphs = await composeSupergraphs(ctx);
    const chosen = select(allScenarios(ctx, supergraphs, mocks.mocks), args);
    for (const scenario of chosen) if (!scenario.unavailable && scenario.targets.length > 0) await scenario.prepare?.();
    const deps: MeasureDeps = { ticksPerSecond: clockTicks(), loadCore: LOAD_CORE, busyCore: TEST_CORE, timing: args.timing, log };
    const samples = await runRounds(chosen, args, deps);
    const paired = await runPaired(chosen, args, deps);
    const rows = chosen.flatMap((s) => summarise(s, samples));
    const derived = chosen.flatMap((s) => derive(s, samples));
    print(chosen, rows, derived, paired);
    const info = runInfo(ROOT, args, ctx, mocks.restKind);
    const file = args.out ?? resultFile(ROOT, info, args.quick);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, `${JSON.stringify({ ...info, scenarios: chosen.map(describe), rows, derived, paired, samples }, null, 2)}\n`);
    log(`wrote ${file}`);
    return rows.some((r) => r.errors > 0) ? 1 : 0;
  } finally {
    await mocks.close();
    rmSync(tmp, { recursive: true, force: true });
  }
}

async function runRounds(chosen: Scenario[], args: BenchArgs, deps: MeasureDeps): Promise<Sample[]> {
  const samples: Sample[] = [];
  for (let round = 1; round <= args.rounds; round++) {
    for (const scenario of chosen) {
      if (scenario.unavailable) continue;
      for (const target of shuffle(scenario.targets)) {
        if (target.once && round > 1) continue;
        log(`round ${round}/${args.rounds} ${scenario.name}: ${target.label}`);
        const sample = await measure(scenario, target, round, deps);
        log(sample.skipped ? `  skipped: ${sample.skipped}` : `  ${sample.rpsPerCpuSecond?.toFixed(0)} req/CPU-s, ${sample.rps?.toFixed(0)} req/s, CPU ${(100 * (sample.cpuShare ?? 0)).toFixed(0)}%${sample.flags.length ? ` ⚑ ${sample.flags.join('; ')}` : ''}${sample.firstError ? ` first bad: ${sample.firstError}` : ''}`);
        samples.push(sample);
      }
    }
  }
  return samples;
}

/** Each derived figure again, both of its processes running, windows interleaved (`--paired N`). */
async function runPaired(chosen: Scenario[], args: BenchArgs, deps: MeasureDeps): Promise<PairedRow[]> {
  const rows: PairedRow[] = [];
  if (args.paired === 0) return rows;
  for (const scenario of chosen) {
    if (scenario.unavailable) continue;
    for (const spec of scenario.derived ?? []) {
      log(`paired ${scenario.name}: ${spec.label} (${args.paired} pairs of ${args.pairWindowS} s windows, both processes started afresh every ${args.pairsPerStart})`);
      const row = await measurePaired(scenario, spec, { pairs: args.paired, windowS: args.pairWindowS, pairsPerStart: args.pairsPerStart }, deps);
      log(`  ${pairedNotes([row])}`);
      rows.push(row);
    }
  }
  return rows;
}

function describe(s: Scenario): Record<string, unknown> {
  return { name: s.name, title: s.title, reference: s.reference, connections: s.connections, request: { method: s.spec.method, path: s.spec.path, marker: s.spec.marker }, unavailable: s.unavailable };
}

function print(chosen: Scenario[], rows: Row[], derived: DerivedRow[], paired: PairedRow[]): void {
  console.log('');
  for (const s of chosen) console.log(`${s.name}: ${s.title} (reference: ${s.reference}, ${s.connections} connections)`);
  console.log('');
  console.log(table(rows, chosen.map((s) => ({ scenario: s.name, title: s.title, unavailable: s.unavailable }))));
  const notes = [derivedNotes(derived), pairedNotes(paired), soakNotes(rows)].filter(Boolean).join('\n');
  if (notes) console.log(`\n${notes}`);
  const flags = flagNotes(rows);
  if (flags) console.log(`\n${flags}`);
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
