/**
 * Runs the example upstreams on fixed ports.
 *
 *   tsx subgraphs/main.ts                 # all four
 *   tsx subgraphs/main.ts users catalog   # only those
 *
 * Env: HOST (default 127.0.0.1), USERS_PORT (4001), REVIEWS_PORT (4002), CATALOG_PORT (4003),
 * ORDERS_PORT (4004), LATENCY_MS (default 0).
 */
import { SERVICE_NAMES, STARTERS, type ServiceName } from './index.js';
import type { RunningService } from './service.js';

const DEFAULT_PORTS: Record<ServiceName, number> = { users: 4001, reviews: 4002, catalog: 4003, orders: 4004 };

function portFor(name: ServiceName): number {
  const raw = process.env[`${name.toUpperCase()}_PORT`];
  if (raw === undefined || raw === '') return DEFAULT_PORTS[name];
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`${name.toUpperCase()}_PORT must be a port number, got "${raw}"`);
  }
  return port;
}

function isServiceName(value: string): value is ServiceName {
  return (SERVICE_NAMES as readonly string[]).includes(value);
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const unknown = args.filter((a) => !isServiceName(a));
  if (unknown.length > 0) {
    console.error(`Unknown service(s): ${unknown.join(', ')}. Choose from: ${SERVICE_NAMES.join(', ')}`);
    process.exit(2);
  }
  const names: ServiceName[] = args.length > 0 ? [...new Set(args as ServiceName[])] : [...SERVICE_NAMES];
  const host = process.env.HOST || '127.0.0.1';
  const latencyMs = Number(process.env.LATENCY_MS ?? 0) || 0;

  const running: RunningService[] = [];
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal} received, stopping ${running.map((s) => s.name).join(', ') || 'nothing'}`);
    await Promise.allSettled(running.map((s) => s.close()));
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));

  for (const name of names) {
    const service = await STARTERS[name]({ host, port: portFor(name), latencyMs });
    running.push(service);
    const path = name === 'users' || name === 'reviews' ? '/graphql' : '';
    console.log(`${service.name.padEnd(8)} ${service.url}${path}`);
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
