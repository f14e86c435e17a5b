import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config/index.js';
import { createGateway, type Gateway } from '../src/gateway.js';
import { silentLogger } from '../src/logger.js';
import { graphqlAnswer, startFaultUpstream, type FaultUpstream } from './helpers/fault-upstream.js';

/**
 * The error vocabulary through the real gateway: two GraphQL sources, each on a fault upstream.
 * When one fails, its fields are null with the code and path, the other's still resolve, HTTP 200.
 */
const USERS_SDL = `${await readFile(new URL('../subgraphs/users/schema.graphql', import.meta.url), 'utf8')}
type Mutation { rename(id: ID!, name: String!): User }`;
const REVIEWS_SDL = await readFile(new URL('../subgraphs/reviews/schema.graphql', import.meta.url), 'utf8');
const ADA = { id: '1', name: 'Ada', email: 'ada@example.com' };
const REVIEW = { id: 'r1', body: 'Good', rating: 5, productId: 'p1', authorId: '1' };

let dir: string;
let users: FaultUpstream;
let reviews: FaultUpstream;
let gateway: Gateway | undefined;
let endpoint: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'junction-resilience-'));
  await writeFile(join(dir, 'users.graphql'), USERS_SDL);
  await writeFile(join(dir, 'reviews.graphql'), REVIEWS_SDL);
  users = await startFaultUpstream({ answer: graphqlAnswer(USERS_SDL, { users: [ADA], user: () => ADA, rename: ADA }) });
  reviews = await startFaultUpstream({ answer: graphqlAnswer(REVIEWS_SDL, { reviews: [REVIEW] }) });
});

afterEach(async () => {
  await gateway?.close();
  gateway = undefined;
  await Promise.allSettled([users.close(), reviews.close()]);
  await rm(dir, { recursive: true, force: true });
});

async function start(usersOptions: Record<string, unknown> = {}): Promise<void> {
  const usersUpstream = {
    url: users.url,
    timeoutMs: 300,
    maxResponseBytes: 1048576,
    retry: { baseDelayMs: 1 },
    circuitBreaker: { timeout: 5000, max_failures: 3 },
    ...usersOptions,
  };
  const yaml = `
server: { port: 0, host: 127.0.0.1, shutdownGraceMs: 100 }
upstreams:
  users: ${JSON.stringify(usersUpstream)}
  reviews:
    url: ${reviews.url}
sources:
  - { name: users, type: graphql, upstream: users, schema: { file: users.graphql } }
  - { name: reviews, type: graphql, upstream: reviews, schema: { file: reviews.graphql } }
`;
  gateway = await createGateway(parseConfig(yaml, join(dir, 'gateway.yaml'), { env: {} }), { logger: silentLogger() });
  const address = await gateway.listen();
  endpoint = `http://127.0.0.1:${address.port}`;
}

interface GraphqlBody {
  data?: Record<string, unknown> | null;
  errors?: { message: string; path?: (string | number)[]; extensions?: { code?: string } }[];
}

