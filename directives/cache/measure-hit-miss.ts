/**
 * Hit vs miss cost of the response cache on the flat query (20 products, ~1 KB), in requests per
 * CPU-second of the gateway process alone. The gateway runs in a child process; the catalog
 * upstream and the load loop run here. Miss: every request has a unique (unknown, skipped) id in
 * its variables, so each one is a real miss (lookup, execution, store); hit: identical requests.
 *
 *   npx tsx directives/cache/measure-hit-miss.ts [seconds=5] [rounds=3]
 */
import { fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Pool } from 'undici';

const IDS = Array.from({ length: 20 }, (_, i) => `p${i + 1}`);
const QUERY = 'query Flat($ids: [String!]) { products(ids: $ids) { id name price } }';

async function runGateway(catalogUrl: string): Promise<void> {
  const { parseConfig } = await import('../../src/config/index.js');
  const { createGateway } = await import('../../src/gateway.js');
  const { silentLogger } = await import('../../src/logger.js');
  const { catalogOpenApiPath } = await import('../../subgraphs/index.js');
  const config = parseConfig(`
server: { host: 127.0.0.1, port: 0 }
graphql: { mode: production }
upstreams: { catalog: { url: "${catalogUrl}" } }
sources: [{ name: catalog, type: openapi, upstream: catalog, spec: "${catalogOpenApiPath}" }]
cache: { types: { Product: { maxAge: 300 } }, fields: { "Query.products": { maxAge: 300 } } }
`, '/tmp/measure.yaml', { env: {} });
  const gateway = await createGateway(config, { logger: silentLogger() });
  const { port } = await gateway.listen();
  process.send?.({ port });
}

function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
}

async function load(pool: Pool, seconds: number, unique: boolean): Promise<number> {
  const deadline = performance.now() + seconds * 1000;
  let done = 0;
  let n = 0;
  const hitBody = JSON.stringify({ query: QUERY, variables: { ids: IDS } });
  async function worker(): Promise<void> {
    while (performance.now() < deadline) {
      const body = unique ? JSON.stringify({ query: QUERY, variables: { ids: [...IDS, `x${n++}`] } }) : hitBody;
      const response = await pool.request({ method: 'POST', path: '/graphql', headers: { 'content-type': 'application/json' }, body });
      const text = await response.body.text();
      if (response.statusCode !== 200 || !text.includes('"name":"Notebook"')) throw new Error(`bad answer ${response.statusCode} ${text.slice(0, 200)}`);
      done++;
    }
  }
  await Promise.all(Array.from({ length: 16 }, worker));
  return done;
}

async function main(): Promise<void> {
  if (process.argv[2] === '--gateway') return runGateway(process.argv[3]!);
  const seconds = Number(process.argv[2] ?? 5);
  const rounds = Number(process.argv[3] ?? 3);
  const { startCatalog } = await import('../../subgraphs/index.js');
  const catalog = await startCatalog({ port: 0 });
  const child = fork(fileURLToPath(import.meta.url), ['--gateway', catalog.url], { execArgv: ['--import', 'tsx'] });
  const port = await new Promise<number>((resolve) => child.once('message', (message: { port: number }) => resolve(message.port)));
  const pool = new Pool(`http://127.0.0.1:${port}`, { connections: 16 });
  // Warm up both paths (JIT, pools, document cache) before measuring.
  await load(pool, seconds, true);
  await load(pool, seconds, false);
  const ratios: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const result: Record<string, number> = {};
    for (const mode of round % 2 === 0 ? ['miss', 'hit'] : ['hit', 'miss']) {
      const before = cpuMs(child.pid!);
      const count = await load(pool, seconds, mode === 'miss');
      result[mode] = count / ((cpuMs(child.pid!) - before) / 1000);
    }
    ratios.push(result['hit']! / result['miss']!);
    console.log(`round ${round + 1}: miss ${result['miss']!.toFixed(0)} req/CPU-s, hit ${result['hit']!.toFixed(0)} req/CPU-s, hit/miss ${ratios.at(-1)!.toFixed(2)}`);
  }
  ratios.sort((a, b) => a - b);
  console.log(`hit/miss median ${ratios[Math.floor(ratios.length / 2)]!.toFixed(2)} (min ${ratios[0]!.toFixed(2)}, max ${ratios.at(-1)!.toFixed(2)})`);
  await pool.close();
  child.kill();
  await catalog.close();
}

await main();
