import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config/index.js';
import { createGateway, type Gateway } from '../src/gateway.js';
import { silentLogger } from '../src/logger.js';
import { loadVersionedConfig } from '../src/reload.js';
import { startUsers, type RunningService } from '../subgraphs/index.js';
import { postGraphql } from './helpers/demo-gateway.js';
import { configText, tempConfig } from './helpers/reload-config.js';

let users: RunningService | undefined;
let gateway: Gateway | undefined;
let temp: Awaited<ReturnType<typeof tempConfig>> | undefined;
afterEach(async () => {
  await gateway?.close();
  await users?.close();
  await temp?.remove();
  gateway = users = temp = undefined;
});

const typos: [string, string, string][] = [
  ['rateLimit.fields', 'rateLimit: { fields: { "Query.userz": { minute: 5 } } }', 'rateLimit.fields."Query.userz": type Query has no field "userz"'],
  ['cache.fields', 'cache: { fields: { "Query.userz": { maxAge: 30 } } }', 'cache.fields."Query.userz": type Query has no field "userz"'],
  ['cache.types', 'cache: { types: { Usr: { maxAge: 30 } } }', 'cache.types."Usr": the schema has no type "Usr"'],
  ['auth.fields', 'auth: { fields: { "Usr.email": { authenticated: true } } }', 'auth.fields."Usr.email": the schema has no type "Usr"'],
];

describe('config entries naming nothing in the schema', () => {
  for (const [section, yaml, message] of typos) {
    it(`a typo in ${section} fails the start, naming the entry`, async () => {
      users = await startUsers();
      const config = parseConfig(configText({ usersUrl: users.url, extra: yaml }), '/tmp/gateway.yaml', { env: {} });
      await expect(createGateway(config, { logger: silentLogger() })).rejects.toThrow(message);
    });
  }

  it('a type of a source that is down (no snapshot) is only logged: the gateway starts degraded', async () => {
    users = await startUsers();
    const closed = await startUsers();
    const downUrl = closed.url;
    await closed.close();
    const extra = 'cache: { types: { Review: { maxAge: 30 } } }\nrateLimit: { fields: { "Review.body": { minute: 5 } } }';
    const config = parseConfig(configText({ usersUrl: users.url, reviewsUrl: downUrl, reviewsSchema: 'introspection', extra }), '/tmp/gateway.yaml', { env: {} });
    gateway = await createGateway(config, { logger: silentLogger() });
    const endpoint = `http://127.0.0.1:${(await gateway.listen()).port}/graphql`;
    expect((await postGraphql(endpoint, '{ users { id } }')).status).toBe(200);
  });

  it('a reload to a config with such a typo, or a consumer on an unknown plan, is refused: the running config keeps serving', async () => {
    users = await startUsers();
    const valid = configText({ usersUrl: users.url, extra: 'rateLimit: { fields: { "Query.users": { minute: 100 } } }' });
    temp = await tempConfig(valid);
    const { config, version } = await loadVersionedConfig(temp.file, { env: {} });
    gateway = await createGateway(config, { logger: silentLogger(), configFile: temp.file, configEnv: {}, version });
    const endpoint = `http://127.0.0.1:${(await gateway.listen()).port}/graphql`;

    const unknownPlan = `auth: { apiKeys: { consumers: [{ id: acme, keySha256: "${'a'.repeat(64)}", plan: gld }] } }
rateLimit: { plans: { gold: { quota: { day: 1 } } } }`;
    const refused: string[] = [];
    for (const extra of [...typos.map(([, yaml]) => yaml), unknownPlan]) {
      await temp.write(configText({ usersUrl: users.url, extra }));
      const result = await gateway.reload(undefined, 'test');
      expect(result.ok).toBe(false);
      if (!result.ok) refused.push(result.error);
    }
    for (const [index, [, , message]] of typos.entries()) expect(refused[index]).toContain(message);
    expect(refused[typos.length]).toContain('unknown plan "gld"');

    expect(gateway.version).toBe(createHash('sha256').update(valid).digest('hex').slice(0, 12));
    const answer = await postGraphql(endpoint, '{ users { id } }');
    expect(answer.status).toBe(200);
    expect(answer.headers.get('ratelimit-limit')).toBe('100');
  });
});
