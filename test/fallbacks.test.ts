import { SignJWT } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config/index.js';
import { createGateway, type Gateway } from '../src/gateway.js';
import { silentLogger } from '../src/logger.js';
import { startReviews, startUsers, type RunningService } from '../subgraphs/index.js';
import { postGraphql, ROOT } from './helpers/demo-gateway.js';
import { configText } from './helpers/reload-config.js';

let gateway: Gateway | undefined;
let services: RunningService[] = [];
afterEach(async () => {
  await gateway?.close();
  await Promise.all(services.map((service) => service.close()));
  gateway = undefined;
  services = [];
});

const SECRET = 'fallbacks-test-secret-0123456789-abcdefgh';
const hs256 = (subject: string, scope: string, azp?: string): Promise<string> =>
  new SignJWT({ scope, ...(azp === undefined ? {} : { azp }) }).setProtectedHeader({ alg: 'HS256' }).setIssuer('https://issuer.test').setAudience('junction').setSubject(subject)
    .setExpirationTime('10m').sign(new TextEncoder().encode(SECRET));

const FALLBACKS = `
fallbacks:
  Query.reviews: { value: [] }
  Query.user: { lastGood: true, maxAgeMs: 60000 }
`;

interface Answer {
  data: Record<string, unknown> | null;
  errors?: { path?: unknown[]; extensions?: Record<string, unknown> }[];
  extensions?: { fallbacks?: unknown[] };
}

