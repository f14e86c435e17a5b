import { parseArgs } from 'node:util';
import type { Timing } from './measure.js';

export interface BenchArgs {
  scenarios: string[];
  only: string[];
  rounds: number;
  timing: Timing;
  quick: boolean;
  peers: boolean;
  junction: 'build' | 'tsx';
  /** Pairs of interleaved windows per derived figure (0: none; see lib/paired.ts). */
  paired: number;
  pairWindowS: number;
  /** Pairs per start of the two processes (see lib/paired.ts). */
  pairsPerStart: number;
  out?: string;
  help: boolean;
}

export const USAGE = `Usage: npm run bench -- [options]

  --scenario NAME   run only this scenario (repeatable; a prefix works: "passthrough")
                    flat | fanout | passthrough-get | passthrough-post | policies | resilience
  --only ID         run only this process under test (repeatable): junction, hive-stitching-jit,
                    hive-router, apollo-gateway, subgraph-direct, hive-mesh, undici-proxy,
                    fastify-reply-from, nginx; "junction" takes every Junction row of scenarios
                    4 and 5 too, "junction+auth-pool" (etc., see bench/README.md) only that one
  --quick           a few seconds per scenario, 1 round (smoke run; numbers are indicative only)
  --rounds N        rounds, order shuffled each round (default 3)
  --warmup S        warm-up seconds (default 10)   --duration S   measured seconds (default 10)
  --latency S       seconds of the one-connection latency run (default 5)
  --soak S          seconds of the memory soak of "resilience" (default 60; 30 with --quick)
  --no-peers        Junction only (never installs peers)
  --junction MODE   build (default: compile to bench/.build and run JS) or tsx
  --paired N        after the rounds, measure each derived figure (e.g. a policy's overhead)
                    again with both processes running and N pairs of alternated windows: the
                    figure to trust on a noisy host (default 0: off)
  --pair-window S   seconds of each paired window (default 3)
  --pairs-per-start K  pairs measured before both processes are started afresh (default 4): a
                    process keeps a speed of its own for its life, a few percent either way
  --out FILE        write the JSON there (default bench/results/<date>-<commit>.json)

Compare two runs: npm run bench:compare A.json B.json`;

export function parseBenchArgs(argv: string[]): BenchArgs {
  const { values } = parseArgs({
    args: argv,
    options: {
      scenario: { type: 'string', multiple: true },
      only: { type: 'string', multiple: true },
      quick: { type: 'boolean', default: false },
      rounds: { type: 'string' },
      warmup: { type: 'string' },
      duration: { type: 'string' },
      latency: { type: 'string' },
      soak: { type: 'string' },
      'no-peers': { type: 'boolean', default: false },
      junction: { type: 'string' },
      paired: { type: 'string' },
      'pair-window': { type: 'string' },
      'pairs-per-start': { type: 'string' },
      out: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const quick = values.quick ?? false;
  const num = (raw: string | undefined, fallback: number, name: string): number => {
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!Number.isFinite(value) || value < 0) throw new Error(`--${name} must be a non-negative number`);
    return value;
  };
  const junctionMode = values.junction ?? 'build';
  if (junctionMode !== 'build' && junctionMode !== 'tsx') throw new Error('--junction must be build or tsx');
  return {
    scenarios: (values.scenario ?? []).flatMap((s) => s.split(',')),
    only: (values.only ?? []).flatMap((s) => s.split(',')),
    rounds: Math.max(1, Math.floor(num(values.rounds, quick ? 1 : 3, 'rounds'))),
    timing: {
      warmupS: num(values.warmup, quick ? 1 : 10, 'warmup'),
      measureS: Math.max(1, num(values.duration, quick ? 2 : 10, 'duration')),
      latencyS: Math.max(1, num(values.latency, quick ? 1 : 5, 'latency')),
      soakS: Math.max(4, num(values.soak, quick ? 30 : 60, 'soak')),
    },
    quick,
    peers: !(values['no-peers'] ?? false),
    junction: junctionMode,
    paired: Math.floor(num(values.paired, 0, 'paired')),
    pairWindowS: Math.max(1, num(values['pair-window'], 3, 'pair-window')),
    pairsPerStart: Math.max(1, Math.floor(num(values['pairs-per-start'], 4, 'pairs-per-start'))),
    out: values.out,
    help: values.help ?? false,
  };
}
