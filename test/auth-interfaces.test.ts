import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { buildSchema, graphqlSync } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeKey, sign, startJsonServer, type JsonServer, type TestKey } from './helpers/auth.js';
import { startAuthGateway, type Answer, type AuthGateway } from './helpers/auth-gateway.js';

/**
 * A requirement on an interface field or an interface type holds on every implementation, however
 * the field is selected, in both `onFieldDenied` modes.
 */
const PLAIN_SDL = resolve(import.meta.dirname, 'fixtures/auth/priced.graphql');
const PROTECTED_SDL = resolve(import.meta.dirname, 'fixtures/auth/priced-protected.graphql');
const PRODUCT = { __typename: 'Product', id: 'p1', name: 'Lamp', price: 30, stock: 4 };

type Mode = 'reject' | null;
type Code = 'UNAUTHENTICATED' | 'FORBIDDEN';

let key: TestKey;
beforeAll(async () => {
  key = await makeKey('catalog-1');
});

interface Catalog {
  gateway: AuthGateway;
  upstream: JsonServer;
}

/** The gateway over an upstream serving one Product through `priced`, `stocked` and `product`. */
function useCatalog(sdl: string, auth: Record<string, unknown>, extra: Record<string, unknown> = {}): Catalog {
  const catalog = {} as Catalog;
  beforeAll(async () => {
    const schema = buildSchema(readFileSync(sdl, 'utf8'));
    const rootValue = { priced: PRODUCT, stocked: PRODUCT, product: PRODUCT };
    catalog.upstream = await startJsonServer((_req, body) => {
      const { query, variables } = JSON.parse(body) as { query: string; variables?: Record<string, unknown> };
      return { status: 200, body: graphqlSync({ schema, source: query, variableValues: variables, rootValue }) };
    });
    catalog.gateway = await startAuthGateway({
      auth: { jwt: { issuers: [{ issuer: 'https://issuer.test', audience: 'junction-api', keys: [{ jwk: key.publicJwk }] }] }, ...auth },
      extra: {
        ...extra,
        upstreams: { catalog: { url: catalog.upstream.url } },
        sources: [{ name: 'catalog', type: 'graphql', upstream: 'catalog', schema: { file: sdl } }],
      },
    });
  });
  afterAll(async () => {
    await catalog.gateway?.close();
    await catalog.upstream?.close();
  });
  return catalog;
}

async function bearer(scope?: string): Promise<Record<string, string>> {
  return { authorization: `Bearer ${await sign({ key, claims: scope === undefined ? {} : { scope } })}` };
}

/** The three ways to reach an interface field of a Product. */
function selections(interfaceRoot: string, field: string): { how: string; query: string; root: string }[] {
  return [
    { how: 'through the interface', query: `{ ${interfaceRoot} { ${field} } }`, root: interfaceRoot },
    { how: 'through a fragment on the implementation', query: `{ ${interfaceRoot} { ... on Product { ${field} } } }`, root: interfaceRoot },
    { how: 'directly on the implementation', query: `{ product { ${field} } }`, root: 'product' },
  ];
}

async function expectDenied(catalog: Catalog, mode: Mode, answer: Promise<Answer>, code: Code, path: [string, string]): Promise<void> {
  const callsBefore = catalog.upstream.requests;
  const { status, body } = await answer;
  if (mode === 'reject') {
    expect(status).toBe(code === 'UNAUTHENTICATED' ? 401 : 403);
    expect(body.errors?.[0]?.extensions?.['code']).toBe(code);
    expect(catalog.upstream.requests).toBe(callsBefore);
    return;
  }
  expect(status).toBe(200);
  expect(body.data).toEqual({ [path[0]]: { [path[1]]: null } });
  expect(body.errors).toEqual([expect.objectContaining({ path, extensions: expect.objectContaining({ code }) })]);
}

async function expectServed(answer: Promise<Answer>, [root, field]: [string, string]): Promise<void> {
  const { status, body } = await answer;
  expect(status).toBe(200);
  expect(body.errors).toBeUndefined();
  expect(body.data).toEqual({ [root]: { [field]: PRODUCT[field as keyof typeof PRODUCT] } });
}

describe.each<Mode>(['reject', null])('onFieldDenied: %s', (mode) => {
  describe.each([
    ['an interface field', { 'Priced.price': { authenticated: true } }],
    ['an interface type', { Priced: { authenticated: true } }],
  ])('auth.fields on %s', (_what, fields) => {
    const catalog = useCatalog(PLAIN_SDL, { onFieldDenied: mode, fields });

    it.each(selections('priced', 'price'))('price $how: anonymous is denied, a caller is served', async ({ query, root }) => {
      await expectDenied(catalog, mode, catalog.gateway.query(query), 'UNAUTHENTICATED', [root, 'price']);
      await expectServed(catalog.gateway.query(query, await bearer()), [root, 'price']);
    });

    it('a field of the implementation the interface does not declare stays open', async () => {
      const { status, body } = await catalog.gateway.query('{ product { id name } }');
      expect(status).toBe(200);
      expect(body).toEqual({ data: { product: { id: 'p1', name: 'Lamp' } } });
    });
  });

  describe('directives in the subgraph SDL', () => {
    const catalog = useCatalog(PROTECTED_SDL, { onFieldDenied: mode });

    it.each(selections('stocked', 'stock'))('@authenticated on the interface type, stock $how', async ({ query, root }) => {
      await expectDenied(catalog, mode, catalog.gateway.query(query), 'UNAUTHENTICATED', [root, 'stock']);
      await expectServed(catalog.gateway.query(query, await bearer()), [root, 'stock']);
    });

    it.each(selections('priced', 'price'))('@requiresScopes on the interface field and on the implementation both hold, price $how', async ({ query, root }) => {
      await expectDenied(catalog, mode, catalog.gateway.query(query, await bearer('price:read')), 'FORBIDDEN', [root, 'price']);
      await expectDenied(catalog, mode, catalog.gateway.query(query, await bearer('catalog:read')), 'FORBIDDEN', [root, 'price']);
      await expectServed(catalog.gateway.query(query, await bearer('price:read catalog:read')), [root, 'price']);
    });

    it('fields of the implementation the interfaces do not declare stay open', async () => {
      const { status, body } = await catalog.gateway.query('{ product { id name } }');
      expect(status).toBe(200);
      expect(body).toEqual({ data: { product: { id: 'p1', name: 'Lamp' } } });
    });
  });

  describe('with a response cache', () => {
    const cache = { types: { Product: { maxAge: 300 }, Priced: { maxAge: 300 } } };
    const catalog = useCatalog(PLAIN_SDL, { onFieldDenied: mode, fields: { 'Priced.price': { authenticated: true } } }, { cache });

    it.each(selections('priced', 'price'))('a caller\'s price $how is cached PRIVATE, never served to anonymous callers', async ({ query, root }) => {
      const served = catalog.gateway.query(query, await bearer());
      expect((await served).headers.get('cache-control')).toMatch(/^private/);
      await expectServed(served, [root, 'price']);
      await expectDenied(catalog, mode, catalog.gateway.query(query), 'UNAUTHENTICATED', [root, 'price']);
    });
  });
});
