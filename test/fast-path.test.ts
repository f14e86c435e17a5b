import { createServer } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config/index.js';
import { createGateway } from '../src/gateway.js';
import { silentLogger } from '../src/logger.js';
import { ROOT, startDemoGateway, type DemoGateway } from './helpers/demo-gateway.js';

let demo: DemoGateway | undefined;
afterEach(async () => {
  await demo?.close();
  demo = undefined;
});

describe('GraphQL fast path', () => {
  it('serves a repeated single-source document with the same answer as the full pipeline', async () => {
    demo = await startDemoGateway();
    const query = 'query Users($id: ID!) { user(id: $id) { id name email } users { id } }';
    const first = await demo.query(query, { id: '2' });
    const second = await demo.query(query, { id: '3' });
    const third = await demo.query(query, { id: '3' });
    expect(first.status).toBe(200);
    expect(second.body).toEqual(third.body);
    expect(second.body.data!['user']).toMatchObject({ id: '3', name: expect.any(String) });
    expect(second.headers.get('content-type')).toBe('application/graphql-response+json; charset=utf-8');
    expect(demo.services.users.calls.total).toBe(3);
  });

  it('still refuses bad variables and a dead upstream the same way', async () => {
    demo = await startDemoGateway();
    const query = 'query One($id: ID!) { user(id: $id) { id } }';
    expect((await demo.query(query, { id: '1' })).status).toBe(200);
    const bad = await demo.query(query, { id: { nested: true } });
    expect(bad.body.errors?.[0]?.message).toMatch(/Variable "\$id"/);
    await demo.services.users.close();
    const down = await demo.query(query, { id: '1' });
    expect(down.status).toBe(200);
    expect(down.body).toMatchObject({ data: { user: null }, errors: [{ path: ['user'], extensions: { code: 'UPSTREAM_UNAVAILABLE' } }] });
    expect(JSON.stringify(down.body)).not.toContain('127.0.0.1');
  });

  it('a document with a link answers the same again (batched links), and an auth-protected one keeps its check', async () => {
    demo = await startDemoGateway({
      editYaml: (text) => `${text}\nauth:\n  fields:\n    Query.users: { authenticated: true }\n`,
    });
    for (let i = 0; i < 3; i++) {
      const denied = await demo.query('{ users { id } }');
      expect(denied.status).toBe(401);
    }
    expect(demo.services.users.calls.total).toBe(0);
    const linked = await demo.query('{ reviews { id author { name } } }');
    const again = await demo.query('{ reviews { id author { name } } }');
    expect(again.body).toEqual(linked.body);
    expect(demo.services.users.calls.byRoute['usersByIds']).toBe(2);
  });

  it('a request with credentials goes through the pipeline, where a bad token is refused', async () => {
    demo = await startDemoGateway({
      editYaml: (text) => `${text}\nauth:\n  jwt:\n    issuers:\n      - { issuer: "https://issuer.example", audience: junction, secret: "a-long-development-secret-of-32-bytes!!", algorithms: [HS256] }\n`,
    });
    const query = '{ users { id } }';
    expect((await demo.query(query)).status).toBe(200);
    expect((await demo.query(query)).status).toBe(200);
    const forged = await demo.query(query, undefined, { authorization: 'Bearer not-a-token' });
    expect(forged.status).toBe(401);
  });
});

describe('GraphQL fast path for documents several sources answer', () => {
  const QUERY = '{ products { id name reviews { body author { name } } } }';
  const post = async (url: string): Promise<{ status: number; text: string }> => {
    const response = await fetch(`${url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: QUERY }) });
    return { status: response.status, text: await response.text() };
  };
  const calls = (services: DemoGateway['services']): number =>
    services.users.calls.total + services.reviews.calls.total + services.catalog.calls.total + services.orders.calls.total;

  it('answers a repeated stitched document as the pipeline did, with the same upstream calls (links still batched)', async () => {
    demo = await startDemoGateway();
    const first = await post(demo.url);
    const perRequest = calls(demo.services);
    const again = [await post(demo.url), await post(demo.url)];
    for (const answer of [first, ...again]) expect(answer.status).toBe(200);
    for (const answer of again) expect(JSON.parse(answer.text)).toEqual(JSON.parse(first.text));
    expect(perRequest).toBe(3);
    expect(calls(demo.services)).toBe(3 * perRequest);
  });

  it('a linked source down: the same null fields and errors on both paths', async () => {
    demo = await startDemoGateway();
    await demo.services.users.close();
    // The first answer is the pipeline's (which remembers the document), the second the fast
    // path's; Yoga writes `errors` first, the fast path `data`, which tells them apart.
    const viaPipeline = await post(demo.url);
    const callsViaPipeline = calls(demo.services);
    const viaFastPath = await post(demo.url);
    expect(viaPipeline.text.startsWith('{"errors":')).toBe(true);
    expect(viaFastPath.text.startsWith('{"data":')).toBe(true);
    // The sources still up get the same calls on both paths (the reviews link batched once).
    expect(calls(demo.services) - callsViaPipeline).toBe(callsViaPipeline);
    expect(demo.services.reviews.calls.total).toBe(2);
    expect(viaFastPath.status).toBe(viaPipeline.status);
    expect(JSON.parse(viaFastPath.text)).toEqual(JSON.parse(viaPipeline.text));
    const body = JSON.parse(viaFastPath.text) as { errors: { path: unknown[]; extensions: { code: string } }[] };
    expect(body.errors[0]).toMatchObject({ path: ['products', 0, 'reviews', 0, 'author'], extensions: { code: 'UPSTREAM_UNAVAILABLE' } });
    expect(viaFastPath.text).not.toContain('127.0.0.1');
  });
});

describe('GraphQL fast path, observed at the byte level', () => {
  it('passes a clean answer through byte for byte once the document is known, and never passes extensions', async () => {
    let answer = '{"data":{"users": [ {"id": "1"} ]}}';
    const upstream = createServer((req, res) => {
      req.resume().on('end', () => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(answer);
      });
    });
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(upstream.address() as { port: number }).port}`;
    const gateway = await createGateway(parseConfig(`
server: { port: 0, host: 127.0.0.1 }
upstreams: { users: { url: "${url}" } }
sources: [{ name: users, type: graphql, upstream: users, schema: { file: subgraphs/users/schema.graphql } }]
`, `${ROOT}/gateway.yaml`, { env: {} }), { logger: silentLogger() });
    try {
      const { port } = await gateway.listen();
      const post = () => fetch(`http://127.0.0.1:${port}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"{ users { id } }"}' }).then((r) => r.text());
      expect(await post()).toBe('{"data":{"users":[{"id":"1"}]}}');
      expect(await post()).toBe(answer);
      answer = '{"data":{"users": []},"extensions":{"internal":"trace-123","http":{"status":418}}}';
      expect(await post()).toBe('{"data":{"users":[]}}');
      answer = '{"data":{"users": []},"debug":"internal"}';
      expect(await post()).toBe('{"data":{"users":[]}}');
      answer = '{"data":{"users":null},"errors":[{"message":"db at 10.0.0.7 down","path":["users"],"extensions":{"code":"DB_DOWN"}}]}';
      const failed = JSON.parse(await post()) as { errors: { message: string; path: unknown; extensions: { code: string } }[] };
      expect(failed.errors[0]).toMatchObject({ message: 'Source "users" returned an error', path: ['users'], extensions: { code: 'DB_DOWN' } });
    } finally {
      await gateway.close();
      upstream.closeAllConnections();
      await new Promise((resolve) => upstream.close(resolve));
    }
  });
});
