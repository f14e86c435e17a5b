import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config/index.js';
import { createGateway, SourceLoadError, type Gateway } from '../src/gateway.js';
import { silentLogger } from '../src/logger.js';
import { startUsers, type RunningService } from '../subgraphs/index.js';
import { postGraphql, ROOT } from './helpers/demo-gateway.js';

/** A port nothing listens on: bound, then released. */
async function deadPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

let gateway: Gateway | undefined;
let users: RunningService | undefined;
afterEach(async () => {
  await gateway?.close();
  await users?.close();
  gateway = users = undefined;
});

function configWith(usersUrl: string, reviewsUrl: string, extra = '') {
  return parseConfig(`
server: { port: 0, host: 127.0.0.1 }
${extra}
upstreams:
  users: { url: "${usersUrl}" }
  reviews: { url: "${reviewsUrl}", connectTimeoutMs: 500 }
sources:
  - { name: users, type: graphql, upstream: users, schema: { file: subgraphs/users/schema.graphql } }
  - { name: reviews, type: graphql, upstream: reviews, schema: introspection }
links:
  - { field: Review.author, type: User, from: authorId, to: { source: users, field: usersByIds, argument: ids, batch: true, key: id } }
`, `${ROOT}/gateway.yaml`, { env: {} });
}

describe('an upstream that is down at start', () => {
  it('the gateway starts, serves the other sources and readiness names the missing one', async () => {
    users = await startUsers();
    const reviewsUrl = `http://127.0.0.1:${await deadPort()}`;
    gateway = await createGateway(configWith(users.url, reviewsUrl), { logger: silentLogger() });
    const { port } = await gateway.listen();

    const answer = await postGraphql(`http://127.0.0.1:${port}/graphql`, '{ users { id name } }');
    expect(answer.status).toBe(200);
    expect((answer.body.data!['users'] as unknown[]).length).toBe(10);
    expect(gateway.composed.skippedLinks).toEqual(['Review.author']);

    const readyz = await fetch(`http://127.0.0.1:${port}/readyz`);
    expect(readyz.status).toBe(200);
    const report = (await readyz.json()) as { status: string; sources: { name: string; loaded: boolean; reachable: boolean | null; error?: string }[] };
    expect(report.status).toBe('degraded');
    expect(report.sources.find((source) => source.name === 'users')).toMatchObject({ loaded: true, reachable: true });
    expect(report.sources.find((source) => source.name === 'reviews')).toMatchObject({ loaded: false, reachable: false, error: 'SCHEMA_UNAVAILABLE' });
    expect(JSON.stringify(report)).not.toContain(reviewsUrl);
  });

  it('with failFast the gateway refuses to start and says which source', async () => {
    users = await startUsers();
    const reviewsUrl = `http://127.0.0.1:${await deadPort()}`;
    await expect(createGateway(configWith(users.url, reviewsUrl, 'failFast: true'), { logger: silentLogger() }))
      .rejects.toThrow(SourceLoadError);
    await expect(createGateway(configWith(users.url, reviewsUrl, 'failFast: true'), { logger: silentLogger() }))
      .rejects.toThrow(/source "reviews"/);
  });

  it('a source with an SDL file loads while its upstream is down, and reports unreachable', async () => {
    const usersUrl = `http://127.0.0.1:${await deadPort()}`;
    gateway = await createGateway(configWith(usersUrl, usersUrl), { logger: silentLogger() });
    const { port } = await gateway.listen();
    const answer = await postGraphql(`http://127.0.0.1:${port}/graphql`, '{ user(id: "1") { id } }');
    expect(answer.status).toBe(200);
    expect(answer.body.data).toEqual({ user: null });
    expect(answer.body.errors?.[0]?.extensions?.['code']).toBe('UPSTREAM_UNAVAILABLE');
    const report = (await (await fetch(`http://127.0.0.1:${port}/readyz`)).json()) as { status: string; sources: { name: string; reachable: boolean | null }[] };
    expect(report.status).toBe('degraded');
    expect(report.sources.find((source) => source.name === 'users')?.reachable).toBe(false);
  });
});

describe('graceful shutdown', () => {
  it('readiness fails at once and in-flight requests finish', async () => {
    users = await startUsers({ latencyMs: 300 });
    gateway = await createGateway(configWith(users.url, users.url), { logger: silentLogger() });
    const { port } = await gateway.listen();
    const inFlight = postGraphql(`http://127.0.0.1:${port}/graphql`, '{ users { id } }');
    await new Promise<void>((resolve) => {
      const check = () => (users!.calls.total > 1 ? resolve() : setImmediate(check));
      check();
    });
    const closing = gateway.close();
    expect((await gateway.readiness()).status).toBe('unavailable');
    const answer = await inFlight;
    expect(answer.status).toBe(200);
    expect((answer.body.data!['users'] as unknown[]).length).toBe(10);
    await closing;
    await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
    gateway = undefined;
  });
});
