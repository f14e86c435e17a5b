import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { SignJWT } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config/index.js';
import { createGateway, type Gateway } from '../src/gateway.js';
import { silentLogger } from '../src/logger.js';
import { ROOT } from './helpers/demo-gateway.js';

/**
 * Policies on the GraphQL fast path. The upstream answers with unusual spacing: the full pipeline
 * re-serialises it, the fast path passes the bytes through, so each answer tells which path served it.
 */
const FAST = '{"data":{"users":  [ {"id": "1"} ]}}';
const PIPELINE = '{"data":{"users":[{"id":"1"}]}}';
const QUERY = '{ users { id } }';
const SECRET = 'a-long-development-secret-of-32-bytes!!';
const ISSUER = 'https://issuer.example';

interface Upstream {
  url: string;
  calls: IncomingHttpHeaders[];
  server: Server;
}

let upstream: Upstream | undefined;
let gateway: Gateway | undefined;
afterEach(async () => {
  await gateway?.close();
  gateway = undefined;
  if (upstream) {
    upstream.server.closeAllConnections();
    await new Promise((resolve) => upstream!.server.close(resolve));
    upstream = undefined;
  }
});

async function startUpstream(): Promise<Upstream> {
  const calls: IncomingHttpHeaders[] = [];
  const server = createServer((req, res) => {
    calls.push(req.headers);
    req.resume().on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(FAST);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, calls, server };
}

type Post = (query?: string, headers?: Record<string, string>, variables?: Record<string, unknown>) => Promise<{ status: number; text: string; headers: Headers }>;

async function start(policies: string): Promise<Post> {
  upstream = await startUpstream();
  const yaml = `
server: { port: 0, host: 127.0.0.1 }
graphql: { mode: production }
upstreams: { users: { url: "${upstream.url}" } }
sources: [{ name: users, type: graphql, upstream: users, schema: { file: subgraphs/users/schema.graphql }, forwardHeaders: [authorization] }]
${policies}
`;
  // A still clock: windows, Retry-After and ages never cross a boundary between two requests.
  const instant = Date.now();
  gateway = await createGateway(parseConfig(yaml, `${ROOT}/gateway.yaml`, { env: {} }), { logger: silentLogger(), now: () => instant });
  const { port } = await gateway.listen();
  return async (query = QUERY, headers = {}, variables = undefined) => {
    const response = await fetch(`http://127.0.0.1:${port}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ query, variables }),
    });
    return { status: response.status, text: await response.text(), headers: response.headers };
  };
}

const JWT = `
auth:
  jwt:
    issuers: [{ issuer: "${ISSUER}", audience: junction, secret: "${SECRET}", algorithms: [HS256] }]
`;

function token(sub: string, scope = 'read'): Promise<string> {
  return new SignJWT({ scope })
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuer(ISSUER)
    .setAudience('junction')
    .setSubject(sub)
    .setExpirationTime('5m')
    .sign(new TextEncoder().encode(SECRET));
}

describe('auth on the fast path', () => {
  it('serves an authorised caller there, with the identity headers and without client-sent copies', async () => {
    const post = await start(`${JWT}  fields:\n    Query.users: { requiresScopes: [[read]] }\n`);
    const bearer = { authorization: `Bearer ${await token('alice')}`, 'x-junction-subject': 'root' };
    expect((await post(QUERY, bearer)).text).toBe(PIPELINE);
    const fast = await post(QUERY, bearer);
    expect(fast.text).toBe(FAST);
    expect(upstream!.calls).toHaveLength(2);
    for (const headers of upstream!.calls) {
      expect(headers['x-junction-subject']).toBe('alice');
      expect(headers['x-junction-scopes']).toBe('read');
    }
  });

  it('answers a missing, forged or under-scoped token exactly as the pipeline does, with no upstream call', async () => {
    const post = await start(`${JWT}  fields:\n    Query.users: { requiresScopes: [[admin]] }\n`);
    await post(QUERY, { authorization: `Bearer ${await token('root', 'admin')}` });
    const cases: Record<string, string>[] = [{}, { authorization: 'Bearer forged' }, { authorization: 'Bearer ' }, { authorization: `Bearer ${await token('alice')}` }];
    for (const headers of cases) {
      const first = await post(QUERY, headers);
      const second = await post(QUERY, headers);
      expect([401, 403]).toContain(first.status);
      expect(second.status).toBe(first.status);
      expect(second.text).toBe(first.text);
      expect(second.headers.get('www-authenticate')).toBe(first.headers.get('www-authenticate'));
    }
    expect(upstream!.calls).toHaveLength(1);
  });

  it('strips a client-sent identity header from an anonymous request on the fast path too', async () => {
    const post = await start(JWT);
    await post(QUERY, { 'x-junction-subject': 'root' });
    expect((await post(QUERY, { 'x-junction-subject': 'root' })).text).toBe(FAST);
    expect(upstream!.calls.map((headers) => headers['x-junction-subject'])).toEqual([undefined, undefined]);
  });
});

describe('rate limiting on the fast path', () => {
  it('spends the same budget and refuses with the same 429 as the pipeline', async () => {
    const post = await start('rateLimit:\n  headersOnSuccess: true\n  fields:\n    Query.users: { minute: 3, by: ip }\n');
    expect((await post()).text).toBe(PIPELINE);
    const allowed = await post();
    expect(allowed.text).toBe(FAST);
    expect(allowed.headers.get('ratelimit-remaining')).toBe('1');
    expect((await post()).status).toBe(200);
    const fastRefusal = await post();
    // Another text of the same operation is a new document: the pipeline answers it.
    const pipelineRefusal = await post('{users{id}}');
    expect(upstream!.calls).toHaveLength(3);
    for (const refusal of [fastRefusal, pipelineRefusal]) {
      expect(refusal.status).toBe(429);
      expect(Number(refusal.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(refusal.headers.get('ratelimit-remaining')).toBe('0');
    }
    expect(fastRefusal.text).toBe(pipelineRefusal.text);
    expect(JSON.parse(fastRefusal.text)).toMatchObject({ errors: [{ extensions: { code: 'RATE_LIMITED', rateLimit: { limit: 3, remaining: 0 } } }] });
    expect(fastRefusal.text).not.toContain('"http"');
  });

  it('never spends budget for a request auth refuses', async () => {
    const post = await start(`${JWT}  fields:\n    Query.users: { authenticated: true }\nrateLimit:\n  fields:\n    Query.users: { minute: 2, by: consumer }\n`);
    const bearer = { authorization: `Bearer ${await token('alice')}` };
    expect((await post(QUERY, bearer)).status).toBe(200);
    for (let i = 0; i < 5; i++) expect((await post(QUERY, { authorization: 'Bearer forged' })).status).toBe(401);
    expect((await post(QUERY, bearer)).text).toBe(FAST);
    expect((await post(QUERY, bearer)).status).toBe(429);
  });
});

describe('the response cache on the fast path', () => {
  it('answers a hit and a matching If-None-Match there, without an upstream call', async () => {
    const post = await start('cache:\n  fields:\n    Query.users: { maxAge: 60 }\n');
    const miss = await post();
    const hit = await post();
    expect(upstream!.calls).toHaveLength(1);
    expect(hit.text).toBe(miss.text);
    expect(hit.headers.get('etag')).toBe(miss.headers.get('etag'));
    expect(hit.headers.get('cache-control')).toBe('public, max-age=60');
    const notModified = await post(QUERY, { 'if-none-match': hit.headers.get('etag')! });
    expect(notModified.status).toBe(304);
    expect(notModified.text).toBe('');
    expect(upstream!.calls).toHaveLength(1);
  });

  it('stores a fast-path miss as the bytes sent, and keys a caller whose header reaches the source by principal', async () => {
    const post = await start(`${JWT}cache:\n  fields:\n    Query.users: { maxAge: 60 }\n`);
    await post('{ users { id } }');
    const alice = { authorization: `Bearer ${await token('alice')}` };
    const bob = { authorization: `Bearer ${await token('bob')}` };
    const aliceMiss = await post(QUERY, alice);
    expect(aliceMiss.text).toBe(FAST);
    expect(aliceMiss.headers.get('cache-control')).toBe('private, max-age=60');
    expect((await post(QUERY, alice)).text).toBe(FAST);
    expect(upstream!.calls).toHaveLength(2);
    expect((await post(QUERY, bob)).headers.get('cache-control')).toBe('private, max-age=60');
    expect(upstream!.calls).toHaveLength(3);
  });

  it('makes one upstream round for concurrent identical misses of a known document', async () => {
    const post = await start('cache:\n  fields:\n    Query.user: { maxAge: 60 }\n');
    const query = 'query Q($id: ID!) { user(id: $id) { id } }';
    await post(query, {}, { id: '1' });
    const answers = await Promise.all(Array.from({ length: 10 }, () => post(query, {}, { id: '2' }).then((r) => r.text)));
    expect(new Set(answers)).toEqual(new Set([FAST]));
    expect(upstream!.calls).toHaveLength(2);
  });
});
