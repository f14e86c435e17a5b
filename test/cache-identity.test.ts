import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { SignJWT } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import { configSchema, parseConfig } from '../src/config/index.js';
import { createGateway, type Gateway } from '../src/gateway.js';
import { silentLogger } from '../src/logger.js';
import { startAccounts, type AccountsService } from './helpers/cache-accounts.js';
import { startUpstream } from './helpers/passthrough-gateway.js';

/**
 * Every source is sent who the caller is (the identity headers), so an answer to an authenticated
 * caller is that caller's own: never shared with another caller, nor with the same subject holding
 * other scopes, nor served to a caller denied part of it.
 */
const SECRET = 'cache-identity-secret-0123456789-abcdefgh';
const ISSUER = 'https://issuer.test';
const QUERY = '{ me { id owner balance } }';

let gateway: Gateway | undefined;
let accounts: AccountsService | undefined;
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await gateway?.close();
  gateway = undefined;
  await accounts?.close();
  accounts = undefined;
  await Promise.all(closers.splice(0).map((close) => close()));
});

async function bearer(subject: string, scope = '', claims: Record<string, unknown> = {}): Promise<Record<string, string>> {
  const token = await new SignJWT({ scope, ...claims }).setProtectedHeader({ alg: 'HS256' }).setIssuer(ISSUER).setAudience('junction').setSubject(subject)
    .setExpirationTime('10m').sign(new TextEncoder().encode(SECRET));
  return { authorization: `Bearer ${token}` };
}

/** The accounts upstream with `me` carrying no cache scope of its own: only the type's `maxAge: 60`. */
async function startGraphqlGateway(auth = ''): Promise<string> {
  accounts = await startAccounts();
  writeFileSync(accounts.sdlFile, readFileSync(accounts.sdlFile, 'utf8').replace('me: Account @cacheControl(scope: PRIVATE)', 'me: Account'));
  const yaml = `
server: { host: 127.0.0.1, port: 0 }
upstreams: { accounts: { url: "${accounts.url}" } }
sources: [{ name: accounts, type: graphql, upstream: accounts, schema: { file: "${accounts.sdlFile}" } }]
auth:
  jwt: { issuers: [{ issuer: "${ISSUER}", audience: junction, secret: "${SECRET}" }] }
${auth}
cache: {}
`;
  gateway = await createGateway(parseConfig(yaml, '/tmp/gateway.yaml', { env: {} }), { logger: silentLogger() });
  return `http://127.0.0.1:${(await gateway.listen()).port}/graphql`;
}

async function post(url: string, headers: Record<string, string> = {}): Promise<{ cacheControl: string | null; body: { data?: { me: unknown }; errors?: { extensions: { code: string } }[] } }> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query: QUERY }) });
  return { cacheControl: response.headers.get('cache-control'), body: (await response.json()) as never };
}

describe('cached answers to authenticated callers', () => {
  it('are kept per caller: bob and an anonymous caller never get alice\'s answer, alice gets hers again from the cache', async () => {
    const url = await startGraphqlGateway();
    const alice = await post(url, await bearer('alice'));
    expect([alice.body.data?.me, alice.cacheControl]).toEqual([{ id: 'a1', owner: 'alice', balance: 10 }, 'private, max-age=60']);
    expect((await post(url, await bearer('bob'))).body.data?.me).toEqual({ id: 'a2', owner: 'bob', balance: 20 });
    const anonymous = await post(url);
    expect([anonymous.body.data?.me, anonymous.cacheControl]).toEqual([null, 'public, max-age=60']);
    const calls = accounts!.calls.total;
    expect((await post(url, await bearer('alice'))).body.data?.me).toEqual({ id: 'a1', owner: 'alice', balance: 10 });
    expect(accounts!.calls.total).toBe(calls);
  });

  it('are kept per identity: the same subject with other scopes is asked again', async () => {
    const url = await startGraphqlGateway();
    await post(url, await bearer('alice', 'read write'));
    const calls = accounts!.calls.total;
    await post(url, await bearer('alice', 'read'));
    expect(accounts!.calls.total).toBe(calls + 1);
    await post(url, await bearer('alice', 'read write'));
    expect(accounts!.calls.total).toBe(calls + 1);
  });

  it('are never served to a caller denied a field of them (onFieldDenied: null), nor stored for one', async () => {
    // A claim is not among the identity headers: the same subject and scopes with another claim has the same identity.
    const url = await startGraphqlGateway(`  fields: { Account.balance: { requiresClaim: [{ claim: tier, values: [gold] }] } }
  onFieldDenied: "null"`);
    const gold = await post(url, await bearer('alice', '', { tier: 'gold' }));
    expect(gold.body.data?.me).toEqual({ id: 'a1', owner: 'alice', balance: 10 });
    const silver = await post(url, await bearer('alice', '', { tier: 'silver' }));
    expect(silver.body.data?.me).toBeNull();
    expect(silver.body.errors?.[0]?.extensions.code).toBe('FORBIDDEN');
    expect(silver.cacheControl).toBe('no-store');
  });
});

describe('cached REST answers to authenticated callers', () => {
  it('are kept per caller when the gateway sent the upstream who the caller is (an API key, no Authorization)', async () => {
    const upstream = await startUpstream((req, res) => {
      res.writeHead(200, { 'cache-control': 'max-age=60' });
      res.end(`secret of ${String(req.headers['x-junction-subject'])}`);
    });
    closers.push(() => upstream.close());
    const sha = (text: string) => createHash('sha256').update(text).digest('hex');
    gateway = await createGateway(configSchema.parse({
      server: { port: 0, host: '127.0.0.1' },
      upstreams: { api: { url: upstream.url } },
      cache: {},
      auth: { apiKeys: { header: 'x-api-key', consumers: [{ id: 'alice', keySha256: sha('alice-key') }, { id: 'bob', keySha256: sha('bob-key') }] } },
      routes: [{ name: 'mine', match: { prefix: '/me' }, upstream: 'api', policies: { auth: {}, cache: { maxAge: 30 } } }],
    }), { logger: silentLogger() });
    const base = `http://127.0.0.1:${(await gateway.listen()).port}`;
    const get = async (key: string) => {
      const response = await fetch(`${base}/me/profile`, { headers: { 'x-api-key': key } });
      return [response.headers.get('x-cache'), await response.text()];
    };
    expect(await get('alice-key')).toEqual(['MISS', 'secret of alice']);
    expect(await get('alice-key')).toEqual(['HIT', 'secret of alice']);
    expect(await get('bob-key')).toEqual(['MISS', 'secret of bob']);
  });
});
