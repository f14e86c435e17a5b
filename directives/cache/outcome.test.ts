import { describe, expect, it } from 'vitest';
import { freshOutcome, outcomeHeaders } from './outcome.js';

describe('cache outcome headers', () => {
  it('uses whole seconds in Cache-Control and Age, never fractions', () => {
    expect(freshOutcome('PUBLIC', 300, '"e"', 0.081)).toMatchObject({ cacheControl: 'public, max-age=300', age: 1 });
    expect(freshOutcome('PRIVATE', 60, '"e"', 0)).toMatchObject({ cacheControl: 'private, max-age=60', age: 0 });
  });

  it('keeps the entry\'s own max age and lets Age carry how old it is (RFC 9111: a downstream cache subtracts it)', () => {
    expect(freshOutcome('PUBLIC', 60, '"e"', 10)).toMatchObject({ cacheControl: 'public, max-age=60', age: 10 });
    expect(freshOutcome('PUBLIC', 10, '"e"', 12.5)).toMatchObject({ cacheControl: 'public, max-age=10', age: 13 });
  });

  it('an answer just produced for the request has no Age header (RFC 9111 §5.1: Age means it came from a cache)', () => {
    const produced = freshOutcome('PUBLIC', 60, '"e"', undefined);
    expect(outcomeHeaders(produced)).toEqual({ 'cache-control': 'public, max-age=60', etag: '"e"' });
    expect(outcomeHeaders(freshOutcome('PUBLIC', 60, '"e"', 0))).toMatchObject({ age: '0' });
  });
});
