import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { createGateway, type Gateway } from '../src/gateway.js';
import { silentLogger } from '../src/logger.js';
import { loadVersionedConfig } from '../src/reload.js';
import type { GatewayReadiness } from '../src/readiness.js';
import { startReviews, startUsers, type RunningService } from '../subgraphs/index.js';
import { postGraphql, type GraphqlAnswer } from './helpers/demo-gateway.js';
import { configText, tempConfig } from './helpers/reload-config.js';

let gateway: Gateway | undefined;
let services: RunningService[] = [];
let temp: Awaited<ReturnType<typeof tempConfig>> | undefined;
afterEach(async () => {
  await gateway?.close();
  await Promise.all(services.map((service) => service.close()));
  await temp?.remove();
  gateway = temp = undefined;
  services = [];
});

async function start(text: string): Promise<{ endpoint: string; base: string }> {
  temp = await tempConfig(text);
  const { config, version } = await loadVersionedConfig(temp.file, { env: {} });
  gateway = await createGateway(config, { logger: silentLogger(), configFile: temp.file, configEnv: {}, version });
  const { port } = await gateway.listen();
  return { endpoint: `http://127.0.0.1:${port}/graphql`, base: `http://127.0.0.1:${port}` };
}

async function readyz(base: string): Promise<GatewayReadiness> {
  return (await (await fetch(`${base}/readyz`)).json()) as GatewayReadiness;
}

const sha12 = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 12);

/** `total` requests, `concurrency` at a time; `during` runs once `atRequest` requests have started. */
async function steadyTraffic(endpoint: string, total: number, concurrency: number, atRequest: number, during: () => Promise<void>): Promise<GraphqlAnswer[]> {
  const answers: GraphqlAnswer[] = [];
  let started = 0;
  let duringDone: Promise<void> | undefined;
  async function worker(): Promise<void> {
    while (started < total) {
      started++;
      if (started === atRequest) duringDone = during();
      answers.push(await postGraphql(endpoint, '{ users { id name } }'));
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker));
  await duringDone;
  return answers;
}

describe('hot reload', () => {
  it('reloads to invalid configs during steady traffic fail no request, and the old config keeps serving', async () => {
    const users = await startUsers();
    services.push(users);
    const text = configText({ usersUrl: users.url });
    const { endpoint, base } = await start(text);
    const invalid = [
      'server: { port: "not a number" }\nsources: [',                                     // not YAML
      configText({ usersUrl: users.url, extra: 'upstreams2: {}' }),                        // unknown key
      configText({ usersUrl: users.url, extra: 'fallbacks: { "Query.nope": { value: [] } }' }), // unknown field
      configText({ usersUrl: users.url, extra: 'typeDefs: [/does/not/exist.graphql]' }),  // composition
    ];
    const results: Awaited<ReturnType<Gateway['reload']>>[] = [];
    const answers = await steadyTraffic(endpoint, 300, 10, 50, async () => {
      for (const next of invalid) {
        await temp!.write(next);
        results.push(await gateway!.reload(undefined, 'test'));
      }
    });

    expect(answers).toHaveLength(300);
    for (const answer of answers) {
      expect(answer.status).toBe(200);
      expect((answer.body.data!['users'] as unknown[]).length).toBe(10);
    }
    expect(results.map((result) => result.ok)).toEqual([false, false, false, false]);
    const report = await readyz(base);
    expect(report.configVersion).toBe(sha12(text));
    expect(report.reloads).toMatchObject({ succeeded: 0, failed: 4 });
    expect(report.reloads?.lastError).toMatch(/exist\.graphql|ENOENT/);
    expect(gateway!.version).toBe(sha12(text));
  }, 60_000);

  it('a valid reload swaps in a new source while requests in flight on the old runtime finish with 200', async () => {
    const users = await startUsers({ latencyMs: 300 });
    const reviews = await startReviews();
    services.push(users, reviews);
    const { endpoint, base } = await start(configText({ usersUrl: users.url }));
    const before = await postGraphql(endpoint, '{ reviews { id } }');
    expect(before.body.errors?.[0]?.extensions?.['code']).toBe('GRAPHQL_VALIDATION_FAILED');

    const inFlight = Array.from({ length: 5 }, () => postGraphql(endpoint, '{ users { id } }'));
    await new Promise<void>((ready) => {
      const check = () => (users.calls.total >= 5 ? ready() : setImmediate(check));
      check();
    });
    // The users upstream changes too, so the old runtime's pool closes, which only a drained runtime survives.
    const next = configText({ usersUrl: users.url, usersUpstream: 'timeoutMs: 9000', reviewsUrl: reviews.url, extra: 'reload: { drainGraceMs: 10000 }' });
    await temp!.write(next);
    const result = await gateway!.reload(undefined, 'test');
    expect(result).toEqual({ ok: true, version: sha12(next), previous: expect.any(String) });

    const after = await postGraphql(endpoint, '{ reviews { id author { name } } }');
    expect(after.status).toBe(200);
    expect(after.body.errors).toBeUndefined();
    expect((after.body.data!['reviews'] as { author: { name: string } }[])[0]!.author.name).toEqual(expect.any(String));
    for (const answer of await Promise.all(inFlight)) {
      expect(answer.status).toBe(200);
      expect((answer.body.data!['users'] as unknown[]).length).toBe(10);
    }
    const report = await readyz(base);
    expect(report.configVersion).toBe(sha12(next));
    expect(report.reloads).toMatchObject({ succeeded: 1, failed: 0 });
    expect(report.sources.map((source) => source.name)).toEqual(['users', 'reviews']);
  }, 30_000);

  it('a reload that would lose a served source is refused', async () => {
    const users = await startUsers();
    const reviews = await startReviews();
    services.push(users, reviews);
    const introspected = { usersUrl: users.url, reviewsUrl: reviews.url, reviewsSchema: 'introspection' };
    const { endpoint, base } = await start(configText(introspected));
    await reviews.close();
    services = [users];
    await temp!.write(configText({ ...introspected, extra: 'graphql: { mode: production }' }));
    const result = await gateway!.reload(undefined, 'test');
    expect(result).toEqual({ ok: false, error: 'cannot load source(s) reviews' });
    expect((await readyz(base)).reloads).toMatchObject({ failed: 1, lastError: 'cannot load source(s) reviews' });
    const answer = await postGraphql(endpoint, '{ __type(name: "Review") { name } }');
    expect(answer.body.data).toEqual({ __type: { name: 'Review' } });
  }, 30_000);
});
