import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { startNginx, proxyConfig } from './nginx.js';
import { spawnPinned, type Started } from './process.js';
import type { Load, MeasureDeps, WindowResult } from './measure.js';
import type { CallSource } from './scenarios.js';
import type { RequestSpec } from './wrk.js';

/** What every target needs to know about the run. */
export interface BenchContext {
  root: string;
  peersDir: string;
  tmp: string;
  core: number;
  /** `node <cli.js>` or `node --import tsx src/cli.ts`, whichever the run uses. */
  junction: { command: string; args: string[]; mode: 'build' | 'tsx' };
  nginx?: string;
  /** Why peers cannot run (not installed, install failed); undefined when they can. */
  peersUnavailable?: string;
  /** Upstream URLs by name (products, users, orders, rest). */
  urls: Record<string, string>;
}

/** One process under test. */
export interface Target {
  id: string;
  label: string;
  /** Reason it cannot run here, when known before starting it. */
  unavailable?(): string | undefined;
  /** It is itself the upstream, so the mocks see none of its calls. */
  noUpstream?: boolean;
  start(port: number): Started;
  /** The request this target gets instead of the scenario's. */
  spec?: RequestSpec;
  /** Mocks whose calls are counted for this target instead of the scenario's. */
  callSources?: CallSource[];
  /** Runs once the process answers, before the warm-up (e.g. a burst that opens a breaker). */
  prime?(started: Started, spec: RequestSpec): Promise<void>;
  /** Replaces the measured window and the one-connection run (the soak). */
  window?(started: Started, load: Load, deps: MeasureDeps): Promise<WindowResult>;
  /** Measured in the first round only (a long run that has no ratio of its own). */
  once?: boolean;
  /** Upstream calls per request above `max` flag the row (e.g. a cache hit that calls upstream). */
  maxCallsPerRequest?: { max: number; why: string };
}

/** A Junction run with another config, request or upstream: its own row, id `junction+<variant>`. */
export type JunctionVariant = Partial<Pick<Target, 'spec' | 'callSources' | 'prime' | 'window' | 'once' | 'maxCallsPerRequest'>> & {
  variant?: string;
  label?: string;
  /** Environment on top of the upstream URLs (evaluated at start). */
  env?: () => Record<string, string>;
};

/** `junction+auth-pool` → `junction`: what `--only` and `--no-peers` match. */
export const baseId = (id: string): string => id.split('+')[0]!;

const url = (port: number): string => `http://127.0.0.1:${port}`;

export function junction(ctx: BenchContext, configFile: string, options: JunctionVariant = {}): Target {
  const { variant, label, env, ...rest } = options;
  return {
    ...rest,
    id: variant ? `junction+${variant}` : 'junction',
    label: `Junction (${ctx.junction.mode === 'build' ? 'built JS' : 'tsx'})${label ? `: ${label}` : ''}`,
    start: (port) =>
      spawnPinned({
        command: ctx.junction.command,
        args: [...ctx.junction.args, 'start', '--config', join(ctx.root, 'bench/configs', configFile)],
        cwd: ctx.root,
        env: {
          PORT: String(port),
          PRODUCTS_URL: ctx.urls.products!,
          USERS_URL: ctx.urls.users!,
          ORDERS_URL: ctx.urls.orders!,
          CATALOG_URL: ctx.urls.rest!,
          ...env?.(),
        },
        core: ctx.core,
        url: url(port),
      }),
  };
}

function peerBin(ctx: BenchContext, relative: string): string {
  return join(ctx.peersDir, 'node_modules', relative);
}

function needsPeers(ctx: BenchContext, file?: () => string | undefined): () => string | undefined {
  return () => ctx.peersUnavailable ?? (file ? file() : undefined);
}

