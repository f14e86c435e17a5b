import { auditServer } from 'graphql-http';
import { afterEach, describe, expect, it } from 'vitest';
import { DOCUMENT_CACHE_SIZE } from '../graphql-server.js';
import type { RunningService } from '../service.js';
import { startUsers } from './index.js';

let service: RunningService | undefined;
afterEach(async () => {
  await service?.close();
  service = undefined;
});

async function gql(
  url: string,
  query: string,
  variables?: Record<string, unknown>,
  headers: Record<string, string> = {},
): Promise<{ status: number; contentType: string | null; body: any }> {
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query, variables }),
  });
  return { status: res.status, contentType: res.headers.get('content-type'), body: await res.json() };
}

describe('users service', () => {
  it('answers user, users and usersByIds (ordered, null for unknown)', async () => {
    service = await startUsers();
    expect(service.name).toBe('users');
    expect(service.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);

    const one = await gql(service.url, 'query ($id: ID!) { user(id: $id) { id name email } }', { id: '1' });
    expect(one.status).toBe(200);
    expect(one.contentType).toMatch(/^application\/json/);
    expect(one.body).toEqual({ data: { user: { id: '1', name: 'Ada Lovelace', email: 'ada@example.com' } } });

    const missing = await gql(service.url, '{ user(id: "nope") { id } }');
    expect(missing.body).toEqual({ data: { user: null } });

    const all = await gql(service.url, '{ users { id } }');
    expect(all.body.data.users.map((u: { id: string }) => u.id)).toEqual(['1', '2', '3', '4', '5', '6', '7', '8', '9', '10']);

    const batch = await gql(service.url, 'query ($ids: [ID!]!) { usersByIds(ids: $ids) { id name } }', {
      ids: ['2', '1', 'x'],
    });
    expect(batch.body).toEqual({
      data: { usersByIds: [{ id: '2', name: 'Alan Turing' }, { id: '1', name: 'Ada Lovelace' }, null] },
    });
  });

  it('counts requests by route and by root field', async () => {
    service = await startUsers();
    await gql(service.url, '{ usersByIds(ids: ["1"]) { id } }');
    await gql(service.url, '{ usersByIds(ids: ["2"]) { id } }');
    await gql(service.url, '{ a: user(id: "1") { id } b: user(id: "2") { id } users { id } }');
    await fetch(`${service.url}/graphql?query=${encodeURIComponent('{ users { id } }')}`);
    expect(service.calls).toEqual({
      total: 4,
      byRoute: { 'POST /graphql': 3, 'GET /graphql': 1, usersByIds: 2, user: 2, users: 2 },
    });

    service.resetCalls();
    expect(service.calls).toEqual({ total: 0, byRoute: {} });
    await gql(service.url, '{ ...F } fragment F on Query { usersByIds(ids: []) { id } }');
    expect(service.calls).toEqual({ total: 1, byRoute: { 'POST /graphql': 1, usersByIds: 1 } });
  });

  it('picks the operation by operationName and counts only its fields', async () => {
    service = await startUsers();
    const res = await fetch(`${service.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: 'query A { users { id } } query B { user(id: "3") { name } }', operationName: 'B' }),
    });
    expect(await res.json()).toEqual({ data: { user: { name: 'Grace Hopper' } } });
    expect(service.calls.byRoute).toEqual({ 'POST /graphql': 1, user: 1 });
  });

  it('serves GET /graphql with variables', async () => {
    service = await startUsers();
    const params = new URLSearchParams({
      query: 'query ($id: ID!) { user(id: $id) { name } }',
      variables: JSON.stringify({ id: '2' }),
    });
    const res = await fetch(`${service.url}/graphql?${params}`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ data: { user: { name: 'Alan Turing' } } });
  });

  it('rejects invalid JSON and missing query with 400', async () => {
    service = await startUsers();
    const bad = await fetch(`${service.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{not json',
    });
    expect(bad.status).toBe(400);
    expect((await bad.json()).errors[0].message).toMatch(/not valid JSON/);

    const noQuery = await fetch(`${service.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ variables: {} }),
    });
    expect(noQuery.status).toBe(400);
    expect((await noQuery.json()).errors[0].message).toMatch(/query/);
  });

  it('returns validation errors: 200 for application/json, 400 for application/graphql-response+json', async () => {
    service = await startUsers();
    const json = await gql(service.url, '{ nope }');
    expect(json.status).toBe(200);
    expect(json.body.data).toBeUndefined();
    expect(json.body.errors[0].message).toMatch(/Cannot query field "nope"/);

    const gqlResponse = await gql(service.url, '{ nope }', undefined, { accept: 'application/graphql-response+json' });
    expect(gqlResponse.status).toBe(400);
    expect(gqlResponse.contentType).toMatch(/^application\/graphql-response\+json/);
    expect(gqlResponse.body.errors).toHaveLength(1);

    const syntax = await gql(service.url, '{ user(', undefined, { accept: 'application/graphql-response+json' });
    expect(syntax.status).toBe(400);
    expect(syntax.body.errors[0].message).toMatch(/Syntax Error/);

    const ok = await gql(service.url, '{ user(id: "1") { id } }', undefined, {
      accept: 'application/graphql-response+json, application/json;q=0.9',
    });
    expect(ok.status).toBe(200);
    expect(ok.contentType).toMatch(/^application\/graphql-response\+json/);
    expect(ok.body).toEqual({ data: { user: { id: '1' } } });

    const badVariables = await gql(service.url, 'query ($id: ID!) { user(id: $id) { id } }', {}, {
      accept: 'application/graphql-response+json',
    });
    expect(badVariables.status).toBe(400);
    expect(badVariables.body.errors[0].message).toMatch(/\$id/);
    // Invalid documents never count root fields.
    expect(service.calls.byRoute).toEqual({ 'POST /graphql': 5, user: 2 });
  });

  it('passes the graphql-http GraphQL-over-HTTP audits', async () => {
    service = await startUsers();
    const results = await auditServer({ url: `${service.url}/graphql` });
    const failures = results.filter((r) => r.status === 'error' || r.status === 'warn');
    expect(failures.map((r) => `${r.id} ${r.name}`)).toEqual([]);
  });

  it('requires a JSON content type on POST', async () => {
    service = await startUsers();
    const res = await fetch(`${service.url}/graphql`, { method: 'POST', body: '{"query":"{ users { id } }"}' });
    expect(res.status).toBe(415);
  });

  it('answers unknown routes with a JSON 404 and wrong methods with 405', async () => {
    service = await startUsers();
    const notFound = await fetch(`${service.url}/nowhere`);
    expect(notFound.status).toBe(404);
    expect((await notFound.json()).error.code).toBe('ROUTE_NOT_FOUND');

    const put = await fetch(`${service.url}/graphql`, { method: 'PUT', body: '{}' });
    expect(put.status).toBe(405);
    expect(put.headers.get('allow')).toBe('GET, POST');
    expect(service.calls.total).toBe(2);
    expect(service.calls.byRoute).toEqual({});
  });

  it('keeps answering correctly past the document cache bound', async () => {
    service = await startUsers();
    const n = DOCUMENT_CACHE_SIZE + 5;
    for (let start = 0; start < n; start += 100) {
      const url = service.url;
      const batch = Array.from({ length: Math.min(100, n - start) }, (_, k) => start + k);
      const results = await Promise.all(
        batch.map((i) => gql(url, `{ user(id: "${(i % 10) + 1}") { id } q${i}: users { id } }`)),
      );
      results.forEach((res, k) => expect(res.body.data.user.id).toBe(String(((start + k) % 10) + 1)));
    }
    const again = await gql(service.url, '{ user(id: "1") { id } q0: users { id } }');
    expect(again.body.data.user.id).toBe('1');
    expect(service.calls.byRoute.user).toBe(n + 1);
  });

  it('delays answers by latencyMs', async () => {
    service = await startUsers({ latencyMs: 60 });
    const started = performance.now();
    await gql(service.url, '{ users { id } }');
    expect(performance.now() - started).toBeGreaterThanOrEqual(55);
  });

  it('close() ends keep-alive connections and frees the port', async () => {
    const s = await startUsers();
    await gql(s.url, '{ users { id } }'); // leaves a pooled keep-alive socket
    await s.close();
    await expect(fetch(`${s.url}/graphql?query={users{id}}`)).rejects.toThrow();
    await s.close(); // idempotent
  });
});
