import { resolve } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { makeKey, sign, type TestKey } from './helpers/auth.js';
import { PROTECTED_USERS_SDL, startAuthGateway, type AuthGateway } from './helpers/auth-gateway.js';

let key: TestKey;
let running: AuthGateway | undefined;

beforeAll(async () => {
  key = await makeKey('dev-1');
});
afterEach(async () => {
  await running?.close();
  running = undefined;
});

function jwtAuth(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { jwt: { issuers: [{ issuer: 'https://issuer.test', audience: 'junction-api', keys: [{ jwk: key.publicJwk }] }] }, ...extra };
}

async function bearer(claims: Record<string, unknown> = {}): Promise<Record<string, string>> {
  return { authorization: `Bearer ${await sign({ key, claims })}` };
}

describe('directives written in subgraph SDL', () => {
  it('survive stitching: the composed schema still carries them', async () => {
    running = await startAuthGateway({ usersSdl: PROTECTED_USERS_SDL, auth: jwtAuth() });
    const users = running.gateway.schema().getQueryType()!.getFields()['users']!;
    expect(users.astNode?.directives?.map((d) => d.name.value)).toContain('authenticated');
    expect(running.gateway.schema().getDirective('requiresScopes')).toBeDefined();
  });

  it('are enforced: anonymous → 401 before any upstream call; with a token → data', async () => {
    running = await startAuthGateway({ usersSdl: PROTECTED_USERS_SDL, auth: jwtAuth() });
    running.services.resetCalls();
    const anonymous = await running.query('{ users { id name } }');
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.errors?.[0]?.extensions?.['code']).toBe('UNAUTHENTICATED');
    expect(anonymous.body.errors?.[0]?.extensions).not.toHaveProperty('http');
    expect(anonymous.headers.get('www-authenticate')).toBe('Bearer realm="junction"');
    expect(running.services.users.calls.total).toBe(0);

    const ok = await running.query('{ users { id name } }', await bearer());
    expect(ok.status).toBe(200);
    expect((ok.body.data?.['users'] as unknown[]).length).toBeGreaterThan(0);
  });

  it('requiresScopes: OR of AND sets; missing scope → 403 FORBIDDEN', async () => {
    running = await startAuthGateway({ usersSdl: PROTECTED_USERS_SDL, auth: jwtAuth() });
    const denied = await running.query('{ users { id email } }', await bearer({ scope: 'users:read' }));
    expect(denied.status).toBe(403);
    expect(denied.body.errors?.[0]?.extensions?.['code']).toBe('FORBIDDEN');
    expect(denied.body.errors?.[0]?.message).toContain('User.email');
    const viaFirst = await running.query('{ users { id email } }', await bearer({ scope: 'users:read users:email' }));
    expect(viaFirst.status).toBe(200);
    const viaSecond = await running.query('{ users { id email } }', await bearer({ scp: ['admin'] }));
    expect(viaSecond.status).toBe(200);
  });

  it('requiresClaim: the claim must hold one of the values', async () => {
    running = await startAuthGateway({ usersSdl: PROTECTED_USERS_SDL, auth: jwtAuth() });
    const q = '{ user(id: "1") { id name } }';
    expect((await running.query(q, await bearer({ role: 'customer' }))).status).toBe(403);
    expect((await running.query(q, await bearer({ role: ['x', 'support'] }))).status).toBe(200);
  });

  it('a protected field reached through a fragment is still checked', async () => {
    running = await startAuthGateway({ usersSdl: PROTECTED_USERS_SDL, auth: jwtAuth() });
    const answer = await running.query('query { ...Q } fragment Q on Query { usersByIds(ids: ["1"]) { ...U } } fragment U on User { email }');
    expect(answer.status).toBe(401);
  });

  it('without an auth block nobody can authenticate: protected fields fail closed, open ones work', async () => {
    running = await startAuthGateway({ usersSdl: PROTECTED_USERS_SDL });
    expect((await running.query('{ users { id } }', await bearer())).status).toBe(401);
    const open = await running.query('{ usersByIds(ids: ["1"]) { id name } }');
    expect(open.status).toBe(200);
    expect(open.body.data?.['usersByIds']).toEqual([{ id: '1', name: expect.any(String) }]);
  });
});

describe('directives in gateway-owned SDL (schema/)', () => {
  it('a type extension attaches a rule to a backend type', async () => {
    const file = resolve(import.meta.dirname, 'fixtures/auth/gateway-policies.graphql');
    running = await startAuthGateway({ auth: jwtAuth(), extra: { typeDefs: [file] } });
    expect((await running.query('{ usersByIds(ids: ["1"]) { id } }', await bearer())).status).toBe(403);
    expect((await running.query('{ usersByIds(ids: ["1"]) { id } }', await bearer({ scope: 'users:read' }))).status).toBe(200);
    expect((await running.query('{ orders { id } }')).status).toBe(200);
  });
});

describe('auth.fields by schema coordinate', () => {
  it('protects a field of a REST-backed source without touching it', async () => {
    running = await startAuthGateway({ auth: jwtAuth({ fields: { 'Query.orders': { requiresScopes: [['orders:read']] } } }) });
    running.services.resetCalls();
    const anonymous = await running.query('{ orders { id } }');
    expect(anonymous.status).toBe(401);
    const noScope = await running.query('{ orders { id } }', await bearer());
    expect(noScope.status).toBe(403);
    expect(running.services.orders.calls.total).toBe(0);
    const ok = await running.query('{ orders { id } }', await bearer({ scope: 'orders:read' }));
    expect(ok.status).toBe(200);
    expect(running.services.orders.calls.total).toBe(1);
  });

  it('a type coordinate protects every field of the type', async () => {
    running = await startAuthGateway({ auth: jwtAuth({ fields: { User: { authenticated: true } } }) });
    expect((await running.query('{ users { id } }')).status).toBe(401);
    expect((await running.query('{ orders { id } }')).status).toBe(200);
  });

  it('a coordinate naming a missing field fails the start', async () => {
    await expect(startAuthGateway({ auth: jwtAuth({ fields: { 'Query.ordrs': { authenticated: true } } }) })).rejects.toThrow(/no field "ordrs"/);
  });
});

describe('onFieldDenied: null', () => {
  it('returns the denied field as null with FORBIDDEN; the rest of the request resolves', async () => {
    running = await startAuthGateway({
      auth: jwtAuth({ onFieldDenied: 'null', fields: { 'Query.orders': { requiresScopes: [['orders:read']] } } }),
    });
    running.services.resetCalls();
    const answer = await running.query('{ orders { id } usersByIds(ids: ["1"]) { id } }', await bearer());
    expect(answer.status).toBe(200);
    expect(answer.body.data).toEqual({ orders: null, usersByIds: [{ id: '1' }] });
    expect(answer.body.errors).toEqual([expect.objectContaining({ path: ['orders'], extensions: expect.objectContaining({ code: 'FORBIDDEN' }) })]);
    expect(running.services.orders.calls.total).toBe(0);
  });

  it('anonymous caller: UNAUTHENTICATED on the field, HTTP 200', async () => {
    running = await startAuthGateway({ auth: jwtAuth({ onFieldDenied: 'null', fields: { 'Query.orders': { authenticated: true } } }) });
    const answer = await running.query('{ orders { id } }');
    expect(answer.status).toBe(200);
    expect(answer.body.errors?.[0]?.extensions?.['code']).toBe('UNAUTHENTICATED');
  });
});