/** Hive Gateway serving a supergraph; `configFile` under bench/peers picks the runtime. */
export interface HiveOptions {
  id: string;
  label: string;
  supergraph: () => string | undefined;
  configFile: string;
  jit: boolean;
  why?: () => string | undefined;
  /** The request this row gets instead of the scenario's. */
  spec?: RequestSpec;
  /** Environment for its config file (evaluated at start). */
  env?: () => Record<string, string>;
  maxCallsPerRequest?: Target['maxCallsPerRequest'];
}

export function hiveGateway(ctx: BenchContext, options: HiveOptions): Target {
  return {
    id: options.id,
    label: options.label,
    spec: options.spec,
    maxCallsPerRequest: options.maxCallsPerRequest,
    unavailable: needsPeers(ctx, () => options.why?.() ?? (options.supergraph() ? undefined : 'no supergraph')),
    start: (port) =>
      spawnPinned({
        command: process.execPath,
        args: [
          peerBin(ctx, '@graphql-hive/gateway/dist/bin.js'),
          'supergraph', options.supergraph()!, ...(options.jit ? ['--jit'] : []), '--fork', '1',
          '--port', String(port), '--host', '127.0.0.1', '-c', join(ctx.peersDir, options.configFile),
        ],
        cwd: ctx.peersDir,
        env: { LOG_LEVEL: 'error', ...options.env?.() },
        core: ctx.core,
        url: url(port),
      }),
  };
}

export function apolloGateway(ctx: BenchContext, supergraph: () => string | undefined): Target {
  return {
    id: 'apollo-gateway',
    label: 'Apollo Gateway + @apollo/server',
    unavailable: needsPeers(ctx, () => (supergraph() ? undefined : 'no supergraph')),
    start: (port) =>
      spawnPinned({
        command: process.execPath,
        args: [join(ctx.peersDir, 'apollo-gateway.mjs')],
        cwd: ctx.peersDir,
        env: { PORT: String(port), SUPERGRAPH: supergraph()! },
        core: ctx.core,
        url: url(port),
      }),
  };
}

/** The GraphQL subgraph itself as the process under test: the physical limit. */
export function subgraphDirect(ctx: BenchContext): Target {
  return {
    id: 'subgraph-direct',
    label: 'the subgraph queried directly',
    noUpstream: true,
    start: (port) =>
      spawnPinned({
        command: process.execPath,
        args: ['--import', 'tsx', join(ctx.root, 'bench/mocks/main.ts'), 'products-graphql'],
        cwd: ctx.root,
        env: { PORT: String(port) },
        core: ctx.core,
        url: url(port),
      }),
  };
}

function nodeProxy(ctx: BenchContext, id: string, label: string, script: string): Target {
  return {
    id,
    label,
    unavailable: needsPeers(ctx),
    start: (port) =>
      spawnPinned({
        command: process.execPath,
        args: [join(ctx.peersDir, script)],
        cwd: ctx.peersDir,
        env: { PORT: String(port), UPSTREAM: ctx.urls.rest!, PREFIX: '/api/catalog' },
        core: ctx.core,
        url: url(port),
      }),
  };
}

export const undiciProxy = (ctx: BenchContext): Target =>
  nodeProxy(ctx, 'undici-proxy', 'node:http + undici Pool', 'node-proxy.mjs');
export const fastifyProxy = (ctx: BenchContext): Target =>
  nodeProxy(ctx, 'fastify-reply-from', 'fastify + @fastify/reply-from', 'fastify-proxy.mjs');

export function nginxProxy(ctx: BenchContext): Target {
  return {
    id: 'nginx',
    label: 'nginx (1 worker, keepalive)',
    unavailable: () => (ctx.nginx ? undefined : 'nginx not installed: apt-get install -y nginx-light'),
    start: (port) =>
      startNginx(ctx.nginx!, join(ctx.tmp, `nginx-proxy-${port}`), proxyConfig(join(ctx.tmp, `nginx-proxy-${port}`), port, ctx.urls.rest!, '/api/catalog'), ctx.core, url(port)),
  };
}

export function fileOrUndefined(path: string): string | undefined {
  return existsSync(path) ? path : undefined;
}
