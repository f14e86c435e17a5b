import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startAll, type RunningServices } from '../subgraphs/index.js';
import { postGraphql } from './helpers/demo-gateway.js';
import { startOwnRedis, waitFor, withTimeout, type OwnRedis } from './rate-limit-support.js';

const SCRIPT = resolve(import.meta.dirname, 'rate-limit-gateway-process.ts');
const LIMIT = 20;

let services: RunningServices | undefined;
let redis: OwnRedis | undefined;
const children: ChildProcess[] = [];
afterEach(async () => {
  await Promise.all(children.splice(0).map(async (child) => {
    if (child.exitCode !== null) return;
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    await withTimeout(exited, 10_000, 'gateway process did not stop').catch(() => child.kill('SIGKILL'));
  }));
  await services?.close();
  await redis?.close();
  services = undefined;
  redis = undefined;
});

/** Starts a gateway in its own OS process and resolves to its URL once it serves and Redis is connected. */
async function spawnGateway(extraYaml: string): Promise<string> {
  const child = spawn(process.execPath, ['--import', 'tsx', SCRIPT], {
    env: {
      ...process.env,
      USERS_URL: services!.users.url,
      REVIEWS_URL: services!.reviews.url,
      CATALOG_URL: services!.catalog.url,
      ORDERS_URL: services!.orders.url,
      JUNCTION_EXTRA_YAML: extraYaml,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
    cwd: resolve(import.meta.dirname, '..'),
  });
  children.push(child);
  const connected = waitFor(child.stdout!, /redis connected/, 40_000);
  const listening = waitFor(child.stdout!, /\{"port":\d+\}/, 40_000);
  const [, line] = await Promise.all([connected, listening]);
  child.stdout!.resume();
  return `http://127.0.0.1:${(JSON.parse(line) as { port: number }).port}/graphql`;
}

describe('two gateway processes sharing one Redis', () => {
  it(`enforce one global limit: of ${LIMIT + 10} concurrent requests spread over both, exactly ${LIMIT} pass; request N+1 is refused by either`, async () => {
    [services, redis] = await Promise.all([startAll(), startOwnRedis()]);
    // A calendar-month window: it cannot turn over during the test except at a month boundary.
    const yaml = `
redis: { url: "${redis.url}", commandTimeoutMs: 1000 }
rateLimit:
  store: redis
  fields:
    Query.users: { month: ${LIMIT}, by: field }`;
    const [a, b] = await Promise.all([spawnGateway(yaml), spawnGateway(yaml)]);
    services.resetCalls();
    const answers = await Promise.all(Array.from({ length: LIMIT + 10 }, (_, i) => postGraphql(i % 2 === 0 ? a : b, '{ users { id } }')));
    const statuses = answers.map((answer) => answer.status);
    expect(statuses.filter((status) => status === 200)).toHaveLength(LIMIT);
    expect(statuses.filter((status) => status === 429)).toHaveLength(10);
    expect(services.users.calls.total).toBe(LIMIT);
    for (const endpoint of [a, b]) {
      const refused = await postGraphql(endpoint, '{ users { id } }');
      expect(refused.status).toBe(429);
      expect(refused.headers.get('ratelimit-remaining')).toBe('0');
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    }
    const keys = (await redis.command('KEYS', '*')) as string[];
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatch(/^junction:rl:[A-Za-z0-9_-]{43}$/);
  }, 90_000);
});
