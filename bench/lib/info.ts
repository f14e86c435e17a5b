import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchArgs } from './args.js';
import { commandVersion, gitCommit, machineInfo } from './sys.js';
import type { BenchContext } from './targets.js';

const PEER_PACKAGES = [
  '@graphql-hive/gateway', '@graphql-hive/router-runtime', '@apollo/gateway', '@apollo/server', '@apollo/composition',
  '@graphql-mesh/compose-cli', '@omnigraph/openapi', 'fastify', '@fastify/reply-from', 'undici', 'graphql',
];

function version(dir: string, name: string): string | undefined {
  try {
    return (JSON.parse(readFileSync(join(dir, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return undefined;
  }
}

export interface RunInfo {
  date: string;
  git: { commit?: string; dirty?: boolean };
  machine: Record<string, unknown>;
  versions: Record<string, string | undefined>;
  options: Record<string, unknown>;
}

export function runInfo(root: string, args: BenchArgs, ctx: BenchContext, restKind: string): RunInfo {
  const versions: Record<string, string | undefined> = {
    junction: (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version,
    node: process.version,
    wrk: commandVersion('wrk', ['--version'])?.split(' ').slice(0, 2).join(' '),
    nginx: ctx.nginx ? commandVersion(ctx.nginx, ['-v']) : undefined,
  };
  for (const name of PEER_PACKAGES) versions[name] = version(ctx.peersDir, name);
  return {
    date: new Date().toISOString(),
    git: gitCommit(root),
    machine: machineInfo(),
    versions,
    options: { ...args.timing, rounds: args.rounds, quick: args.quick, junction: ctx.junction.mode, restMock: restKind, loadCore: 0, testCore: ctx.core },
  };
}

/** bench/results/<date>-<commit>.json; quick runs end in .tmp.json (git-ignored). */
export function resultFile(root: string, info: RunInfo, quick: boolean): string {
  const stamp = info.date.replace(/[:]/g, '').replace(/\..*$/, '');
  return join(root, 'bench/results', `${stamp}-${(info.git.commit ?? 'nogit').slice(0, 7)}${quick ? '.tmp' : ''}.json`);
}
