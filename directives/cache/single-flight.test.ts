import { describe, expect, it } from 'vitest';
import { etagMatches, decodeEntry, encodeEntry } from './entry.js';
import { createSingleFlight } from './single-flight.js';
import { createCacheHintCollector, recordCacheHeaders } from '../../src/stores/cache-hints.js';

describe('single flight', () => {
  it('hands the leader result to every waiter and forgets the flight once settled', async () => {
    const flights = createSingleFlight<string>(5_000);
    expect(flights.join('k')).toBeUndefined();
    const settle = flights.lead('k');
    const waiters = [flights.join('k'), flights.join('k')];
    settle('value');
    settle('ignored');
    expect(await Promise.all(waiters)).toEqual(['value', 'value']);
    expect(flights.join('k')).toBeUndefined();
  });

  it('releases waiters with undefined after the wait bound', async () => {
    const flights = createSingleFlight<string>(10);
    flights.lead('k');
    expect(await flights.join('k')).toBeUndefined();
  });
});

describe('entries and validators', () => {
  it('round-trips an entry and rejects garbage', () => {
    const entry = { meta: { etag: '"e"', storedAt: 1, maxAge: 2, scope: 'PUBLIC' as const }, body: '{"data":{"a":"\\n"}}' };
    expect(decodeEntry(encodeEntry(entry))).toEqual(entry);
    expect(decodeEntry('not an entry')).toBeUndefined();
    expect(decodeEntry('{bad json\n{}')).toBeUndefined();
  });

  it('matches If-None-Match lists, weak tags and *', () => {
    expect(etagMatches('"a", "b"', '"b"')).toBe(true);
    expect(etagMatches('W/"b"', '"b"')).toBe(true);
    expect(etagMatches('*', '"b"')).toBe(true);
    expect(etagMatches('"c"', '"b"')).toBe(false);
    expect(etagMatches(null, '"b"')).toBe(false);
  });
});

describe('REST Cache-Control hints', () => {
  it('records the least max age, private and no-store, only when collecting', () => {
    const context: Record<string, unknown> = {};
    recordCacheHeaders(context, { 'cache-control': 'max-age=60' });
    expect(context['cacheHints']).toBeUndefined();
    const hints = createCacheHintCollector();
    context['cacheHints'] = hints;
    recordCacheHeaders(context, { 'cache-control': 'public, max-age=60' });
    recordCacheHeaders(context, { 'cache-control': 'max-age=120, s-maxage=30' });
    recordCacheHeaders(context, {});
    expect(hints).toMatchObject({ maxAge: 30, private: false, noStore: false });
    recordCacheHeaders(context, { 'cache-control': 'private' });
    expect(hints.private).toBe(true);
    recordCacheHeaders(context, { 'set-cookie': ['s=1'] });
    expect(hints.noStore).toBe(true);
  });
});