async function query(document: string, signal?: AbortSignal): Promise<{ status: number; body: GraphqlBody; text: string; ms: number }> {
  const started = performance.now();
  const response = await fetch(`${endpoint}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ query: document }),
    signal,
  });
  const text = await response.text();
  return { status: response.status, body: JSON.parse(text) as GraphqlBody, text, ms: performance.now() - started };
}

/** `user` is nullable, so its failure nulls only itself (a non-null field would null its parent). */
const BOTH = '{ user(id: "1") { id name } reviews { id body } }';

function expectFieldError(result: Awaited<ReturnType<typeof query>>, code: string): void {
  expect(result.status).toBe(200);
  expect(result.body.data?.['user']).toBeNull();
  expect(result.body.data?.['reviews']).toEqual([{ id: 'r1', body: 'Good' }]);
  expect(result.body.errors).toHaveLength(1);
  expect(result.body.errors?.[0]).toMatchObject({ path: ['user'], extensions: { code } });
  // Masked: no upstream host, port or body.
  expect(result.text).not.toContain('127.0.0.1');
  expect(result.text).not.toContain(String(users.port));
  expect(result.text).not.toContain('upstream-internal-detail');
}

describe('upstream failures on the GraphQL surface', () => {
  it('serves both sources when both answer', async () => {
    await start();
    const result = await query(BOTH);
    expect(result.body).toEqual({ data: { user: { id: '1', name: 'Ada' }, reviews: [{ id: 'r1', body: 'Good' }] } });
  });

  it.each([
    ['refused', { kind: 'refuse' } as const, 'UPSTREAM_UNAVAILABLE'],
    ['reset mid-body', { kind: 'reset' } as const, 'UPSTREAM_UNAVAILABLE'],
    ['500', { kind: 'status', status: 500 } as const, 'UPSTREAM_ERROR'],
    ['503 with Retry-After', { kind: 'status', status: 503, retryAfter: '1' } as const, 'UPSTREAM_ERROR'],
    ['malformed JSON', { kind: 'malformed' } as const, 'UPSTREAM_ERROR'],
    ['a body over maxResponseBytes', { kind: 'huge', bytes: 64 * 1024 * 1024 } as const, 'UPSTREAM_ERROR'],
    ['hanging', { kind: 'hang' } as const, 'GATEWAY_TIMEOUT'],
  ])('%s: the field is null with its code and path, the rest resolves, HTTP 200', async (_label, mode, code) => {
    await start();
    await users.set(mode);
    const result = await query(BOTH);
    expectFieldError(result, code);
    if (mode.kind === 'huge') expect(users.bytesSent).toBeLessThan(16 * 1024 * 1024);
    if (mode.kind === 'hang') expect(result.ms).toBeLessThan(300 + 400);
  });

  it('retries a query and never a mutation', async () => {
    await start({ circuitBreaker: { max_failures: 10 } });
    await users.set({ kind: 'status', status: 503 });
    await query('{ users { id } }');
    expect(users.requests).toBe(3);
    users.resetCounts();
    const mutation = await query('mutation { rename(id: "1", name: "B") { id } }');
    expect(mutation.body.errors?.[0]?.extensions?.code).toBe('UPSTREAM_ERROR');
    expect(users.requests).toBe(1);
  });

  it('an open circuit: UPSTREAM_CIRCUIT_OPEN with no network call, visible in /readyz', async () => {
    await start({ retry: { maxRetries: 0 } });
    await users.set({ kind: 'status', status: 500 });
    for (let i = 0; i < 3; i++) await query('{ users { id } }');
    users.resetCounts();
    for (let i = 0; i < 20; i++) expectFieldError(await query(BOTH), 'UPSTREAM_CIRCUIT_OPEN');
    expect(users.connections + users.requests).toBe(0);
    const ready = (await (await fetch(`${endpoint}/readyz`)).json()) as { status: string; upstreams: { name: string; breaker: { state: string } }[] };
    expect(ready.status).toBe('degraded');
    expect(ready.upstreams.find((upstream) => upstream.name === 'users')?.breaker.state).toBe('open');
    expect(ready.upstreams.find((upstream) => upstream.name === 'reviews')?.breaker.state).toBe('closed');
    expect(users.connections).toBe(0);
  });

  it("one upstream's open breaker does not slow another's traffic", async () => {
    await start({ timeoutMs: 1000, retry: { maxRetries: 0 } });
    const baseline = await timeReviews();
    await users.set({ kind: 'hang' });
    for (let i = 0; i < 3; i++) await query('{ users { id } }');
    const mixed = await query(BOTH);
    expectFieldError(mixed, 'UPSTREAM_CIRCUIT_OPEN');
    // Failing fast: far below the users timeout (1 s) that a closed breaker would have waited.
    expect(mixed.ms).toBeLessThan(250);
    const during = await timeReviews();
    expect(during).toBeLessThan(baseline * 3 + 20);
  });

  it('a client that disconnects aborts its upstream request', async () => {
    await start({ timeoutMs: 10_000 });
    await expectClientAbortReachesUpstream();
  });
});

describe('client disconnects on the fast path', () => {
  it('a repeated single-source document aborts its upstream request too', async () => {
    await start({ timeoutMs: 10_000 });
    await users.set({ kind: 'ok' });
    expect((await query('{ users { id } }')).body.data).toBeDefined();
    await expectClientAbortReachesUpstream();
  });
});

/** The users upstream hangs; the client gives up; the upstream must see its request aborted. */
async function expectClientAbortReachesUpstream(): Promise<void> {
  await users.set({ kind: 'hang' });
  const client = new AbortController();
  const pending = query('{ users { id } }', client.signal).catch((error: unknown) => error);
  await users.waitFor('request', 3_000);
  const aborted = users.waitFor('aborted', 3_000);
  client.abort();
  await aborted;
  await pending;
}

/** Median time of 20 reviews-only queries, in ms. */
async function timeReviews(): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < 20; i++) {
    const result = await query('{ reviews { id } }');
    expect(result.body.data?.['reviews']).toEqual([{ id: 'r1' }]);
    times.push(result.ms);
  }
  return times.sort((a, b) => a - b)[10]!;
}
