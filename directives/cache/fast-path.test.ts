import type { IncomingMessage } from 'node:http';
import { buildSchema, parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { silentLogger, type Logger } from '../../src/logger.js';
import { createMemoryCacheStore } from '../../src/stores/cache-memory-store.js';
import type { CacheStore } from '../../src/stores/cache-store.js';
import { createCredentialCheck } from '../auth/credentials.js';
import type { FastPathAnswer, FastPathRequest, FastPathStep, FastPathVerdict } from '../policy.js';
import { createPolicyState } from '../state.js';
import { cacheFastPath } from './fast-path.js';
import { createPlanCache } from './plans.js';
import { createResponseCache } from './response-cache.js';

/**
 * The cache's fast-path step with each kind of store: one that answers at once (memory) and one
 * that answers with promises only (as Redis does), so both branches run without a Redis server.
 */
const schema = buildSchema('type Product { id: ID! name: String! } type Query { products: [Product!]! } type Mutation { renameProduct(id: ID!, name: String!): Product }');
const document = parse('{ products { id name } }');
const BODY = '{"data":{"products":[{"id":"p1","name":"Keyboard"}]}}';
const ANSWER: FastPathAnswer = { body: Buffer.from(BODY), result: JSON.parse(BODY) };

const memoryStore = (): CacheStore => createMemoryCacheStore({ maxBytes: 1024 * 1024 });
/** The memory store behind promises only: what the Redis store offers. */
const remoteStore = (): CacheStore => ({ ...memoryStore(), local: undefined });

function setup(store: CacheStore) {
  // A flight's waiters would wait a minute: a test that leaves one waiting fails by its timeout.
  const cache = createResponseCache({ staleIfErrorSeconds: 300, maxEntryBytes: 1024 * 1024, singleFlightWaitMs: 60_000 }, { store, now: Date.now, logger: silentLogger(), accountsFor: createCredentialCheck({}) });
  const plans = createPlanCache({ types: {}, fields: { 'Query.products': { maxAge: 60 } }, privateDirectives: [], defaultMaxAge: 0, idFields: ['id'] });
  const step = cacheFastPath(cache, plans).document(schema, document, undefined);
  if (typeof step !== 'function') throw new Error('expected a cache step for a cacheable query');
  return { step, cache, plans };
}

const stepWith = (store: CacheStore): FastPathStep => setup(store).step;

function request(): FastPathRequest {
  return { req: {} as IncomingMessage, headers: { get: () => null }, state: createPolicyState('127.0.0.1'), variables: undefined, context: {} };
}

const afterOf = (verdict: FastPathVerdict) => {
  if (verdict === undefined || typeof verdict !== 'object' || !('after' in verdict)) throw new Error(`expected a miss, got ${JSON.stringify(verdict)}`);
  return verdict.after;
};

describe.each([
  ['a store in memory (no promise)', memoryStore, true],
  ['a store answering with promises (as Redis)', remoteStore, false],
])('cache fast-path step with %s', (_name, makeStore, atOnce) => {
  it('stores a miss as its bytes and answers the next request with them', async () => {
    const step = stepWith(makeStore());
    const first = request();
    const missed = step(first);
    expect(missed instanceof Promise).toBe(!atOnce);
    expect(await afterOf(await missed)(ANSWER)).toBeUndefined();
    expect(first.state.responseHeaders['cache-control']).toBe('public, max-age=60');
    // Produced for this request, not served from the cache: no `Age` (RFC 9111 §5.1).
    expect(first.state.responseHeaders['age']).toBeUndefined();
    const second = request();
    const hit = step(second);
    expect(hit instanceof Promise).toBe(!atOnce);
    expect(await hit).toEqual({ reply: { status: 200, body: BODY } });
    expect(second.state.responseHeaders['etag']).toMatch(/^"/);
    expect(second.state.responseHeaders['age']).toMatch(/^\d+$/);
  });

  it('hands the leader\'s entry to a concurrent identical miss', async () => {
    const step = stepWith(makeStore());
    const after = afterOf(await step(request()));
    const waiting = step(request());
    expect(waiting).toBeInstanceOf(Promise);
    await after(ANSWER);
    expect(await waiting).toEqual({ reply: { status: 200, body: BODY } });
  });
});

describe('cache fast-path step and purges', () => {
  it('does not share a miss\'s answer with its waiters when a mutation purged meanwhile: they go upstream', async () => {
    const { step, cache, plans } = setup(memoryStore());
    const after = afterOf(await step(request()));
    const waiting = step(request());
    const mutation = plans.get(schema, parse('mutation { renameProduct(id: "p1", name: "Mouse") { id name } }'), undefined)!;
    await cache.invalidate(mutation, { data: { renameProduct: { id: 'p1', name: 'Mouse' } } });
    await after(ANSWER);
    const waiterGoesUpstream = afterOf(await waiting);
    await waiterGoesUpstream(undefined);
    // Nor was it stored: the next request misses too.
    expect(typeof afterOf(await step(request()))).toBe('function');
  });
});

describe('cache fast-path step when storing fails', () => {
  it.each([
    ['throws', (): CacheStore => {
      const store = memoryStore();
      return { ...store, local: { get: store.local!.get, set: () => { throw new Error('store full'); } } };
    }],
    ['rejects', (): CacheStore => ({ ...remoteStore(), set: () => Promise.reject(new Error('store down')) })],
  ])('answers uncached when the store %s, and releases a waiting request at once', async (_how, makeStore) => {
    const step = stepWith(makeStore());
    const leader = request();
    const after = afterOf(await step(leader));
    const waiting = step(request());
    expect(await after(ANSWER)).toBeUndefined();
    expect(leader.state.responseHeaders['cache-control']).toBe('no-store');
    // Released with nothing shared: the waiter leads its own miss (well before the one-minute wait).
    expect(typeof afterOf(await waiting)).toBe('function');
  });
});

describe('a mutation whose purge fails', () => {
  it('resolves (the answer still goes out), logs a warning, and still keeps an earlier miss from being stored', async () => {
    const warnings: string[] = [];
    const logger = { ...silentLogger(), warn: (_fields: unknown, message: string) => void warnings.push(message) } as unknown as Logger;
    const store: CacheStore = { ...remoteStore(), invalidate: () => Promise.reject(new Error('Command timed out')) };
    const cache = createResponseCache({ staleIfErrorSeconds: 300, maxEntryBytes: 1024 * 1024, singleFlightWaitMs: 60_000 }, { store, now: Date.now, logger, accountsFor: createCredentialCheck({}) });
    const plans = createPlanCache({ types: {}, fields: { 'Query.products': { maxAge: 60 } }, privateDirectives: [], defaultMaxAge: 0, idFields: ['id'] });
    const step = cacheFastPath(cache, plans).document(schema, document, undefined) as FastPathStep;
    const after = afterOf(await step(request()));
    const mutation = plans.get(schema, parse('mutation { renameProduct(id: "p1", name: "Mouse") { id name } }'), undefined)!;
    await expect(cache.invalidate(mutation, { data: { renameProduct: { id: 'p1', name: 'Mouse' } } })).resolves.toBeUndefined();
    expect(warnings).toEqual(['response cache: purge after a mutation failed; stale entries may be served']);
    await after(ANSWER);
    expect(typeof afterOf(await step(request()))).toBe('function');
  });
});
