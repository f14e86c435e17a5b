import { describe, expect, it } from 'vitest';
import { ageSeconds, CACHE_HINTS_KEY, createCacheHintCollector, forbidStoring, recordCacheHeaders, type CacheHintCollector } from './cache-hints.js';

function collecting(options: { restHints?: boolean } = {}): { context: Record<string, unknown>; hints: CacheHintCollector } {
  const hints = createCacheHintCollector(options);
  return { context: { [CACHE_HINTS_KEY]: hints }, hints };
}

describe('REST source hints and the upstream Age (RFC 9111 §4.2.3)', () => {
  it('counts only the freshness the upstream has left: max-age less Age', () => {
    const { context, hints } = collecting();
    recordCacheHeaders(context, { 'cache-control': 'public, max-age=60', age: '50' });
    expect(hints.maxAge).toBe(10);
  });

  it('subtracts Age from s-maxage too, and keeps the least freshness over several upstream calls', () => {
    const { context, hints } = collecting();
    recordCacheHeaders(context, { 'cache-control': 'max-age=300, s-maxage=120', age: '100' });
    recordCacheHeaders(context, { 'cache-control': 'max-age=30' });
    expect(hints.maxAge).toBe(20);
  });

  it('an Age at or past max-age leaves nothing to store', () => {
    for (const age of ['60', '61', '86400']) {
      const { context, hints } = collecting();
      recordCacheHeaders(context, { 'cache-control': 'max-age=60', age });
      expect(hints.maxAge).toBe(0);
    }
  });

  it('ignores an invalid Age and reads the first member of a list', () => {
    expect([ageSeconds(undefined), ageSeconds(''), ageSeconds('-5'), ageSeconds('1.5'), ageSeconds('soon')]).toEqual([0, 0, 0, 0, 0]);
    expect([ageSeconds('7'), ageSeconds('7, 9'), ageSeconds(['8', '9'])]).toEqual([7, 7, 8]);
    const { context, hints } = collecting();
    recordCacheHeaders(context, { 'cache-control': 'max-age=60', age: '-30' });
    expect(hints.maxAge).toBe(60);
  });
});

describe('cache.restHints: false', () => {
  it('ignores the upstream freshness (max-age, s-maxage, Age), never its private or no-store', () => {
    const { context, hints } = collecting({ restHints: false });
    recordCacheHeaders(context, { 'cache-control': 's-maxage=5, max-age=5', age: '3' });
    expect(hints).toMatchObject({ maxAge: undefined, private: false, noStore: false });
    recordCacheHeaders(context, { 'cache-control': 'private, max-age=5' });
    expect(hints).toMatchObject({ maxAge: undefined, private: true, noStore: false });
    recordCacheHeaders(context, { 'cache-control': 'no-store' });
    expect(hints.noStore).toBe(true);
  });

  it('still never stores an answer built from a response setting a cookie, or from a fallback', () => {
    const cookie = collecting({ restHints: false });
    recordCacheHeaders(cookie.context, { 'cache-control': 'public, max-age=60', 'set-cookie': ['s=1'] });
    expect(cookie.hints.noStore).toBe(true);
    const fallback = collecting({ restHints: false });
    forbidStoring(fallback.context);
    expect(fallback.hints.noStore).toBe(true);
  });

  it('is on by default', () => {
    const { context, hints } = collecting();
    recordCacheHeaders(context, { 'cache-control': 'max-age=5' });
    expect(hints.maxAge).toBe(5);
  });
});
