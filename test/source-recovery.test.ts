import { access, readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createGateway, type Gateway } from '../src/gateway.js';
import { silentLogger } from '../src/logger.js';
import { loadVersionedConfig } from '../src/reload.js';
import type { RetryScheduler } from '../src/runtime-recovery.js';
import { startReviews, startUsers, type RunningService } from '../subgraphs/index.js';
import { postGraphql } from './helpers/demo-gateway.js';
import { configText, tempConfig } from './helpers/reload-config.js';

let gateways: Gateway[] = [];
let services: RunningService[] = [];
let temp: Awaited<ReturnType<typeof tempConfig>> | undefined;
afterEach(async () => {
  await Promise.all(gateways.map((gateway) => gateway.close()));
  await Promise.all(services.map((service) => service.close()));
  await temp?.remove();
  gateways = [];
  services = [];
  temp = undefined;
});

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Retries the test runs by hand: `pending` holds what the gateway scheduled, with its delay. */
function manualScheduler() {
  const pending: { task: () => Promise<void>; delayMs: number }[] = [];
  const schedule: RetryScheduler = (task, delayMs) => {
    const entry = { task, delayMs };
    pending.push(entry);
    return () => pending.splice(pending.indexOf(entry) >>> 0, pending.includes(entry) ? 1 : 0);
  };
  return { schedule, pending, runNext: () => pending.shift()!.task() };
}

/** The gateway's clock (breakers, health); the test moves it past a breaker's open time. */
let clock = 0;
const now = () => clock;

async function startGateway(text: string, scheduler: RetryScheduler): Promise<{ gateway: Gateway; endpoint: string }> {
  temp ??= await tempConfig(text);
  await temp.write(text);
  const { config, version } = await loadVersionedConfig(temp.file, { env: {} });
  const gateway = await createGateway(config, { logger: silentLogger(), configFile: temp.file, configEnv: {}, version, retryScheduler: scheduler, now });
  gateways.push(gateway);
  const { port } = await gateway.listen();
  return { gateway, endpoint: `http://127.0.0.1:${port}/graphql` };
}

const retry = 'reload: { sourceRetry: { initialMs: 1000, maxMs: 2000 } }';

describe('a source down at start', () => {
  it('is retried with capped backoff and, once back, its fields and links resolve without a restart', async () => {
    const users = await startUsers();
    services.push(users);
    const reviewsPort = await freePort();
    const scheduler = manualScheduler();
    const { gateway, endpoint } = await startGateway(configText({ usersUrl: users.url, reviewsUrl: `http://127.0.0.1:${reviewsPort}`, reviewsSchema: 'introspection', extra: retry }), scheduler.schedule);
    expect((await gateway.readiness()).status).toBe('degraded');
    expect((await postGraphql(endpoint, '{ reviews { id } }')).body.errors?.[0]?.extensions?.['code']).toBe('GRAPHQL_VALIDATION_FAILED');

    expect(scheduler.pending.map((entry) => entry.delayMs)).toEqual([1000]);
    await scheduler.runNext();
    expect(scheduler.pending.map((entry) => entry.delayMs)).toEqual([2000]);
    await scheduler.runNext();
    expect(scheduler.pending.map((entry) => entry.delayMs)).toEqual([2000]);

    services.push(await startReviews({ port: reviewsPort }));
    clock += 60_000; // the failed loads opened the reviews breaker: a retry goes out once it may half-open
    await scheduler.runNext();
    expect(scheduler.pending).toEqual([]);
    const answer = await postGraphql(endpoint, '{ reviews { id author { name } } }');
    expect(answer.status).toBe(200);
    expect(answer.body.errors).toBeUndefined();
    expect((answer.body.data!['reviews'] as { author: { name: string } }[])[0]!.author.name).toEqual(expect.any(String));
    expect(gateway.composed.skippedLinks).toEqual([]);
    const report = await gateway.readiness();
    expect(report.status).toBe('ready');
    expect(report.sources.find((source) => source.name === 'reviews')).toMatchObject({ loaded: true, reachable: true });
  }, 30_000);

  it('is served from its schema snapshot when it has one, then live once it is back', async () => {
    const users = await startUsers();
    const reviewsPort = await freePort();
    const reviews = await startReviews({ port: reviewsPort });
    services.push(users);
    temp = await tempConfig('');
    const snapshot = join(temp.dir, 'schema', 'reviews.graphql');
    const text = configText({ usersUrl: users.url, reviewsUrl: reviews.url, reviewsSchema: `{ introspection: true, snapshotFile: schema/reviews.graphql }`, extra: retry });
    const scheduler = manualScheduler();

    const live = await startGateway(text, scheduler.schedule);
    expect(await readFile(snapshot, 'utf8')).toContain('reviewsByProductIds(productIds: [ID!]!): [Review!]!');
    await live.gateway.close();
    gateways = [];
    await reviews.close();

    const { gateway, endpoint } = await startGateway(text, scheduler.schedule);
    const down = await postGraphql(endpoint, '{ review(id: "1") { id } users { id } }');
    expect(down.status).toBe(200);
    expect(down.body.errors?.[0]).toMatchObject({ path: ['review'], extensions: { code: 'UPSTREAM_UNAVAILABLE' } });
    expect((down.body.data!['users'] as unknown[]).length).toBe(10);
    const degraded = await gateway.readiness();
    expect(degraded.status).toBe('degraded');
    expect(degraded.sources.find((source) => source.name === 'reviews')).toMatchObject({ loaded: true, reachable: false });
    expect(scheduler.pending).toHaveLength(1);

    services.push(await startReviews({ port: reviewsPort }));
    clock += 60_000; // the failed loads opened the reviews breaker: a retry goes out once it may half-open
    await scheduler.runNext();
    expect(scheduler.pending).toEqual([]);
    const up = await postGraphql(endpoint, '{ reviews { id author { id } } }');
    expect(up.body.errors).toBeUndefined();
    expect((await gateway.readiness()).status).toBe('ready');
    await access(snapshot);
  }, 30_000);
});
