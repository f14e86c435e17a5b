import { execFile } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startOrders, startUsers } from '../../subgraphs/index.js';
import { startProductsGraphql, startRestMock, type Mock } from './mocks.js';
import { mockConfig, startNginx } from './nginx.js';
import { freePort, probe, tail, type Started } from './process.js';
import type { CallSource, ScenarioMocks, Supergraphs } from './scenarios.js';
import type { BenchContext } from './targets.js';
import { PRODUCTS_SDL } from './mocks.js';

const run = promisify(execFile);

/** Compiles the gateway into bench/.build (tsc emits even when a file elsewhere has type errors). */
export async function buildJunction(root: string, log: (line: string) => void): Promise<BenchContext['junction']> {
  const outDir = join(root, 'bench/.build');
  try {
    await run(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json', '--outDir', outDir, '--sourceMap', 'false'], { cwd: root });
  } catch (err) {
    log(`tsc reported errors (building anyway): ${tail(String((err as { stdout?: string }).stdout ?? err), 300)}`);
  }
  const cli = join(outDir, 'src/cli.js');
  if (!existsSync(cli)) throw new Error(`build produced no ${cli}`);
  return { command: process.execPath, args: [cli], mode: 'build' };
}

export function tsxJunction(root: string): BenchContext['junction'] {
  return { command: process.execPath, args: ['--import', 'tsx', join(root, 'src/cli.ts')], mode: 'tsx' };
}

/** Installs bench/peers from its lock file when missing; returns why peers cannot run, if so. */
export async function ensurePeers(peersDir: string, log: (line: string) => void): Promise<string | undefined> {
  if (existsSync(join(peersDir, 'node_modules/@graphql-hive/gateway'))) return undefined;
  log('installing peers into bench/peers (npm ci) …');
  try {
    await run('npm', ['ci', '--no-audit', '--no-fund'], { cwd: peersDir, maxBuffer: 64 * 1024 * 1024 });
    return undefined;
  } catch (err) {
    return `peers not installed (npm ci in bench/peers failed: ${tail(String((err as Error).message), 200)})`;
  }
}

export interface RunningMocks {
  urls: Record<string, string>;
  mocks: ScenarioMocks;
  restKind: 'nginx' | 'node';
  close(): Promise<void>;
}

/** Starts every mock on the calling process's core (core 0): zero-cost ones and the 5 ms ones. */
export async function startMocks(ctx: Pick<BenchContext, 'nginx' | 'tmp'>, latencyMs = 5): Promise<RunningMocks> {
  const products = await startProductsGraphql();
  const productsFlaky = await startProductsGraphql(0, { failFirstEvery: 10 });
  // Bound, then released: nothing listens there (the breaker-open row's upstream).
  const deadUrl = `http://127.0.0.1:${await freePort()}`;
  const users = await startUsers({ latencyMs });
  const orders = await startOrders({ latencyMs });
  let rest: Mock | undefined;
  let nginx: Started | undefined;
  let restUrl: string;
  if (ctx.nginx) {
    const port = await freePort();
    const dir = join(ctx.tmp, 'nginx-mock');
    restUrl = `http://127.0.0.1:${port}`;
    nginx = startNginx(ctx.nginx, dir, mockConfig(dir, port), 0, restUrl);
    await waitUp(nginx, restUrl);
  } else {
    rest = await startRestMock();
    restUrl = rest.url;
  }
  const fanout: CallSource[] = [users, orders];
  return {
    urls: { products: products.url, productsFlaky: productsFlaky.url, dead: deadUrl, users: users.url, orders: orders.url, rest: restUrl },
    mocks: { products, productsFlaky, fanout, rest },
    restKind: nginx ? 'nginx' : 'node',
    async close() {
      await Promise.all([products.close(), productsFlaky.close(), users.close(), orders.close(), rest?.close(), nginx?.stop()]);
    },
  };
}

async function waitUp(started: Started, url: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (started.exited()) throw new Error(`nginx mock exited: ${tail(started.output())}`);
    try {
      await probe(url, { method: 'GET', path: '/products/p1', marker: '' });
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  throw new Error('nginx mock did not start');
}

/** Composes the supergraphs the GraphQL peers serve (they carry the mocks' URLs, so per run). */
export async function composeSupergraphs(ctx: BenchContext): Promise<Supergraphs> {
  const out: Supergraphs = {};
  if (ctx.peersUnavailable) return out;
  mkdirSync(ctx.tmp, { recursive: true });
  const products = join(ctx.tmp, 'products.supergraph.graphql');
  const fed = PRODUCTS_SDL.replace(/products\.graphql$/, 'products.federation.graphql');
  try {
    await run(process.execPath, [join(ctx.peersDir, 'compose-supergraph.mjs'), products, `products=${fed}=${ctx.urls.products}/graphql`], { cwd: ctx.peersDir });
    out.products = products;
  } catch (err) {
    out.productsError = `supergraph composition failed: ${tail(String((err as { stderr?: string }).stderr ?? err), 200)}`;
  }
  const mesh = join(ctx.tmp, 'mesh.supergraph.graphql');
  try {
    await run(process.execPath, [join(ctx.peersDir, 'node_modules/@graphql-mesh/compose-cli/esm/bin.js'), '-c', join(ctx.peersDir, 'mesh.config.mjs'), '-o', mesh], {
      cwd: ctx.peersDir,
      env: { ...process.env, USERS_URL: ctx.urls.users, ORDERS_URL: ctx.urls.orders, ROOT: ctx.root },
    });
    out.mesh = mesh;
  } catch (err) {
    out.meshError = `Mesh composition failed: ${tail(String((err as { stderr?: string }).stderr ?? err), 200)}`;
  }
  return out;
}
