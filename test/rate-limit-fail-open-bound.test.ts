import { afterEach, describe, expect, it } from 'vitest';
import { createGateway, type Gateway } from '../src/gateway.js';
import { startAll, type RunningServices } from '../subgraphs/index.js';
import { demoConfig, postGraphql } from './helpers/demo-gateway.js';
import { captureLogger, mergeYaml, startOwnRedis, waitFor, type OwnRedis } from './rate-limit-support.js';

const LIMIT = 5;
const EXTRA = 3;
const FALLBACK_WARNING = 'rate-limit store unavailable; applying failMode';

let services: RunningServices | undefined;
let redis: OwnRedis | undefined;
const gateways: Gateway[] = [];
afterEach(async () => {
  await Promise.all(gateways.splice(0).map((gateway) => gateway.close()));
  await services?.close();
  await redis?.close();
  services = undefined;
  redis = undefined;
});

/** A gateway of the test's own on the shared services and Redis, with its own log and the test's clock. */
async function startGateway(yaml: string, now: () => number) {
  const captured = captureLogger();
  const connected = waitFor(captured.lines, /redis connected/, 10_000);
  const config = await demoConfig(services!, { editYaml: (text) => mergeYaml(text, yaml) });
  const gateway = await createGateway(config, { logger: captured.logger, now });
  gateways.push(gateway);
  const { port } = await gateway.listen();
  await connected;
  return { endpoint: `http://127.0.0.1:${port}/graphql`, captured };
}

type Started = Awaited<ReturnType<typeof startGateway>>;

/** Sends `count` requests to each gateway at once; resolves to how many each admitted. */
async function admittedBy(all: readonly Started[], count: number): Promise<number[]> {
  const answers = await Promise.all(all.map((g) => Promise.all(Array.from({ length: count }, () => postGraphql(g.endpoint, '{ users { id } }')))));
  for (const statuses of answers) for (const { status } of statuses) expect([200, 429]).toContain(status);
  return answers.map((statuses) => statuses.filter(({ status }) => status === 200).length);
}

const fallbackWarnings = (g: Started) => g.captured.records.filter((record) => record['msg'] === FALLBACK_WARNING);
const total = (counts: readonly number[]) => counts.reduce((sum, count) => sum + count, 0);

/**
 * The bound docs/policies.md states for failing open: in one window, the limit in Redis, plus each
 * gateway's local limit, plus one more limit each time Redis comes back empty.
 */
const failOpenBound = (gateways: number, emptyRestarts: number) => (1 + gateways + emptyRestarts) * LIMIT;

/** Starts the test's Redis again, empty (it keeps nothing on disk), and waits for `reconnected`. */
async function restartEmpty(reconnected: readonly Promise<string>[]): Promise<void> {
  await redis!.start();
  await Promise.all(reconnected);
}

describe('two gateways on one Redis, failing open', () => {
  it('one global limit while Redis answers; failing open, a window admits at most (G + 1) × limit, and one limit more each time Redis comes back empty', async () => {
    [services, redis] = await Promise.all([startAll(), startOwnRedis()]);
    // The local limiter's clock (mid-month); Redis's own clock decides its windows.
    let now = Date.UTC(2024, 5, 15, 12, 0, 0);
    const yaml = `
redis: { url: "${redis.url}", commandTimeoutMs: 200 }
rateLimit:
  store: redis
  failMode: open
  fields:
    Query.users: { month: ${LIMIT}, by: field }`;
    const both = [await startGateway(yaml, () => now), await startGateway(yaml, () => now)];
    const reconnection = () => both.map((g) => waitFor(g.captured.lines, /redis connected/, 15_000));
    // Every request of the test falls in one month by Redis's clock and one by the gateways': one window, all it admits counts.
    let admitted = 0;
    const admit = async (count: number) => {
      const counts = await admittedBy(both, count);
      admitted += total(counts);
      return counts;
    };

    expect(total(await admit(LIMIT))).toBe(LIMIT);

    let reconnected = reconnection();
    await redis.kill();
    expect(await admit(LIMIT + EXTRA)).toEqual([LIMIT, LIMIT]);
    for (const g of both) expect(fallbackWarnings(g)).toHaveLength(1);
    // The warning repeats at most every 5 s, with the checks counted since the outage began.
    now += 5_000;
    expect(await admit(1)).toEqual([0, 0]);
    for (const g of both) expect(fallbackWarnings(g)[1]).toMatchObject({ failMode: 'open', fallbacks: LIMIT + EXTRA });

    await restartEmpty(reconnected);
    now += 5_000;
    expect(total(await admit(LIMIT))).toBe(LIMIT);

    // A second outage in the same window: each gateway's local count still holds, so nothing more passes locally.
    reconnected = reconnection();
    await redis.kill();
    expect(await admit(LIMIT)).toEqual([0, 0]);
    await restartEmpty(reconnected);
    expect(total(await admit(LIMIT + EXTRA))).toBe(LIMIT);

    expect(admitted).toBe(failOpenBound(both.length, 2));
    expect(await redis.command('KEYS', 'junction:rl:*')).toHaveLength(1);
  }, 60_000);
});
