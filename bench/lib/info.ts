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

/**
 * Why scenarios 4 and 5 do not run yet. They need policy and breaker config that the bench
 * can drive; this reports the config keys found so the note stays true as features land.
 */
export async function availabilityNotes(root: string): Promise<{ policies: string; resilience: string }> {
  let keys: string[] = [];
  let upstreamKeys: string[] = [];
  try {
    const mod = (await import(join(root, 'src/config/schema.ts'))) as {
      configSchema?: { shape?: Record<string, unknown> };
      upstreamSchema?: { shape?: Record<string, unknown> };
    };
    keys = Object.keys(mod.configSchema?.shape ?? {});
    upstreamKeys = Object.keys(mod.upstreamSchema?.shape ?? {});
  } catch {
    // the schema is mid-edit; report without keys
  }
  const policyKeys = keys.filter((k) => /auth|rate|cache|polic/i.test(k));
  const breaker = upstreamKeys.filter((k) => /breaker/i.test(k));
  return {
    policies:
      `not available: no bench config for @auth/@rateLimit/@cacheControl yet` +
      (policyKeys.length ? ` (config keys now present: ${policyKeys.join(', ')}; add bench/configs/policies-*.yaml)` : ' (no policy config keys in src/config)'),
    resilience:
      `not available: breaker fast-fail and soak not wired in the bench yet` +
      (breaker.length ? ` (upstream keys now present: ${breaker.join(', ')})` : ' (no breaker config in src/config)'),
  };
}