describe('per-field fallbacks', () => {
  it('a failing upstream call answers the static value or the last good one, and the response says so', async () => {
    const users = await startUsers();
    const reviews = await startReviews();
    services.push(users, reviews);
    let clock = Date.now();
    const config = parseConfig(configText({ usersUrl: users.url, reviewsUrl: reviews.url, extra: FALLBACKS }), `${ROOT}/gateway.yaml`, { env: {} });
    gateway = await createGateway(config, { logger: silentLogger(), now: () => clock });
    const { port } = await gateway.listen();
    const ask = async (query: string) => (await postGraphql(`http://127.0.0.1:${port}/graphql`, query)).body as Answer;

    const good = await ask('{ user(id: "1") { id name } reviews { id } }');
    expect(good.errors).toBeUndefined();
    expect(good.extensions?.fallbacks).toBeUndefined();
    const user = good.data!['user'];
    expect((good.data!['reviews'] as unknown[]).length).toBeGreaterThan(0);

    await users.close();
    await reviews.close();
    services = [];
    clock += 1_000;
    const down = await ask('{ user(id: "1") { id name } reviews { id } }');
    expect(down.errors).toBeUndefined();
    expect(down.data).toEqual({ user, reviews: [] });
    expect(down.extensions?.fallbacks).toHaveLength(2);
    expect(down.extensions?.fallbacks).toEqual(expect.arrayContaining([
      { path: ['user'], kind: 'lastGood', code: expect.stringMatching(/^UPSTREAM_/), ageMs: 1_000 },
      { path: ['reviews'], kind: 'value', code: expect.stringMatching(/^UPSTREAM_/) },
    ]));

    const otherArguments = await ask('{ user(id: "2") { id name } }');
    expect(otherArguments.data).toEqual({ user: null });
    expect(otherArguments.errors?.[0]?.extensions?.['code']).toMatch(/^UPSTREAM_/);
    const otherSelection = await ask('{ user(id: "1") { id } }');
    expect(otherSelection.data).toEqual({ user: null });

    clock += 60_000;
    const expired = await ask('{ user(id: "1") { id name } }');
    expect(expired.data).toEqual({ user: null });
    expect(expired.errors?.[0]).toMatchObject({ path: ['user'] });
    expect(expired.extensions?.fallbacks).toBeUndefined();
  }, 30_000);

  it('a last good value is kept per caller: never served to another subject, nor to the same one with other scopes', async () => {
    const users = await startUsers();
    services.push(users);
    const auth = `
auth:
  jwt: { issuers: [{ issuer: "https://issuer.test", audience: junction, secret: "${SECRET}" }] }
fallbacks:
  Query.user: { lastGood: true, maxAgeMs: 60000 }
`;
    gateway = await createGateway(parseConfig(configText({ usersUrl: users.url, extra: auth }), `${ROOT}/gateway.yaml`, { env: {} }), { logger: silentLogger() });
    const { port } = await gateway.listen();
    const ask = async (subject: string, scope: string, azp?: string) =>
      (await postGraphql(`http://127.0.0.1:${port}/graphql`, '{ user(id: "1") { id name } }', undefined, { authorization: `Bearer ${await hs256(subject, scope, azp)}` })).body as Answer;

    expect((await ask('alice', 'admin')).data?.['user']).toMatchObject({ id: '1' });
    await users.close();
    services = [];
    expect((await ask('alice', 'admin')).extensions?.fallbacks).toHaveLength(1);
    // The last: the same value in another identity header (the consumer instead of the scopes).
    for (const [subject, scope, azp] of [['bob', 'admin'], ['alice', 'read'], ['alice', '', 'admin']]) {
      const other = await ask(subject!, scope!, azp);
      expect(other.data).toEqual({ user: null });
      expect(other.extensions?.fallbacks).toBeUndefined();
    }
  }, 30_000);

  it('a document several sources answer keeps its fallbacks when the fast path serves it', async () => {
    const users = await startUsers();
    const reviews = await startReviews();
    services.push(users, reviews);
    const config = parseConfig(configText({ usersUrl: users.url, reviewsUrl: reviews.url, extra: FALLBACKS }), `${ROOT}/gateway.yaml`, { env: {} });
    gateway = await createGateway(config, { logger: silentLogger() });
    const { port } = await gateway.listen();
    const query = 'query ($id: ID!) { user(id: $id) { id } reviews { id } }';
    const post = async (id: string) => {
      const response = await fetch(`http://127.0.0.1:${port}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, variables: { id } }) });
      return response.text();
    };
    // The pipeline answers first and remembers the document for the fast path.
    expect(JSON.parse(await post('1')).errors).toBeUndefined();

    await users.close();
    await reviews.close();
    services = [];
    // No last good answer for this id: its error stays beside the reviews' fallback.
    const text = await post('2');
    // Yoga writes `errors` first, the fast path `data`: this answer is the fast path's.
    expect(text.startsWith('{"data":')).toBe(true);
    const down = JSON.parse(text) as Answer;
    expect(down.data).toEqual({ user: null, reviews: [] });
    expect(down.errors?.[0]).toMatchObject({ path: ['user'], extensions: { code: expect.stringMatching(/^UPSTREAM_/) } });
    expect(down.extensions?.fallbacks).toEqual([{ path: ['reviews'], kind: 'value', code: expect.stringMatching(/^UPSTREAM_/) }]);
  }, 30_000);

  it('an answer a fallback filled is never cached, on the pipeline or the fast path', async () => {
    const users = await startUsers();
    const reviews = await startReviews();
    services.push(users, reviews);
    const extra = `${FALLBACKS}cache:\n  fields:\n    Query.reviews: { maxAge: 60 }\n`;
    const config = parseConfig(configText({ usersUrl: users.url, reviewsUrl: reviews.url, extra }), `${ROOT}/gateway.yaml`, { env: {} });
    gateway = await createGateway(config, { logger: silentLogger() });
    const { port } = await gateway.listen();
    await reviews.close();
    services = [users];
    for (let i = 0; i < 2; i++) {
      // The first answer is the pipeline's, the second the fast path's.
      const response = await fetch(`http://127.0.0.1:${port}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ reviews { id } }' }) });
      const body = (await response.json()) as Answer;
      expect(body.data).toEqual({ reviews: [] });
      expect(body.extensions?.fallbacks).toHaveLength(1);
      expect(response.headers.get('cache-control')).toBe('no-store');
      expect(response.headers.get('etag')).toBeNull();
    }
  }, 30_000);

  it('a fallback on a field the schema does not have is a config error at build time', async () => {
    const config = parseConfig(configText({ usersUrl: 'http://127.0.0.1:9', extra: 'fallbacks: { "Query.nope": { value: 1 } }' }), `${ROOT}/gateway.yaml`, { env: {} });
    await expect(createGateway(config, { logger: silentLogger() })).rejects.toThrow('fallbacks: "Query.nope" is not a field of the composed schema');
    expect(() => parseConfig(configText({ usersUrl: 'http://127.0.0.1:9', extra: 'fallbacks: { "Query.user": { maxAgeMs: 5 } }' }), `${ROOT}/gateway.yaml`, { env: {} }))
      .toThrow(/needs "value" or "lastGood: true"/);
  });
});
